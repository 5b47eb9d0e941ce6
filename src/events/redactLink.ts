/**
 * Pure redaction of clicked links. Links in email often carry secrets in the query string
 * (password-reset and magic sign-in tokens), and anyone with a function key can read stored links back,
 * so a link is stored with what identifies the page (scheme, host, path, parameter names) and without
 * the values that may open it.
 *
 * The rules work on the text, so that a link is stored as it was clicked apart from its secrets (a
 * parser would re-encode and normalize every link, and grouping clicks per link would depend on its
 * version). The WHATWG URL parser, which browsers and the activity page use, is the judge of the
 * result: where it still reads credentials (`https:\\user:pw@host`, `https:user:pw@host`, a leading
 * space or tab), the link is stored as that parser writes it, with the credentials taken out.
 */

import { decodePercentEscapes, hasPercentEscape } from './percentEscapes.js';

/** What stands in for every value taken out. */
export const REDACTED = 'REDACTED';

/**
 * Campaign parameters, in any case: their values name the campaign, not the person, and are what
 * analytics groups by. Only these names: a made-up `utm_token` is as secret as any other parameter.
 */
const CAMPAIGN_PARAMETER = /^utm_(?:source|medium|campaign|term|content|id|source_platform|creative_format|marketing_tactic)$/i;

/** What a campaign value may not hold once its percent-escapes are decoded: it would carry a nested query (`x?token=…`). */
const NESTED_QUERY = /[?=&#;]/;

/** A campaign value without a nested query, however deep its escapes go (one still escaped after every decoding is not plain). */
function isPlainCampaignValue(value: string): boolean {
  const decoded = decodePercentEscapes(value);
  return !NESTED_QUERY.test(decoded) && !hasPercentEscape(decoded);
}

/** Between query items; captured, so that each separator is kept as sent. */
const QUERY_SEPARATOR = /([&;])/;

/**
 * `scheme://` (or a scheme-relative `//`) and the authority after it, up to the path, query or
 * fragment; after the spaces and control characters that a URL parser skips at the start.
 */
const AUTHORITY = /^([\u0000-\u0020]*(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/)([^/?#]*)/;

/** `;name=value` path parameters (`;jsessionid=…`), which servers read as session identifiers. */
const PATH_PARAMETER = /;([^;=/]*)=([^;/]+)/g;

/** `user:password@host` → `REDACTED@host`: credentials in a link are secrets however they are spelled. */
function redactUserInfo(beforeQuery: string): string {
  const match = AUTHORITY.exec(beforeQuery);
  if (!match) return beforeQuery;
  const [whole, prefix, authority] = match as unknown as [string, string, string];
  const at = authority.lastIndexOf('@');
  if (at < 0) return beforeQuery;
  return `${prefix}${REDACTED}${authority.slice(at)}${beforeQuery.slice(whole.length)}`;
}

/** The path (after the authority) with every `;name=value` parameter's value replaced. */
function redactPathParameters(beforeQuery: string): string {
  const authority = AUTHORITY.exec(beforeQuery)?.[0].length ?? 0;
  const path = beforeQuery.slice(authority).replace(PATH_PARAMETER, (_, name: string) => `;${name}=${REDACTED}`);
  return `${beforeQuery.slice(0, authority)}${path}`;
}

/**
 * `name=value` keeps the name and replaces a non-empty value, unless it is a campaign parameter's value
 * that holds no nested query. An item without `=` is taken for a value (`?<token>` links exist), so it
 * is replaced whole.
 */
function redactQueryItem(item: string): string {
  if (item === '') return item;
  const equals = item.indexOf('=');
  if (equals < 0) return REDACTED;
  const name = item.slice(0, equals);
  const value = item.slice(equals + 1);
  if (value === '' || (CAMPAIGN_PARAMETER.test(name) && isPlainCampaignValue(value))) return item;
  return `${name}=${REDACTED}`;
}

/** The text rules: query values, path parameters, a fragment and a `user:password@`. */
function redactText(link: string): string {
  const hash = link.indexOf('#');
  const beforeHash = hash < 0 ? link : link.slice(0, hash);
  const fragment = hash < 0 ? '' : hash === link.length - 1 ? '#' : `#${REDACTED}`;
  const question = beforeHash.indexOf('?');
  const beforeQuery = question < 0 ? beforeHash : beforeHash.slice(0, question);
  // Split at `;` too: some servers take it for `&`, and a value after it must not ride on a kept one.
  const items = question < 0 ? [] : beforeHash.slice(question + 1).split(QUERY_SEPARATOR);
  const query = question < 0 ? '' : `?${items.map((item, i) => (i % 2 === 1 ? item : redactQueryItem(item))).join('')}`;
  return `${redactPathParameters(redactUserInfo(beforeQuery))}${query}${fragment}`;
}

/** The link as the WHATWG URL parser reads it, when it reads credentials other than the marker. */
function parsedWithCredentials(link: string): URL | undefined {
  if (!URL.canParse(link)) return undefined;
  const url = new URL(link);
  return url.password !== '' || (url.username !== '' && url.username !== REDACTED) ? url : undefined;
}

/**
 * The link without its secrets: the query's values (except campaign ones), `;name=value` path
 * parameters' values and a `user:password@` become `REDACTED`, and so does a fragment, which
 * single-page apps use for tokens (`#access_token=…`). Scheme, host, port, path and parameter names
 * stay as sent, unless a URL parser would still read credentials in the result: then the link is
 * written as the parser reads it. Any string is taken, URL or not. Idempotent: a redacted link is its
 * own redaction.
 */
export function redactLink(link: string): string {
  const redacted = redactText(link);
  const parsed = parsedWithCredentials(redacted);
  if (parsed === undefined) return redacted;
  parsed.username = REDACTED;
  parsed.password = '';
  return redactText(parsed.href);
}
