/**
 * The activity page: its HTML, script, stylesheet and icon, built here as strings so that the deployment
 * (dist/ + package.json) carries them without a copy step. The script is the source text of
 * `activityApp` (client.ts) and `classifyQuery` (query.ts) as tsc compiled them, called with the
 * server's constants. Imported only by the page's functions, on their first request, so that the
 * other functions' cold start pays nothing for it.
 */
import type { HttpResponseInit } from '@azure/functions';
import { KNOWN_DELIVERY_STATUSES } from '../events/emailEvent.js';
import { problemResponse } from '../http/problem.js';
import { MAX_PAGE_SIZE } from '../http/statusRequest.js';
import { ACTIVITY_ASSET_TYPES, ACTIVITY_PAGE_TYPE, type ActivityAssetName } from './assets.js';
import { activityApp, type ClientConfig } from './client.js';
import { classifyQuery } from './query.js';
import { ACTIVITY_CSS } from './styles.js';

/** What the browser may download for the page (HTML, script and stylesheet together, uncompressed); a test holds it. */
export const PAGE_SIZE_BUDGET_BYTES = 60 * 1024;

const CLIENT_CONFIG: ClientConfig = {
  statuses: KNOWN_DELIVERY_STATUSES,
  eventsPageSize: 50,
  messagesPageSize: 20,
  maxPageSize: MAX_PAGE_SIZE,
  timelineMaxEvents: 10 * MAX_PAGE_SIZE,
  keyStorageName: 'acs-email-status.function-key',
  adminKeyStorageName: 'acs-email-status.admin-key',
  suppressionsPageSize: 20,
};

/**
 * Everything the page loads comes from the app: no inline script or style, no other origin. A
 * response that slipped markup into the page could run nothing. No referrer either, so a clicked
 * link never learns the page's URL (whose fragment may hold an address, but browsers never send
 * fragments; the policy also covers the path).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  // Small and cheap to build: always revalidated, so a deployment shows at once.
  'cache-control': 'no-cache',
};

let script: string | undefined;
const builtScript = () => (script ??= `'use strict';\n(${activityApp.toString()})(${JSON.stringify(CLIENT_CONFIG)}, ${classifyQuery.toString()});\n`);

/** An envelope with a tick, in the page's accent blue. */
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="7" width="28" height="19" rx="3" fill="#0969da"/><path d="M3 9l13 9 13-9" fill="none" stroke="#fff" stroke-width="2"/></svg>';

const ASSET_BODIES: Record<ActivityAssetName, () => string> = { 'app.js': builtScript, 'app.css': () => ACTIVITY_CSS, 'icon.svg': () => ICON_SVG };

/** `base`: the page's own path, as the host served it, so that the assets resolve under any route prefix. */
function html(base: string): string {
  const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Email activity · ACS Email Status</title>
<link rel="icon" href="${attribute(`${base}/icon.svg`)}">
<link rel="stylesheet" href="${attribute(`${base}/app.css`)}">
<script defer src="${attribute(`${base}/app.js`)}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to results</a>
<header class="top">
<h1>Email activity</h1>
<p id="sign-in" class="hint" hidden></p>
<form id="search" class="search" role="search">
<label for="q">Message ID, email address or Message-ID header</label>
<input id="q" name="q" type="search" autocomplete="off" spellcheck="false" aria-describedby="q-hint" placeholder="e.g. 3c2e8f4a-5b6d-4e7f-9a0b-1c2d3e4f5a6b, sam@contoso.com or &lt;id@contoso.com&gt;">
<button type="submit">Search</button>
</form>
<p id="q-hint" class="hint">An address has an @; a Message-ID header has &lt;&gt; (without them it is tried after the address); anything else is a message ID.</p>
<nav class="views" aria-label="Lists"><a href="#view=suppressions">Suppression list</a></nav>
</header>
<main id="main" tabindex="-1">
<form id="key-form" hidden aria-labelledby="key-note">
<p id="key-note"></p>
<label for="key">Function key</label>
<input id="key" name="key" type="password" autocomplete="off">
<button type="submit">Use this key</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
<div id="view"></div>
<p><button id="forget-key" type="button" class="secondary" hidden>Forget the function key</button></p>
<noscript>This page needs JavaScript.</noscript>
</main>
</body>
</html>
`;
}

const ok = (contentType: string, body: string): HttpResponseInit => ({ status: 200, headers: { 'content-type': contentType, ...SECURITY_HEADERS }, body });

/**
 * GET /api/activity: the page, with its assets addressed under its own path. The hosts route
 * /api/activity/ here too, which is the asset route's path with no name: that redirects to the page,
 * so that one URL serves it and the asset route's answers are all files or problems.
 */
export function activityPageResponse(pagePath: string): HttpResponseInit {
  const page = pagePath.replace(/\/+$/, '');
  if (page !== pagePath && page !== '') return { status: 308, headers: { location: page, 'cache-control': SECURITY_HEADERS['cache-control'] } };
  return ok(ACTIVITY_PAGE_TYPE, html(page));
}

/** GET /api/activity/{asset}: the script or the stylesheet; a 404 problem for any other name. */
export function activityAssetResponse(name: string, instance: string): HttpResponseInit {
  if (!Object.hasOwn(ACTIVITY_ASSET_TYPES, name)) {
    return problemResponse({ status: 404, title: 'Not Found', detail: `The activity page has no file named "${name}".` }, instance);
  }
  const asset = name as ActivityAssetName;
  return ok(ACTIVITY_ASSET_TYPES[asset], ASSET_BODIES[asset]());
}
