/**
 * Pure parsing of the lookup requests (by address, by Internet Message-ID) into queries or 400
 * problems naming the parameter at fault.
 */
import { KNOWN_DELIVERY_STATUSES, knownDeliveryStatus } from '../events/emailEvent.js';
import { compareTimestamps, instantSortKey, toUtcTimestamp } from '../events/timestamps.js';
import { normalizeAddress, normalizeInternetMessageId } from '../events/addresses.js';
import { isTailRowKey } from '../storage/tailKeys.js';
import type { RecipientMessagesQuery } from '../storage/lookups.js';
import { openToken, sealToken } from './pageToken.js';
import { badRequest, type Parsed } from './problem.js';
import { parseLimit } from './statusRequest.js';

export const DEFAULT_RECIPIENT_PAGE_SIZE = 50;
/** Longer than any address or Message-ID header a mail system accepts (RFC 5321 and 5322). */
export const MAX_LOOKUP_VALUE_LENGTH = 998;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

function lookupValue(parameter: string, what: string, raw: string, normalize: (value: string) => string | undefined): Parsed<string> {
  if (raw.length > MAX_LOOKUP_VALUE_LENGTH) return badRequest(parameter, `The ${what} is longer than ${MAX_LOOKUP_VALUE_LENGTH} characters.`);
  if (CONTROL_CHARACTERS.test(raw)) return badRequest(parameter, `The ${what} contains a control character.`);
  const normalized = normalize(raw);
  if (normalized === undefined) return badRequest(parameter, `The ${what} is empty.`);
  return { ok: true, query: normalized };
}

export const parseAddress = (raw: string) => lookupValue('address', 'address', raw, normalizeAddress);
export const parseInternetMessageId = (raw: string) => lookupValue('internetMessageId', 'Internet Message-ID', raw, normalizeInternetMessageId);


/** Z or ±hh[:mm] at the end: a time without one is a wall-clock time, not an instant. */
const HAS_OFFSET = /(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

function instant(query: URLSearchParams, parameter: 'since' | 'until'): Parsed<string | undefined> {
  const text = query.get(parameter);
  if (text === null) return { ok: true, query: undefined };
  const utc = HAS_OFFSET.test(text.trim()) ? toUtcTimestamp(text) : undefined;
  if (utc === undefined) {
    return badRequest(parameter, `${parameter} must be an ISO 8601 instant with its offset, such as 2026-11-27T09:15:00Z or 2026-11-27T10:15:00%2B01:00 (a + is %2B in a URL).`);
  }
  return { ok: true, query: utc };
}

/** `since` and `until`, each an instant with its offset, since not later than until. */
export function parseTimeWindow(query: URLSearchParams): Parsed<{ since: string | undefined; until: string | undefined }> {
  const since = instant(query, 'since');
  if (!since.ok) return since;
  const until = instant(query, 'until');
  if (!until.ok) return until;
  if (since.query !== undefined && until.query !== undefined && compareTimestamps(since.query, until.query) > 0) {
    return badRequest('since', 'since must not be later than until.');
  }
  return { ok: true, query: { since: since.query, until: until.query } };
}

/** The page token of an address's message list, bound to the address and the filters. */
const VERSION = 1;
// The instants by their sort key, so that `…T00:00:00Z` and `…T00:00:00.000Z` are the same filter.
const tokenScope = (query: Omit<RecipientMessagesQuery, 'limit' | 'after'>) =>
  ['recipient-messages', query.address, query.status ?? '', query.since ? instantSortKey(query.since) : '', query.until ? instantSortKey(query.until) : ''].join('\u0000');

export function encodeRecipientPageToken(query: Omit<RecipientMessagesQuery, 'limit' | 'after'>, position: string): string {
  return sealToken(tokenScope(query), [VERSION, position]);
}

export function parseRecipientMessagesRequest(rawAddress: string, query: URLSearchParams): Parsed<RecipientMessagesQuery> {
  const address = parseAddress(rawAddress);
  if (!address.ok) return address;
  const limit = parseLimit(query, DEFAULT_RECIPIENT_PAGE_SIZE);
  if (!limit.ok) return limit;
  const statusText = query.get('status');
  const status = statusText === null ? undefined : knownDeliveryStatus(statusText.trim());
  if (statusText !== null && status === undefined) return badRequest('status', `status must be one of ${KNOWN_DELIVERY_STATUSES.join(', ')}.`);
  const window = parseTimeWindow(query);
  if (!window.ok) return window;
  const filters = { address: address.query, status, ...window.query };
  const token = query.get('pageToken');
  let after: string | undefined;
  if (token !== null) {
    const fields = openToken(tokenScope(filters), token);
    const [version, position] = fields ?? [];
    if (fields?.length !== 2 || version !== VERSION || typeof position !== 'string' || !isTailRowKey(position)) {
      return badRequest('pageToken', 'pageToken is not a token this API issued for this address and these filters; use nextPageToken from the previous page.');
    }
    after = position;
  }
  return { ok: true, query: { ...filters, limit: limit.query, after } };
}
