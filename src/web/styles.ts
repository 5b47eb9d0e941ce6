/**
 * The activity page's stylesheet, served as /api/activity/app.css. Light and dark follow the system
 * (prefers-color-scheme); every colour pair is chosen for WCAG AA contrast, which the browser tests
 * check with axe-core in both.
 */
export const ACTIVITY_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --accent: #0550ae; --focus: #0969da;
  --good-bg: #dafbe1; --good-fg: #116329; --bad-bg: #ffebe9; --bad-fg: #a40e26; --warn-bg: #fff8c5; --warn-fg: #6f4400;
  --wait-bg: #ddf4ff; --wait-fg: #0a3069; --other-bg: #eaeef2; --other-fg: #24292f;
  --mark-good: #1a7f37; --mark-bad: #cf222e; --mark-warn: #9a6700; --mark-wait: #0969da; --mark-other: #6e7781; --mark-open: #8250df; --mark-click: #bf3989;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --panel: #161b22; --accent: #58a6ff; --focus: #79c0ff;
    --good-bg: #0f2d1a; --good-fg: #7ee2a8; --bad-bg: #3c1014; --bad-fg: #ffa198; --warn-bg: #3a2a05; --warn-fg: #f2cc60;
    --wait-bg: #0c2d4f; --wait-fg: #a5d6ff; --other-bg: #262c36; --other-fg: #d0d7de;
    --mark-good: #3fb950; --mark-bad: #f85149; --mark-warn: #d29922; --mark-wait: #58a6ff; --mark-other: #8b949e; --mark-open: #bc8cff; --mark-click: #f778ba;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
code, time { font-family: ui-monospace, "SFMono-Regular", "Liberation Mono", Menlo, monospace; font-size: 0.9em; }
time { white-space: nowrap; }
/* Headings and page positions take focus after a view changes, for screen readers; they are not controls. */
[tabindex="-1"]:focus { outline: none; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: 0.5rem; z-index: 1; }
.skip:focus { left: 0.5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
header.top { padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top h1 { margin: 0 0 0.5rem; font-size: 1.3rem; }
form.search { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; }
form.search label { flex-basis: 100%; font-weight: 600; }
input, select, button { font: inherit; color: inherit; }
input, select { background: var(--bg); border: 1px solid var(--muted); border-radius: 6px; padding: 0.4rem 0.6rem; }
#q { flex: 1 1 28rem; max-width: 44rem; }
button { background: var(--accent); color: var(--bg); border: 1px solid var(--accent); border-radius: 6px; padding: 0.4rem 1rem; cursor: pointer; font-weight: 600; }
button.secondary { background: transparent; color: var(--accent); }
button:disabled { opacity: 0.5; cursor: default; }
.hint, .muted { color: var(--muted); }
.hint { margin: 0.4rem 0 0; font-size: 0.9rem; }
main { padding: 1rem 1.5rem 3rem; max-width: 75rem; }
#status:empty { display: none; }
#key-form { border: 1px solid var(--line); background: var(--panel); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; }
#key-form p { flex-basis: 100%; margin: 0; }
#key-form[hidden] { display: none; }
h2 { font-size: 1.25rem; margin: 0.5rem 0; display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 0.5rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.5rem 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0.05rem 0.55rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.tone-good { background: var(--good-bg); color: var(--good-fg); }
.tone-bad { background: var(--bad-bg); color: var(--bad-fg); }
.tone-warn { background: var(--warn-bg); color: var(--warn-fg); }
.tone-wait { background: var(--wait-bg); color: var(--wait-fg); }
.tone-other { background: var(--other-bg); color: var(--other-fg); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td { overflow-wrap: break-word; }
/*
 * Values that may be one unbroken word of any length (a status message, a URL, a user agent) may break
 * anywhere: break-word does not lower a column's min-content width, so a 30,000-character one made the
 * table that wide and pushed the other columns off screen. Only these: an address or id, short, stays
 * whole where there is room.
 */
.long-text, .data-link, .user-agent { overflow-wrap: anywhere; }
.user-agent { font-size: 0.85em; }
.counts { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; }
.filters { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; margin-bottom: 0.75rem; }
.filters label { display: block; font-size: 0.9rem; color: var(--muted); }
.filter-actions { display: flex; gap: 0.5rem; }
.pager { display: flex; gap: 0.5rem; margin-top: 0.5rem; }
.page-position { margin: 0.25rem 0; color: var(--muted); }
.state { border-left: 4px solid var(--line); padding: 0.25rem 1rem; }
.state-not-found { border-color: var(--mark-other); }
.state-bad-request { border-color: var(--mark-warn); }
.state-failure { border-color: var(--mark-bad); }
.timeline-figure { margin: 0; }
.timeline { width: 100%; max-width: 60rem; height: auto; display: block; }
.timeline text { fill: var(--fg); font-size: 12px; }
.timeline .tick { fill: var(--muted); }
.timeline .axis { stroke: var(--muted); }
.timeline .grid, .timeline .lane-line { stroke: var(--line); }
.mark { stroke: var(--bg); stroke-width: 1; fill-opacity: 0.85; }
.mark.tone-good { fill: var(--mark-good); } .mark.tone-bad { fill: var(--mark-bad); }
.mark.tone-warn { fill: var(--mark-warn); } .mark.tone-wait { fill: var(--mark-wait); }
.mark.tone-other { fill: var(--mark-other); } .mark.tone-open { fill: var(--mark-open); }
.mark.tone-click { fill: var(--mark-click); }
figcaption { color: var(--muted); font-size: 0.9rem; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; padding: 0; margin: 0.25rem 0; font-size: 0.9rem; }
ul.legend svg { vertical-align: -2px; }
.chart { width: 100%; max-width: 60rem; height: auto; display: block; }
.chart .tick { fill: var(--muted); font-size: 12px; } .chart .grid { stroke: var(--line); }
.series { fill: none; stroke-width: 2.5; } .series.dashed { stroke-dasharray: 6 4; stroke-width: 1.5; }
.series.tone-good { stroke: var(--mark-good); } .series.tone-bad { stroke: var(--mark-bad); }
.series.tone-open { stroke: var(--mark-open); } .series.tone-click { stroke: var(--mark-click); }
.dot.tone-good { fill: var(--mark-good); } .dot.tone-bad { fill: var(--mark-bad); }
.dot.tone-open { fill: var(--mark-open); } .dot.tone-click { fill: var(--mark-click); }
#overview { margin-top: 1.5rem; } table.stats td:first-child { white-space: nowrap; }
`;
