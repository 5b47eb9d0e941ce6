/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The activity page's script: what runs in the browser. It is one function, compiled by the project's
 * own tsc (type-checked against the DOM and against the API's response types) and served as its
 * source text by activityPage.ts, so there is no second build step and nothing for the deployment to
 * copy. That is why it is self-contained: no import but types, no reference to anything outside its
 * body; what it needs from the server side comes in as arguments.
 *
 * Nothing from a response is ever parsed as HTML: every text goes in through text nodes and attribute
 * values (`el()` below), and links from data become links only when they are http(s).
 */
import type { MessageStatusBody, EventView, RecipientStatus } from '../status/messageStatus.js';
import type { RecipientMessage, RecipientSummary } from '../status/recipientStatus.js';
import type { InternetMessageLookup } from '../storage/lookups.js';
import type { EntryBody, RecipientOverview, SuppressionListBody } from '../suppression/api.js';
import type { SuppressionEntry } from '../suppression/state.js';
import type { StatisticsBody, StatsBucket } from '../stats/report.js';
import type { DayMessage } from '../stats/dayMessages.js';
import type { ClassifiedQuery, LookupKind } from './query.js';

export interface ClientConfig {
  /** The delivery statuses ACS documents, for the address view's filter. */
  statuses: readonly string[];
  /** Events per page of the message view's event list. */
  eventsPageSize: number;
  /** Messages per page of the address view. */
  messagesPageSize: number;
  /** The largest page the API serves; the timeline reads the events in pages this size. */
  maxPageSize: number;
  /** The timeline draws at most this many events (then it says so). */
  timelineMaxEvents: number;
  /** The sessionStorage key of the function key. */
  keyStorageName: string;
  /** The sessionStorage key of the admin key, which changes to the suppression list take. */
  adminKeyStorageName: string;
  /** Entries per page of the suppression list view. */
  suppressionsPageSize: number;
}

export function activityApp(config: ClientConfig, classifyQuery: (text: string) => ClassifiedQuery | undefined): void {
  type Child = Node | string | number | null | undefined | false;
  type Problem = { status?: number; title?: string; detail?: string; parameter?: string };
  type Answer<T> = { ok: true; body: T } | { ok: false; status: number; problem: Problem | undefined };

  const SVG_NS = 'http://www.w3.org/2000/svg';
  /**
   * Bidi controls (embeddings, overrides, isolates, LRM/RLM) in a text from the data are shown as their
   * code point, `⟨U+202E⟩`, rather than obeyed or isolated: isolating keeps them from spilling into the
   * page but still reorders the characters inside the value, so `exe.pdf` could read as `fdp.exe`.
   * Shown visibly, what is on screen is what is stored. The page's own texts have none, so every text
   * node goes through this.
   */
  const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  const shown = (text: string): string => text.replace(BIDI_CONTROLS, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase()}⟩`);
  const textOf = (child: Exclude<Child, null | undefined | false>): Node | string => (typeof child === 'object' ? child : shown(String(child)));
  // The page is served at <prefix>/activity; the API routes are its siblings.
  const apiBase = location.pathname.replace(/\/activity\/?$/, '/');

  /** An element with attributes set as values and children appended as text: nothing is parsed as HTML. */
  function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) if (value !== undefined) node.setAttribute(name, value);
    for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(textOf(child));
    return node;
  }
  function svg(tag: string, attributes: Record<string, string | number>, ...children: Child[]): SVGElement {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(textOf(child));
    return node;
  }

  const view = document.getElementById('view')!;
  const statusLine = document.getElementById('status')!;
  const searchForm = document.getElementById('search') as HTMLFormElement;
  const searchBox = document.getElementById('q') as HTMLInputElement;
  const keyForm = document.getElementById('key-form') as HTMLFormElement;
  const keyBox = document.getElementById('key') as HTMLInputElement;
  const keyNote = document.getElementById('key-note')!;
  const forgetKey = document.getElementById('forget-key') as HTMLButtonElement;

  // --- the function key: asked for once, kept for this tab only, sent as a header, never in the URL ---
  function showForgetKey(): void {
    forgetKey.hidden = sessionStorage.getItem(config.keyStorageName) === null && sessionStorage.getItem(config.adminKeyStorageName) === null;
  }
  let keyWaiters: ((key: string) => void)[] = [];
  /** Where the key being asked for is kept: the function key, or the admin key for a change. */
  let keyTarget = config.keyStorageName;
  function askForKey(note: string, target = config.keyStorageName): Promise<string> {
    keyTarget = target;
    keyNote.textContent = note;
    keyForm.hidden = false;
    keyBox.value = '';
    keyBox.focus();
    return new Promise((resolve) => keyWaiters.push(resolve));
  }
  keyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = keyBox.value.trim();
    if (key === '') return;
    sessionStorage.setItem(keyTarget, key);
    keyForm.hidden = true;
    showForgetKey();
    const waiters = keyWaiters;
    keyWaiters = [];
    waiters.forEach((resolve) => resolve(key));
  });
  forgetKey.addEventListener('click', () => {
    sessionStorage.removeItem(config.keyStorageName);
    sessionStorage.removeItem(config.adminKeyStorageName);
    showForgetKey();
  });

  // --- who is signed in: a person signed in with Microsoft Entra ID reads through the people's door, with no key ---
  type Me = { signedIn: true; name?: string; roles: string[] } | { signedIn: false; signIn?: string };
  const signInLine = document.getElementById('sign-in')!;
  const me: Promise<Me> = fetch(`${apiBase}signed-in/me`, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
    .then(async (response): Promise<Me> => (response.ok ? ((await response.json()) as Me) : { signedIn: false }))
    .catch((): Me => ({ signedIn: false }));
  void me.then((caller) => {
    if (caller.signedIn) signInLine.replaceChildren(`Signed in as ${caller.name ?? 'you'}`, caller.roles.length ? ` (${caller.roles.join(', ')})` : ' (no role: ask for one to see data)');
    else if (caller.signIn) {
      const back = encodeURIComponent(location.pathname + location.hash);
      signInLine.replaceChildren(el('a', { href: `${caller.signIn}?post_login_redirect_uri=${back}` }, 'Sign in with Microsoft Entra ID'), ' or use a function key.');
    } else return;
    signInLine.hidden = false;
  });

  /**
   * Calls an API path (GET unless told): through the people's door when a person is signed in;
   * otherwise with a function key, which locally is not needed, and which in Azure a 401 asks for, once,
   * before trying again: the key to read, and the key for a change (`admin`: the key of a function that
   * changes data), each kept apart.
   */
  async function api<T>(path: string, init: { method?: string; admin?: boolean } = {}): Promise<Answer<T>> {
    const signedIn = (await me).signedIn;
    const keyName = init.admin ? config.adminKeyStorageName : config.keyStorageName;
    for (;;) {
      const key = signedIn ? null : sessionStorage.getItem(keyName);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (key !== null) headers['x-functions-key'] = key;
      const response = await fetch(apiBase + (signedIn ? 'signed-in/' : '') + path, { method: init.method ?? 'GET', headers, credentials: 'same-origin', cache: 'no-store' });
      // The Functions host answers 401 to a missing or wrong key; anything else is the answer (a person's 401 or 403 too).
      if (response.status === 401 && !signedIn) {
        if (key !== null) sessionStorage.removeItem(keyName);
        const asked = init.admin
          ? 'A change to the suppression list takes the key of the function that makes it (reactivateSuppression). It is kept in this tab only.'
          : 'This app needs a function key to answer. It is kept in this tab only.';
        await askForKey(key === null ? asked : 'That key was not accepted. Enter another one.', keyName);
        continue;
      }
      if (response.ok) return { ok: true, body: (await response.json()) as T };
      let problem: Problem | undefined;
      try {
        problem = (await response.json()) as Problem;
      } catch {
        problem = undefined;
      }
      return { ok: false, status: response.status, problem };
    }
  }

  // --- small views of values ---
  // A Map: a status is what ACS sent, and `constructor` is no tone (an object's keys would find Object).
  const STATUS_TONES = new Map<string, string>(Object.entries({
    delivered: 'good',
    expanded: 'good',
    bounced: 'bad',
    failed: 'bad',
    suppressed: 'warn',
    quarantined: 'warn',
    filteredspam: 'warn',
    reactivated: 'good',
    pending: 'wait',
  }));
  const toneOf = (status: string | null): string => STATUS_TONES.get((status ?? '').toLowerCase()) ?? 'other';
  // An empty status is as missing as null: a badge with no word would say nothing.
  const statusWord = (status: string | null): string => status || 'No status';
  /** A status as a badge: its word is always shown, so the colour is never the only sign. */
  const badge = (status: string | null): HTMLElement => el('span', { class: `badge tone-${toneOf(status)}` }, statusWord(status));

  /** `2026-11-27T09:15:01.9731425Z` as `2026-11-27 09:15:01`, with the full value as its tooltip. */
  function time(value: string | null): HTMLElement {
    if (value === null) return el('span', { class: 'muted' }, '—');
    const shown = value.replace('T', ' ').replace(/(\d\d:\d\d:\d\d)(\.\d+)?Z$/, '$1');
    return el('time', { datetime: value, title: value }, shown);
  }

  /** A link from the data: a link only when it is http(s), and then one that takes nothing with it. */
  function dataLink(url: string | null): Node {
    if (url === null || url === '') return el('span', { class: 'muted' }, '—');
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:')) {
      return el('a', { href: parsed.href, rel: 'noopener noreferrer', target: '_blank', class: 'data-link' }, url);
    }
    return el('code', { class: 'data-link' }, url);
  }

  /**
   * A view's URL fragment. A space is written %20, never +, because a + in a fragment is read as itself
   * (readLocation): addresses often hold one (`o'brien+tag@…`), and a pasted link should find them.
   */
  const fragment = (state: Record<string, string>): string => `#${new URLSearchParams(state)}`.replace(/\+/g, '%20');
  /** A link to another view of this page, as a deep link that can be pasted into a ticket. */
  const viewLink = (query: string, text: string): HTMLElement => el('a', { href: fragment({ q: query }) }, text);
  /** Free text from the data (a status message), which may be one unbroken word of any length: see `.long-text`. */
  const longText = (text: string | null): Child => (text === null ? '—' : el('span', { class: 'long-text' }, text));

  const table = (caption: string, headings: string[], rows: Child[][], className = ''): HTMLElement =>
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { class: className },
        el('caption', { class: 'visually-hidden' }, caption),
        el('thead', {}, el('tr', {}, ...headings.map((heading) => el('th', { scope: 'col' }, heading)))),
        el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((cell) => el('td', {}, cell))))),
      ),
    );
  const facts = (pairs: [string, Child][]): HTMLElement => el('dl', { class: 'facts' }, ...pairs.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
  const section = (heading: string, ...children: Child[]): HTMLElement => el('section', {}, el('h3', {}, heading), ...children);

  /** Each view renders only while its lookup is still the one asked for (`current`): a late answer never replaces a newer view. */
  type Current = () => boolean;

  interface PagedList<B, T> {
    label: string;
    current: Current;
    /** The API path of a page. */
    path: (pageToken: string | undefined) => string;
    items: (body: B) => T[];
    /** What a 404 means here (the thing paged through is gone). */
    gone: string;
    render: (items: T[]) => Node;
    total?: number;
  }

  /**
   * A pager over an API list whose pages are chained by nextPageToken: the tokens seen so far are kept,
   * so that "Previous" goes back without the API needing to page backwards.
   */
  function pager<B extends { nextPageToken?: string }, T>(list: PagedList<B, T>): HTMLElement {
    const { label, current, render, total } = list;
    const region = el('div', { class: 'paged' });
    const tokens: (string | undefined)[] = [undefined];
    let page = 0;
    const starts = [1];
    /** The page's items, or undefined when the view has been replaced (by a failure, or by a newer view). */
    async function load(pageToken: string | undefined): Promise<{ items: T[]; next: string | undefined } | undefined> {
      try {
        const answer = await api<B>(list.path(pageToken));
        if (!current()) return undefined;
        if (answer.ok) return { items: list.items(answer.body), next: answer.body.nextPageToken };
        showFailure(answer, list.gone, route);
      } catch {
        // A page turn fails as a new search does, with "Try again", not with a view stuck half-busy.
        if (current()) showUnreachable();
      } finally {
        region.removeAttribute('aria-busy');
      }
      return undefined;
    }
    async function show(): Promise<void> {
      region.setAttribute('aria-busy', 'true');
      const result = await load(tokens[page]);
      if (result === undefined) return;
      tokens[page + 1] = result.next;
      const first = starts[page]!;
      starts[page + 1] = first + result.items.length;
      const last = first + result.items.length - 1;
      const previous = el('button', { type: 'button', class: 'secondary' }, 'Previous page');
      const next = el('button', { type: 'button', class: 'secondary' }, 'Next page');
      previous.disabled = page === 0;
      next.disabled = result.next === undefined;
      const turn = (by: number) => {
        // One turn at a time: the buttons stay disabled until the page has come.
        previous.disabled = next.disabled = true;
        page += by;
        void show().then(() => focusIn(region));
      };
      previous.addEventListener('click', () => turn(-1));
      next.addEventListener('click', () => turn(1));
      const position = result.items.length === 0 ? `No ${label}` : `${label[0]!.toUpperCase()}${label.slice(1)} ${first}–${last}${total === undefined ? '' : ` of ${total}`}`;
      region.replaceChildren(
        el('p', { class: 'page-position', tabindex: '-1' }, position),
        render(result.items),
        // A list that fits on one page needs no pager.
        ...(page === 0 && result.next === undefined ? [] : [el('nav', { class: 'pager', 'aria-label': `Pages of ${label}` }, previous, next)]),
      );
    }
    void show();
    return region;
  }
  const focusIn = (region: HTMLElement) => (region.querySelector('.page-position') as HTMLElement | null)?.focus();

  // --- states ---
  function setStatus(text: string, busy = false): void {
    statusLine.textContent = text;
    if (busy) view.setAttribute('aria-busy', 'true');
    else view.removeAttribute('aria-busy');
  }
  function showState(kind: 'not-found' | 'bad-request' | 'failure', heading: string, detail: string, retry?: () => void): void {
    setStatus('');
    view.replaceChildren(
      el(
        'section',
        { class: `state state-${kind}`, 'aria-labelledby': 'state-heading' },
        el('h2', { id: 'state-heading', tabindex: '-1' }, heading),
        el('p', {}, detail),
        retry ? el('button', { type: 'button', id: 'retry' }, 'Try again') : null,
      ),
    );
    view.querySelector('#retry')?.addEventListener('click', () => retry?.());
    (view.querySelector('h2') as HTMLElement).focus();
  }
  const showUnreachable = () => showState('failure', 'Something went wrong', 'The app could not be reached. Check your connection, then try again.', () => void route());
  /** What a failed answer means to the person looking: 400 with the problem's detail, 404, or a failure. */
  function showFailure(answer: { status: number; problem: Problem | undefined }, what: string, retry: () => void): void {
    if (answer.status === 400) showState('bad-request', 'That search cannot be answered', answer.problem?.detail ?? 'The request was not valid.');
    else if (answer.status === 404) showState('not-found', 'Nothing found', `${what} ${answer.problem?.detail ?? ''}`.trim());
    else showState('failure', 'Something went wrong', `The app answered HTTP ${answer.status}: ${answer.problem?.detail ?? 'try again in a moment.'}`, retry);
  }

  // --- the message view ---
  /** The message and all its events (up to the timeline's limit), read in the largest pages the API serves. */
  async function readMessage(messageId: string): Promise<Answer<{ message: MessageStatusBody; events: EventView[]; complete: boolean }>> {
    const events: EventView[] = [];
    let message: MessageStatusBody | undefined;
    let token: string | undefined;
    do {
      const answer = await api<MessageStatusBody>(`messages/${encodeURIComponent(messageId)}?limit=${config.maxPageSize}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      if (!answer.ok) return answer;
      message ??= answer.body;
      events.push(...answer.body.events);
      token = answer.body.nextPageToken;
    } while (token !== undefined && events.length < config.timelineMaxEvents);
    return { ok: true, body: { message, events, complete: token === undefined } };
  }

  /** The delivery attempts, opens and clicks on one time axis: a picture, with its numbers in words beside it. */
  function timeline(events: EventView[], complete: boolean): HTMLElement {
    // Only a `click` is a click, as in the API's counts; an engagement of another type (`forward`) is in no lane.
    const lanes = [
      { name: 'Delivery attempts', one: 'delivery attempt', shape: 'circle', pick: (event: EventView) => event.type === 'delivery' },
      { name: 'Opens', one: 'open', shape: 'square', pick: (event: EventView) => event.type === 'engagement' && event.engagementType === 'view' },
      { name: 'Clicks', one: 'click', shape: 'diamond', pick: (event: EventView) => event.type === 'engagement' && event.engagementType === 'click' },
    ];
    const timed = events.filter((event) => event.occurredAt !== null && !Number.isNaN(Date.parse(event.occurredAt)));
    const times = timed.map((event) => Date.parse(event.occurredAt!));
    const width = 800;
    const left = 170;
    const right = 20;
    const laneHeight = 34;
    const top = 12;
    const height = top + lanes.length * laneHeight + 40;
    let start = Math.min(...times);
    let end = Math.max(...times);
    if (times.length === 0) start = end = Date.now();
    if (end - start < 60_000) {
      // One instant (or nearly): widen the axis to a minute around it, so the marks sit in the middle.
      start -= 30_000;
      end += 30_000;
    }
    const x = (ms: number) => left + ((ms - start) / (end - start)) * (width - left - right);
    const counts = lanes.map((lane) => timed.filter(lane.pick).length);
    const description = `${lanes.map((lane, i) => `${counts[i]} ${counts[i] === 1 ? lane.one : lane.name.toLowerCase()}`).join(', ')}, from ${new Date(start).toISOString()} to ${new Date(end).toISOString()}.`;
    const picture = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'timeline-title timeline-desc', class: 'timeline' }, svg('title', { id: 'timeline-title' }, 'Timeline of the message'), svg('desc', { id: 'timeline-desc' }, description));
    const axisY = top + lanes.length * laneHeight + 4;
    picture.append(svg('line', { x1: left, x2: width - right, y1: axisY, y2: axisY, class: 'axis' }));
    const span = end - start;
    // As much of the time as tells the five ticks apart: dates over a month, then day and time, then time.
    const label = (ms: number) => {
      const iso = new Date(ms).toISOString();
      return span > 30 * 86_400_000 ? iso.slice(0, 10) : span > 86_400_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, span < 600_000 ? 19 : 16);
    };
    for (let tick = 0; tick <= 4; tick++) {
      const ms = start + (span * tick) / 4;
      const tx = x(ms);
      picture.append(svg('line', { x1: tx, x2: tx, y1: top, y2: axisY + 5, class: 'grid' }));
      picture.append(svg('text', { x: tx, y: axisY + 20, 'text-anchor': tick === 0 ? 'start' : tick === 4 ? 'end' : 'middle', class: 'tick' }, label(ms)));
    }
    picture.append(svg('text', { x: width - right, y: axisY + 36, 'text-anchor': 'end', class: 'tick' }, 'UTC'));
    lanes.forEach((lane, i) => {
      const y = top + i * laneHeight + laneHeight / 2;
      picture.append(svg('text', { x: 0, y: y + 4, class: 'lane' }, `${lane.name} (${counts[i]})`));
      picture.append(svg('line', { x1: left, x2: width - right, y1: y, y2: y, class: 'lane-line' }));
      for (const event of timed.filter(lane.pick)) {
        const cx = x(Date.parse(event.occurredAt!));
        const tone = event.type === 'delivery' ? toneOf(event.status) : lane.shape === 'square' ? 'open' : 'click';
        const what = event.type === 'delivery' ? `${statusWord(event.status)} to ${event.recipient ?? 'unknown recipient'}` : `${lane.one[0]!.toUpperCase()}${lane.one.slice(1)}${event.recipient ? ` by ${event.recipient}` : ''}${event.engagementContext ? `: ${event.engagementContext}` : ''}`;
        const tip = svg('title', {}, `${event.occurredAt} — ${what}`);
        const mark =
          lane.shape === 'circle'
            ? svg('circle', { cx, cy: y, r: 7, class: `mark tone-${tone}` }, tip)
            : lane.shape === 'square'
              ? svg('rect', { x: cx - 5, y: y - 5, width: 10, height: 10, class: `mark tone-${tone}` }, tip)
              : svg('path', { d: `M${cx} ${y - 7}L${cx + 7} ${y}L${cx} ${y + 7}L${cx - 7} ${y}Z`, class: `mark tone-${tone}` }, tip);
        picture.append(mark);
      }
    });
    const key = (shape: string, tone: string, text: string) => {
      const swatch = svg('svg', { viewBox: '0 0 14 14', width: 14, height: 14, 'aria-hidden': 'true' });
      swatch.append(shape === 'circle' ? svg('circle', { cx: 7, cy: 7, r: 6, class: `mark tone-${tone}` }) : shape === 'square' ? svg('rect', { x: 2, y: 2, width: 10, height: 10, class: `mark tone-${tone}` }) : svg('path', { d: 'M7 0L14 7L7 14L0 7Z', class: `mark tone-${tone}` }));
      return el('li', {}, swatch, ` ${text}`);
    };
    return el(
      'figure',
      { class: 'timeline-figure' },
      picture,
      el('ul', { class: 'legend', 'aria-label': 'Key' }, key('circle', 'good', 'Delivered'), key('circle', 'warn', 'Suppressed, quarantined or spam'), key('circle', 'bad', 'Bounced or failed'), key('square', 'open', 'Open'), key('diamond', 'click', 'Click')),
      el('figcaption', {}, description, complete ? null : ` The timeline shows the first ${events.length} events.`),
    );
  }

  function eventRows(events: EventView[]): Node {
    return table(
      'Events, oldest first',
      ['When (UTC)', 'Event', 'Recipient', 'Detail'],
      events.map((event) =>
        event.type === 'delivery'
          ? [time(event.occurredAt), el('span', {}, 'Delivery ', badge(event.status)), event.recipient ?? '—', el('span', { class: 'long-text' }, event.statusMessage ?? '', event.recipientMailServerHostName ? el('span', { class: 'muted' }, ` (${event.recipientMailServerHostName})`) : null)]
          : [
              time(event.occurredAt),
              event.engagementType === 'view' ? 'Open' : event.engagementType === 'click' ? 'Click' : `Engagement: ${event.engagementType ?? 'unknown'}`,
              event.recipient ?? '—',
              el('span', {}, event.engagementContext ? dataLink(event.engagementContext) : null, event.userAgent ? el('span', { class: 'muted user-agent' }, ` ${event.userAgent}`) : null),
            ],
      ),
      'events',
    );
  }

  function renderMessage(current: Current, body: MessageStatusBody, all: { events: EventView[]; complete: boolean }, foundBy?: string): void {
    const internetMessageIds = [...new Set(all.events.flatMap((event) => (event.type === 'delivery' && event.internetMessageId ? [event.internetMessageId] : [])))];
    const recipientRows = body.recipients.map((recipient: RecipientStatus) => [
      recipient.recipient ? viewLink(recipient.recipient, recipient.recipient) : '—',
      badge(recipient.status),
      longText(recipient.statusMessage),
      time(recipient.attemptedAt),
      recipient.views,
      recipient.clicks,
    ]);
    const links = body.engagement.links;
    view.replaceChildren(
      el(
        'article',
        { class: 'message-view', 'aria-labelledby': 'view-heading' },
        el('h2', { id: 'view-heading', tabindex: '-1' }, 'Message ', badge(body.status)),
        foundBy ? el('p', { class: 'muted' }, `Found by ${foundBy}.`) : null,
        facts([
          ['Message ID', el('code', {}, body.messageId)],
          ['Sender', body.sender ?? '—'],
          ['Message-ID header', internetMessageIds.length ? el('code', {}, internetMessageIds.join(', ')) : '—'],
          ['Opens', String(body.engagement.views)],
          ['Clicks', String(body.engagement.clicks)],
          ['First opened', time(body.engagement.firstViewedAt)],
          ['Last engagement', time(body.engagement.lastEngagedAt)],
        ]),
        section('Recipients', recipientRows.length ? table('Recipients and their status', ['Recipient', 'Status', 'Status message', 'Attempted (UTC)', 'Opens', 'Clicks'], recipientRows, 'recipients') : el('p', { class: 'muted' }, 'No delivery report yet.')),
        section('Timeline', timeline(all.events, all.complete)),
        section('Clicks per link', links.length ? table('Clicks per link, most clicked first', ['Link', 'Clicks'], links.map((link) => [dataLink(link.url), link.clicks]), 'links') : el('p', { class: 'muted' }, 'No clicks recorded.')),
        section(
          'Events',
          pager({
            label: 'events',
            current,
            path: (pageToken) => `messages/${encodeURIComponent(body.messageId)}?limit=${config.eventsPageSize}${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`,
            items: (page: MessageStatusBody) => page.events,
            gone: 'The message is gone.',
            render: eventRows,
            total: all.complete ? all.events.length : undefined,
          }),
        ),
      ),
    );
  }

  async function showMessage(current: Current, messageId: string, foundBy?: string): Promise<Answer<unknown>> {
    const answer = await readMessage(messageId);
    if (answer.ok && current()) renderMessage(current, answer.body.message, answer.body, foundBy);
    return answer;
  }

  // --- the address view ---
  interface Filters {
    status: string;
    since: string;
    until: string;
  }

  function filterForm(address: string, filters: Filters): HTMLElement {
    const status = el('select', { id: 'filter-status', name: 'status' }, el('option', { value: '' }, 'Any status'), ...config.statuses.map((name) => el('option', { value: name }, name)));
    status.value = filters.status;
    // Shown and sent as UTC, as every time on the page is: a link's time with an offset is shown converted,
    // to the second (a datetime-local field holds no more), so the form always shows the filter in force.
    const formValue = (instant: string) => (instant === '' || Number.isNaN(Date.parse(instant)) ? '' : new Date(instant).toISOString().slice(0, 19));
    const instantInput = (id: string, value: string) => el('input', { id, name: id, type: 'datetime-local', step: '1', value: formValue(value) });
    const form = el(
      'form',
      { class: 'filters', 'aria-label': 'Filter the messages' },
      el('div', {}, el('label', { for: 'filter-status' }, 'Status'), status),
      el('div', {}, el('label', { for: 'filter-since' }, 'Since (UTC)'), instantInput('filter-since', filters.since)),
      el('div', {}, el('label', { for: 'filter-until' }, 'Until (UTC)'), instantInput('filter-until', filters.until)),
      el('div', { class: 'filter-actions' }, el('button', { type: 'submit' }, 'Apply'), el('button', { type: 'button', class: 'secondary', id: 'filter-clear' }, 'Clear')),
    );
    const asInstant = (value: string) => (value === '' ? '' : `${value.length === 16 ? `${value}:00` : value}Z`);
    // The page shows times to the second, but they have fractions: an Until means the end of its second,
    // so that a message whose shown time is typed in is in the range. (The field shows seconds; a value
    // without them is at :00, which is how the browser gives a time whose seconds are 00.)
    const asUntil = (value: string) => asInstant(value).replace(/:(\d\d)Z$/, ':$1.9999999Z');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      navigate({ q: address, status: String(data.get('status') ?? ''), since: asInstant(String(data.get('filter-since') ?? '')), until: asUntil(String(data.get('filter-until') ?? '')) });
    });
    form.querySelector('#filter-clear')!.addEventListener('click', () => navigate({ q: address }));
    return form;
  }

  function outcome(label: string, value: RecipientSummary['latestDelivery']): [string, Child] {
    if (value === null) return [label, el('span', { class: 'muted' }, 'None recorded')];
    return [label, el('span', { class: 'outcome' }, badge(value.status), ' ', value.statusMessage ?? '', ' ', el('span', { class: 'muted' }, 'at '), time(value.attemptedAt), ' ', viewLink(value.messageId, 'view message'))];
  }

  function renderAddress(current: Current, address: string, summary: RecipientOverview, filters: Filters): void {
    const filtered = filters.status !== '' || filters.since !== '' || filters.until !== '';
    const query = (pageToken: string | undefined) => {
      const parameters = new URLSearchParams({ limit: String(config.messagesPageSize) });
      if (filters.status) parameters.set('status', filters.status);
      if (filters.since) parameters.set('since', filters.since);
      if (filters.until) parameters.set('until', filters.until);
      if (pageToken) parameters.set('pageToken', pageToken);
      return `recipients/${encodeURIComponent(address)}/messages?${parameters}`;
    };
    const byStatus = Object.entries(summary.messages.byStatus).sort(([a], [b]) => a.localeCompare(b));
    view.replaceChildren(
      el(
        'article',
        { class: 'address-view', 'aria-labelledby': 'view-heading' },
        el('h2', { id: 'view-heading', tabindex: '-1' }, summary.address ?? address),
        facts([
          outcome('Latest status', summary.latestDelivery),
          outcome('Latest bounce or failure', summary.latestFailure),
          ['Messages', String(summary.messages.total)],
          ['Opens', String(summary.engagement.views)],
          ['Clicks', String(summary.engagement.clicks)],
          suppressionFact(summary.suppression),
        ]),
        section('Messages per status', el('ul', { class: 'counts' }, ...byStatus.map(([status, count]) => el('li', {}, badge(status), ' ', el('strong', {}, String(count)))))),
        section(
          'Messages, newest first',
          filterForm(address, filters),
          pager({
            label: filtered ? 'matching messages' : 'messages',
            current,
            path: query,
            items: (page: { messages: RecipientMessage[]; nextPageToken?: string }) => page.messages,
            gone: 'No messages for this address.',
            render: (messages) =>
              table(
                'Messages sent to the address, newest first',
                ['Attempted (UTC)', 'Status', 'Status message', 'Sender', 'Opens', 'Clicks', 'Message'],
                messages.map((message) => [time(message.attemptedAt), badge(message.status), longText(message.statusMessage), message.sender ?? '—', message.views, message.clicks, viewLink(message.messageId, message.messageId)]),
                'messages',
              ),
            total: filtered ? undefined : summary.messages.total,
          }),
        ),
      ),
    );
  }

  async function showAddress(current: Current, address: string, filters: Filters): Promise<Answer<unknown>> {
    const answer = await api<RecipientOverview>(`recipients/${encodeURIComponent(address)}`);
    if (answer.ok && current()) renderAddress(current, address, answer.body, filters);
    return answer;
  }

  async function showInternetMessage(current: Current, id: string): Promise<Answer<unknown>> {
    const answer = await api<InternetMessageLookup>(`internet-messages/${encodeURIComponent(id)}`);
    if (!answer.ok || !current()) return answer;
    const found = answer.body;
    if (found.messages.length === 1) return showMessage(current, found.messages[0]!.messageId, `its Message-ID header ${found.internetMessageId}`);
    view.replaceChildren(
      el(
        'article',
        { 'aria-labelledby': 'view-heading' },
        el('h2', { id: 'view-heading', tabindex: '-1' }, `Messages with the Message-ID header ${found.internetMessageId}`),
        table('Messages', ['Message', 'Sender', 'Status'], found.messages.map((message) => [viewLink(message.messageId, message.messageId), message.sender ?? '—', badge(message.status)])),
      ),
    );
    return answer;
  }


  // --- the overview: deliverability per day (or hour), as charts drawn here and the numbers as a table ---
  interface OverviewState {
    from: string;
    to: string;
    sender: string;
    granularity: string;
  }
  const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

  /** Rates over the buckets as lines (a gap where a rate has nothing to divide), from 0 to 100% or the highest rate. */
  function rateChart(title: string, buckets: StatsBucket[], series: { name: string; tone: string; dashed?: boolean; rate: (bucket: StatsBucket) => number | null }[]): HTMLElement {
    const [width, height, left, right, top, bottom] = [800, 190, 46, 14, 10, 26];
    const x = (i: number) => left + (buckets.length < 2 ? 0.5 : i / (buckets.length - 1)) * (width - left - right);
    // Opens of a day are over that day's deliveries, so a rate may pass 100% (opens of earlier mail).
    const most = Math.max(1, ...series.flatMap((line) => buckets.map((bucket) => line.rate(bucket) ?? 0)));
    const y = (rate: number) => top + (1 - rate / most) * (height - top - bottom);
    const label = (start: string) => (start.length > 10 ? `${start.slice(5, 10)} ${start.slice(11, 16)}` : start.slice(5));
    const id = title.toLowerCase().replace(/\W+/g, '-');
    const picture = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'chart' }, svg('title', { id: `${id}-title` }, title), svg('desc', { id: `${id}-desc` }, `${series.map((line) => line.name).join(', ')}, from ${buckets[0]?.start ?? ''} to ${buckets.at(-1)?.start ?? ''}. The table below has every number.`));
    for (const rate of [0, most / 2, most]) {
      picture.append(svg('line', { x1: left, x2: width - right, y1: y(rate), y2: y(rate), class: 'grid' }), svg('text', { x: left - 6, y: y(rate) + 4, 'text-anchor': 'end', class: 'tick' }, `${Math.round(rate * 100)}%`));
    }
    for (const i of new Set([0, Math.floor((buckets.length - 1) / 2), buckets.length - 1])) {
      if (buckets[i]) picture.append(svg('text', { x: x(i), y: height - 6, 'text-anchor': i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle', class: 'tick' }, label(buckets[i]!.start)));
    }
    for (const line of series) {
      let path = '';
      let pen = 'M';
      buckets.forEach((bucket, i) => {
        const rate = line.rate(bucket);
        if (rate === null) {
          pen = 'M';
          return;
        }
        path += `${pen}${x(i).toFixed(1)} ${y(rate).toFixed(1)}`;
        pen = 'L';
        picture.append(svg('circle', { cx: x(i), cy: y(rate), r: 3, class: `dot tone-${line.tone}` }, svg('title', {}, `${bucket.start}: ${line.name} ${percent(rate)}`)));
      });
      if (path) picture.append(svg('path', { d: path, class: `series tone-${line.tone}${line.dashed ? ' dashed' : ''}` }));
    }
    const key = series.map((line) => el('li', {}, svg('svg', { viewBox: '0 0 20 6', width: 20, height: 6, 'aria-hidden': 'true' }, svg('line', { x1: 0, x2: 20, y1: 3, y2: 3, class: `series tone-${line.tone}${line.dashed ? ' dashed' : ''}` })), ` ${line.name}`));
    return el('figure', { class: 'chart-figure' }, picture, el('ul', { class: 'legend', 'aria-label': 'Key' }, ...key));
  }

  /** A link to a day's messages (with a status, those with a recipient of that status), as the overview counts them. */
  const dayMessagesLink = (day: string, sender: string | null, text: string, status?: string): HTMLElement =>
    el('a', { href: fragment({ view: 'day', day, ...(sender ? { sender } : {}), ...(status ? { status } : {}) }), ...(status ? { 'aria-label': `${status}: ${text} on ${day}` } : {}) }, text);

  function overviewTable(stats: StatisticsBody): HTMLElement {
    const hourly = stats.granularity === 'hour';
    const split = (counts: StatsBucket['opens']) => `${counts.unique} (${counts.human.unique} / ${counts.machine.unique})`;
    // A day links to its messages, and to its hours; a count of a status links to the messages with it.
    const dayCell = (start: string): Child =>
      hourly
        ? start.replace('T', ' ').slice(0, 16)
        : el('span', {}, dayMessagesLink(start, stats.sender, start), ' ', el('a', { href: fragment({ from: start, to: start, granularity: 'hour', ...(stats.sender ? { sender: stats.sender } : {}) }), class: 'muted', 'aria-label': `hours of ${start}` }, 'hours'));
    const statusCell = (bucket: StatsBucket, status: string): Child => {
      const count = bucket.statuses[status] ?? 0;
      return hourly || count === 0 ? count : dayMessagesLink(bucket.start, stats.sender, String(count), status);
    };
    return table(
      `Deliverability per ${stats.granularity} (UTC)`,
      [hourly ? 'Hour (UTC)' : 'Day (UTC)', 'Recipients', 'Delivered', 'Bounced', 'Delivery rate', 'Bounce rate', 'Unique opens (human / machine)', 'Unique clicks (human / machine)', 'Open rate', 'Click rate'],
      stats.buckets.map((bucket) => [dayCell(bucket.start), bucket.recipients, statusCell(bucket, 'Delivered'), statusCell(bucket, 'Bounced'), percent(bucket.deliveryRate), percent(bucket.bounceRate), split(bucket.opens), split(bucket.clicks), percent(bucket.openRate), percent(bucket.clickRate)]),
      'stats',
    );
  }

  // --- a day's messages: each counted as the overview counts it, a page at a time ---
  interface DayFilters {
    day: string;
    sender: string;
    status: string;
  }
  function dayMessageRows(messages: DayMessage[]): Node {
    const statusesOf = (message: DayMessage) => Object.entries(message.statuses).map(([status, count]) => (count > 1 ? `${status} ×${count}` : status)).join(', ') || '—';
    const engaged = (counts: DayMessage['opens']) => (counts.total === 0 ? '—' : `${counts.unique} (${counts.human.unique} / ${counts.machine.unique})`);
    return table(
      "The day's messages",
      ['Message ID', 'Sender', 'Last event (UTC)', 'Recipients', 'Final status', 'Unique opens (human / machine)', 'Unique clicks (human / machine)'],
      messages.map((message) => [viewLink(message.messageId, message.messageId), message.sender ?? '—', time(message.lastEventAt), message.recipients, statusesOf(message), engaged(message.opens), engaged(message.clicks)]),
      'day-messages',
    );
  }

  function showDayMessages(current: Current, filters: DayFilters): void {
    const statusSelect = el('select', { id: 'day-status', name: 'status' }, el('option', { value: '' }, 'Any'), ...[...config.statuses, 'Pending'].map((status) => el('option', { value: status }, status)));
    statusSelect.value = filters.status;
    const form = el(
      'form',
      { class: 'filters', 'aria-label': "Filter the day's messages" },
      el('div', {}, el('label', { for: 'day-status' }, 'With a recipient'), statusSelect),
      el('div', { class: 'filter-actions' }, el('button', { type: 'submit' }, 'Show')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      navigate({ view: 'day', day: filters.day, sender: filters.sender, status: statusSelect.value });
    });
    const parameters = { day: filters.day, ...(filters.sender ? { sender: filters.sender } : {}), ...(filters.status ? { status: filters.status } : {}) };
    view.replaceChildren(
      el(
        'article',
        { class: 'day-view', 'aria-labelledby': 'view-heading' },
        el('p', {}, el('a', { href: fragment(filters.sender ? { sender: filters.sender } : {}) }, 'Back to the overview')),
        el('h2', { id: 'view-heading', tabindex: '-1' }, `Messages of ${filters.day} (UTC)${filters.sender ? ` from ${filters.sender}` : ''}${filters.status ? `, with a recipient ${filters.status}` : ''}`),
        el('p', { class: 'muted' }, "Each message as the overview counts it on this day: its recipients by their latest report, and its opens and clicks of the day. Added up, they give the day's row."),
        form,
        pager({
          label: 'messages',
          current,
          path: (pageToken) => `messages?${new URLSearchParams({ ...parameters, limit: String(config.messagesPageSize), ...(pageToken ? { pageToken } : {}) })}`,
          items: (page: { messages: DayMessage[]; nextPageToken?: string }) => page.messages,
          gone: '',
          render: dayMessageRows,
        }),
      ),
    );
  }

  function overviewForm(state: OverviewState, stats: StatisticsBody): HTMLElement {
    const input = (name: string, label: string, type: string, value: string) => el('div', {}, el('label', { for: `overview-${name}` }, label), el('input', { id: `overview-${name}`, name, type, value }));
    const granularity = el('select', { id: 'overview-granularity', name: 'granularity' }, el('option', { value: 'day' }, 'Days'), el('option', { value: 'hour' }, 'Hours (up to 7 days)'));
    granularity.value = stats.granularity;
    const form = el('form', { class: 'filters', 'aria-label': 'Choose the statistics' }, input('sender', 'Sender', 'email', state.sender), input('from', 'From (UTC)', 'date', stats.from), input('to', 'To (UTC)', 'date', stats.to), el('div', {}, el('label', { for: 'overview-granularity' }, 'Per'), granularity), el('div', { class: 'filter-actions' }, el('button', { type: 'submit' }, 'Show')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      navigate(Object.fromEntries([...new FormData(form)].map(([name, value]) => [name, String(value).trim()])));
    });
    return form;
  }

  async function showOverview(current: Current, state: OverviewState): Promise<void> {
    const parameters = new URLSearchParams(Object.entries(state).filter((entry) => entry[1] !== ''));
    const answer = await api<StatisticsBody>(`stats?${parameters}`);
    if (!current()) return;
    const region = view.querySelector('#overview');
    if (!region) return;
    if (!answer.ok) {
      region.replaceChildren(el('p', { class: 'muted' }, `The statistics could not be read: ${answer.problem?.detail ?? `HTTP ${answer.status}`}`));
      return;
    }
    const stats = answer.body;
    const live = stats.buckets.filter((bucket) => bucket.source === 'live').length;
    const rolled = stats.buckets.map((bucket) => bucket.rolledUpAt ?? '').sort().at(-1);
    region.replaceChildren(
      el('h2', { id: 'overview-heading' }, `Deliverability${stats.sender ? ` of ${stats.sender}` : ''}, ${stats.from} to ${stats.to}`),
      overviewForm(state, stats),
      facts([
        ['Recipients', String(stats.totals.recipients)],
        ['Delivery rate', percent(stats.totals.deliveryRate)],
        ['Bounce rate', percent(stats.totals.bounceRate)],
        ['Open rate (human)', `${percent(stats.totals.openRate)} (${percent(stats.totals.humanOpenRate)})`],
        ['Click rate (human)', `${percent(stats.totals.clickRate)} (${percent(stats.totals.humanClickRate)})`],
      ]),
      el('p', { class: 'muted' }, `${rolled ? `Counted by the roll-up, last at ${rolled.replace('T', ' ').slice(0, 16)} UTC; ` : ''}${live} ${stats.granularity}s counted live as read.`),
      rateChart('Delivery and bounce rates', stats.buckets, [
        { name: 'Delivery rate', tone: 'good', rate: (bucket) => bucket.deliveryRate },
        { name: 'Bounce rate', tone: 'bad', rate: (bucket) => bucket.bounceRate },
      ]),
      rateChart('Open and click rates', stats.buckets, [
        { name: 'Open rate', tone: 'open', dashed: true, rate: (bucket) => bucket.openRate },
        { name: 'Human open rate', tone: 'open', rate: (bucket) => bucket.humanOpenRate },
        { name: 'Click rate', tone: 'click', dashed: true, rate: (bucket) => bucket.clickRate },
        { name: 'Human click rate', tone: 'click', rate: (bucket) => bucket.humanClickRate },
      ]),
      overviewTable(stats),
    );
  }

  // --- the suppression list: an address's entry on its view, and the list with search and reactivate ---
  const SYNC_WORDS: Record<string, string> = { off: 'not synced (no ACS list is set)', pending: 'waiting to reach ACS', synced: 'in ACS', retrying: 'retrying' };
  function syncText(entry: SuppressionEntry): string {
    const word = SYNC_WORDS[entry.sync.state] ?? entry.sync.state;
    return entry.sync.state === 'retrying' ? `${word} (${entry.sync.lastError ?? 'failed'}; next at ${entry.sync.nextAttemptAt ?? 'soon'})` : word;
  }

  /** The address view's line on the suppression list: whether the address is suppressed, why, since when. */
  function suppressionFact(entry: SuppressionEntry | null): [string, Child] {
    const list = el('a', { href: fragment({ view: 'suppressions', find: entry?.address ?? '' }) }, 'see the entry');
    if (entry === null) return ['Suppression', el('span', { class: 'muted' }, 'Not on the suppression list')];
    if (entry.state === 'reactivated') return ['Suppression', el('span', { class: 'suppression' }, badge('Reactivated'), ' at ', time(entry.updatedAt), ' (it was suppressed: ', entry.reason, ') ', list)];
    return ['Suppression', el('span', { class: 'suppression' }, badge('Suppressed'), ' ', entry.reason, ' since ', time(entry.firstSeenAt), `, ${entry.count} time${entry.count === 1 ? '' : 's'}; ${syncText(entry)} `, list)];
  }

  interface SuppressionFilters {
    state: string;
    find: string;
  }

  function suppressionRows(entries: SuppressionEntry[], reactivateForm: HTMLFormElement): Node {
    return table(
      'Suppressed addresses, newest change first',
      ['Address', 'State', 'Reason', 'Since (UTC)', 'Last seen (UTC)', 'Times', 'ACS', ''],
      entries.map((entry) => {
        const action = el('button', { type: 'button', class: 'secondary reactivate' }, 'Reactivate');
        action.setAttribute('aria-label', `Reactivate ${entry.address}`);
        action.addEventListener('click', () => openReactivation(reactivateForm, entry.address));
        return [
          viewLink(entry.address, entry.address),
          badge(entry.state === 'suppressed' ? 'Suppressed' : 'Reactivated'),
          entry.reason,
          time(entry.firstSeenAt),
          time(entry.lastSeenAt),
          entry.count,
          syncText(entry),
          entry.state === 'suppressed' ? action : null,
        ];
      }),
      'suppressions',
    );
  }

  function openReactivation(form: HTMLFormElement, address: string): void {
    form.hidden = false;
    (form.querySelector('#reactivate-address') as HTMLInputElement).value = address;
    (form.querySelector('#reactivate-address-shown') as HTMLElement).textContent = shown(address);
    const reason = form.querySelector('#reactivate-reason') as HTMLInputElement;
    reason.value = '';
    reason.focus();
  }

  /** The form that reactivates an address: it says which, asks why, and sends the change with the admin key. */
  function reactivationForm(current: Current): HTMLFormElement {
    const form = el(
      'form',
      { class: 'reactivate-form', id: 'reactivate-form', 'aria-label': 'Reactivate an address' },
      el('p', {}, 'Reactivate ', el('strong', { id: 'reactivate-address-shown' }), ': it may be mailed again, and the sync takes it off the ACS list. A later bounce suppresses it again.'),
      el('input', { type: 'hidden', id: 'reactivate-address', name: 'address' }),
      el('label', { for: 'reactivate-reason' }, 'Why (kept with the change)'),
      el('input', { id: 'reactivate-reason', name: 'reason', type: 'text', required: 'required', maxlength: '1000', autocomplete: 'off' }),
      el('div', { class: 'filter-actions' }, el('button', { type: 'submit' }, 'Reactivate'), el('button', { type: 'button', class: 'secondary', id: 'reactivate-cancel' }, 'Cancel')),
    );
    form.hidden = true;
    form.querySelector('#reactivate-cancel')!.addEventListener('click', () => (form.hidden = true));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const address = (form.querySelector('#reactivate-address') as HTMLInputElement).value;
      const reason = (form.querySelector('#reactivate-reason') as HTMLInputElement).value.trim();
      if (reason === '') return;
      void (async () => {
        try {
          const answer = await api<EntryBody>(`suppressions/${encodeURIComponent(address)}?reason=${encodeURIComponent(reason)}`, { method: 'DELETE', admin: true });
          if (!current()) return;
          if (!answer.ok) return showFailure(answer, 'The address is not on the list.', () => void route());
          await route();
          setStatus(`Reactivated ${shown(address)}.`);
        } catch {
          if (current()) showUnreachable();
        }
      })();
    });
    return form;
  }

  async function showSuppressions(current: Current, filters: SuppressionFilters): Promise<void> {
    const stateSelect = el('select', { id: 'suppression-state', name: 'state' }, el('option', { value: 'suppressed' }, 'Suppressed'), el('option', { value: 'reactivated' }, 'Reactivated'), el('option', { value: 'all' }, 'All'));
    stateSelect.value = filters.state;
    const find = el('input', { id: 'suppression-find', name: 'find', type: 'search', autocomplete: 'off', spellcheck: 'false', value: filters.find });
    const search = el(
      'form',
      { class: 'filters', role: 'search', 'aria-label': 'Search the suppression list' },
      el('div', {}, el('label', { for: 'suppression-find' }, 'Address'), find),
      el('div', {}, el('label', { for: 'suppression-state' }, 'State'), stateSelect),
      el('div', { class: 'filter-actions' }, el('button', { type: 'submit' }, 'Show'), el('button', { type: 'button', class: 'secondary', id: 'suppression-clear' }, 'Clear')),
    );
    search.addEventListener('submit', (event) => {
      event.preventDefault();
      navigate({ q: '', view: 'suppressions', state: stateSelect.value, find: find.value.trim() });
    });
    search.querySelector('#suppression-clear')!.addEventListener('click', () => navigate({ q: '', view: 'suppressions' }));
    const reactivate = reactivationForm(current);
    let results: Node;
    if (filters.find !== '') {
      const answer = await api<EntryBody>(`suppressions/${encodeURIComponent(filters.find)}`);
      if (!current()) return;
      if (answer.ok) results = suppressionRows([answer.body], reactivate);
      else if (answer.status === 404) results = el('p', { class: 'muted' }, `${shown(filters.find)} is not on the suppression list, and never was.`);
      else return showFailure(answer, '', () => void route());
    } else {
      results = pager({
        label: 'entries',
        current,
        path: (pageToken) => `suppressions?${new URLSearchParams({ limit: String(config.suppressionsPageSize), state: filters.state, ...(pageToken ? { pageToken } : {}) })}`,
        items: (page: SuppressionListBody) => page.entries,
        gone: '',
        render: (entries) => suppressionRows(entries, reactivate),
      });
    }
    view.replaceChildren(
      el(
        'article',
        { class: 'suppression-view', 'aria-labelledby': 'view-heading' },
        el('h2', { id: 'view-heading', tabindex: '-1' }, 'Suppression list'),
        el('p', { class: 'muted' }, 'Addresses not to mail: each one that bounced, or was added by hand, until someone reactivates it.'),
        search,
        reactivate,
        results,
      ),
    );
  }

  // --- navigation: the query lives in the URL's fragment, so a view is a link, and never reaches a server log ---
  function readLocation(): { q: string; view: string; state: string; find: string; day: string; sender: string } & Filters {
    const parameters = new URLSearchParams(location.hash.slice(1).replace(/\+/g, '%2B'));
    // The status in the documented case, so that the form's select shows the filter in force.
    const status = parameters.get('status') ?? '';
    const documented = config.statuses.find((name) => name.toLowerCase() === status.toLowerCase()) ?? status;
    return {
      q: parameters.get('q') ?? '',
      status: documented,
      since: parameters.get('since') ?? '',
      until: parameters.get('until') ?? '',
      view: parameters.get('view') ?? '',
      state: parameters.get('state') ?? '',
      find: parameters.get('find') ?? '',
      day: parameters.get('day') ?? '',
      sender: parameters.get('sender') ?? '',
    };
  }
  function navigate(state: Record<string, string>): void {
    const hash = fragment(Object.fromEntries(Object.entries(state).filter((entry): entry is [string, string] => Boolean(entry[1]))));
    if (location.hash === hash) void route();
    else location.hash = hash;
  }

  const WHAT: Record<LookupKind, string> = { message: 'message ID', address: 'address', internetMessage: 'Message-ID header' };
  let generation = 0;

  async function route(): Promise<void> {
    const mine = ++generation;
    const current = () => mine === generation;
    const state = readLocation();
    searchBox.value = state.q;
    if (state.view === 'suppressions') {
      setStatus('Loading the suppression list…', true);
      try {
        await showSuppressions(current, { state: state.state || 'suppressed', find: state.find });
        if (current()) setStatus('');
      } catch {
        if (current()) showUnreachable();
      }
      return;
    }
    if (state.view === 'day') {
      setStatus('');
      showDayMessages(current, { day: state.day, sender: state.sender, status: state.status });
      return;
    }
    const query = classifyQuery(state.q);
    if (query === undefined) {
      setStatus('');
      view.replaceChildren(el('p', { class: 'intro' }, 'Search for a message ID, an email address or a Message-ID header (with or without its <>) to see what happened to the email.'), el('section', { id: 'overview', 'aria-labelledby': 'overview-heading' }, el('p', { class: 'loading' }, 'Loading the statistics…')));
      const parameters = new URLSearchParams(location.hash.slice(1).replace(/\+/g, '%2B'));
      await showOverview(current, { from: parameters.get('from') ?? '', to: parameters.get('to') ?? '', sender: parameters.get('sender') ?? '', granularity: parameters.get('granularity') ?? '' }).catch(() => undefined);
      return;
    }
    setStatus(`Looking up ${query.value}…`, true);
    view.replaceChildren(el('p', { class: 'loading' }, 'Loading…'));
    try {
      let last: Answer<unknown> | undefined;
      for (const kind of query.kinds) {
        last = kind === 'message' ? await showMessage(current, query.value) : kind === 'address' ? await showAddress(current, query.value, state) : await showInternetMessage(current, query.value);
        if (!current()) return;
        // Only "not found" moves on to the next reading of the query; anything else is the answer.
        if (last.ok || last.status !== 404) break;
      }
      setStatus('');
      if (last && !last.ok) {
        if (last.status === 404) {
          showState('not-found', 'Nothing found', `No ${query.kinds.map((kind) => WHAT[kind]).join(', or ')} matches “${query.value}”. Check it, or try another.`);
        } else showFailure(last, '', () => void route());
        return;
      }
      (view.querySelector('h2') as HTMLElement | null)?.focus();
    } catch {
      if (current()) showUnreachable();
    }
  }

  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate({ q: searchBox.value.trim() });
  });
  // The skip link moves focus only: followed as a link it would set the fragment to #main, which reads as an empty search.
  document.querySelector('a.skip')?.addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main')?.focus();
  });
  window.addEventListener('hashchange', () => void route());
  showForgetKey();
  void route();
}
