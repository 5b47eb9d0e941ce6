/**
 * Pure redaction of clicked links. Links in email often carry secrets in the query string
 * (password-reset and magic sign-in tokens), and anyone with a function key can read stored links back,
 * so a link is stored with what identifies the page (scheme, host, path, parameter names) and without
 * the values that may open it.
 *
 * Works on the text, not through `new URL()`: a parser would re-encode and normalize the link (and
 * throw on what is not a URL), so the stored link would differ from the clicked one in more than its
 * secrets, and grouping clicks per link would depend on the parser's version.
 */

/** What stands in for every value taken out. */
export const REDACTED = 'REDACTED';

/** Campaign parameters: their values name the campaign, not the person, and are what analytics groups by. */
const KEPT_PARAMETER = /^utm_/i;

/** Between query items; captured, so that each separator is kept as sent. */
const QUERY_SEPARATOR = /([&;])/;

/** `scheme://` (or a scheme-relative `//`) and the authority after it, up to the path, query or fragment. */
const AUTHORITY = /^((?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/)([^/?#]*)/;

/** `user:password@host` → `REDACTED@host`: credentials in a link are secrets however they are spelled. */
function redactUserInfo(beforeQuery: string): string {
  const match = AUTHORITY.exec(beforeQuery);
  if (!match) return beforeQuery;
  const [whole, prefix, authority] = match as unknown as [string, string, string];
  const at = authority.lastIndexOf('@');
  if (at < 0) return beforeQuery;
  return `${prefix}${REDACTED}${authority.slice(at)}${beforeQuery.slice(whole.length)}`;
}

/**
 * `name=value` keeps the name and replaces a non-empty value, unless the name is a `utm_` one. An item
 * without `=` is taken for a value (`?<token>` links exist), so it is replaced whole.
 */
function redactQueryItem(item: string): string {
  if (item === '') return item;
  const equals = item.indexOf('=');
  if (equals < 0) return REDACTED;
  const name = item.slice(0, equals);
  const value = item.slice(equals + 1);
  if (value === '' || KEPT_PARAMETER.test(name)) return item;
  return `${name}=${REDACTED}`;
}

/**
 * The link without its secrets: the query's values (except `utm_*`) and a `user:password@` become
 * `REDACTED`, and so does a fragment, which single-page apps use for tokens (`#access_token=…`).
 * Scheme, host, port, path and parameter names stay as sent. Any string is taken, URL or not, and the
 * same rules apply to whatever follows its first `?` or `#`. Idempotent: a redacted link is its own
 * redaction.
 */
export function redactLink(link: string): string {
  const hash = link.indexOf('#');
  const beforeHash = hash < 0 ? link : link.slice(0, hash);
  const fragment = hash < 0 ? '' : hash === link.length - 1 ? '#' : `#${REDACTED}`;
  const question = beforeHash.indexOf('?');
  const beforeQuery = question < 0 ? beforeHash : beforeHash.slice(0, question);
  // Split at `;` too: some servers take it for `&`, and a value after it must not ride on a kept one.
  const items = question < 0 ? [] : beforeHash.slice(question + 1).split(QUERY_SEPARATOR);
  const query = question < 0 ? '' : `?${items.map((item, i) => (i % 2 === 1 ? item : redactQueryItem(item))).join('')}`;
  return `${redactUserInfo(beforeQuery)}${query}${fragment}`;
}
