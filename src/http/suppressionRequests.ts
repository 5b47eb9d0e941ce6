/**
 * Pure parsing of the suppression list's requests into queries or 400 problems naming the parameter at
 * fault: the list (filters, paging, JSON or CSV), an address, a change by hand with its note or reason.
 */
import type { HttpRequest } from '@azure/functions';
import { callerOf, type Caller } from '../auth/caller.js';
import { KNOWN_DELIVERY_STATUSES, knownDeliveryStatus } from '../events/emailEvent.js';
import { instantSortKey } from '../events/timestamps.js';
import { isListRowKey } from '../suppression/keys.js';
import { MANUAL_REASON } from '../suppression/state.js';
import type { SuppressionListQuery } from '../suppression/store.js';
import { parseAddress, parseTimeWindow } from './lookupRequests.js';
import { openToken, sealToken } from './pageToken.js';
import { badRequest, type Parsed } from './problem.js';
import { parseLimit } from './statusRequest.js';

export const DEFAULT_SUPPRESSION_PAGE_SIZE = 50;
export const SUPPRESSION_STATES = ['suppressed', 'reactivated', 'all'] as const;
export const SUPPRESSION_REASONS: readonly string[] = [MANUAL_REASON, ...KNOWN_DELIVERY_STATUSES];
/** A note or a reason: a sentence, not a document. */
export const MAX_NOTE_LENGTH = 1000;
export const CSV_TYPE = 'text/csv';

export interface SuppressionListRequest extends SuppressionListQuery {
  format: 'json' | 'csv';
}

const VERSION = 1;
const tokenScope = (query: Omit<SuppressionListQuery, 'limit' | 'after'>) =>
  ['suppressions', query.state ?? 'all', query.reason ?? '', query.since ? instantSortKey(query.since) : '', query.until ? instantSortKey(query.until) : ''].join('\u0000');

export const encodeSuppressionPageToken = (query: Omit<SuppressionListQuery, 'limit' | 'after'>, position: string) => sealToken(tokenScope(query), [VERSION, position]);

/** CSV when `format=csv`, or when the Accept header asks for text/csv before JSON. */
function format(query: URLSearchParams, accept: string | null): Parsed<'json' | 'csv'> {
  const asked = query.get('format');
  if (asked !== null) {
    const wanted = asked.trim().toLowerCase();
    if (wanted !== 'json' && wanted !== 'csv') return badRequest('format', 'format must be json or csv.');
    return { ok: true, query: wanted };
  }
  const types = (accept ?? '').toLowerCase().split(',').map((type) => type.split(';')[0]!.trim());
  const csv = types.indexOf(CSV_TYPE);
  const json = types.findIndex((type) => type === 'application/json' || type === '*/*');
  return { ok: true, query: csv >= 0 && (json < 0 || csv < json) ? 'csv' : 'json' };
}

export function parseSuppressionListRequest(query: URLSearchParams, accept: string | null): Parsed<SuppressionListRequest> {
  const limit = parseLimit(query, DEFAULT_SUPPRESSION_PAGE_SIZE);
  if (!limit.ok) return limit;
  const stateText = query.get('state')?.trim().toLowerCase() ?? 'suppressed';
  if (!(SUPPRESSION_STATES as readonly string[]).includes(stateText)) return badRequest('state', `state must be one of ${SUPPRESSION_STATES.join(', ')}.`);
  const state = stateText === 'all' ? undefined : (stateText as 'suppressed' | 'reactivated');
  const reasonText = query.get('reason');
  const reason = reasonText === null ? undefined : reasonText.trim().toLowerCase() === MANUAL_REASON.toLowerCase() ? MANUAL_REASON : knownDeliveryStatus(reasonText.trim());
  if (reasonText !== null && reason === undefined) return badRequest('reason', `reason must be one of ${SUPPRESSION_REASONS.join(', ')}.`);
  const window = parseTimeWindow(query);
  if (!window.ok) return window;
  const as = format(query, accept);
  if (!as.ok) return as;
  const filters = { state, reason, ...window.query };
  const token = query.get('pageToken');
  let after: string | undefined;
  if (token !== null) {
    const [version, position, ...rest] = openToken(tokenScope(filters), token) ?? [];
    if (version !== VERSION || typeof position !== 'string' || !isListRowKey(position) || rest.length > 0) {
      return badRequest('pageToken', 'pageToken is not a token this API issued for these filters; use nextPageToken from the previous page.');
    }
    after = position;
  }
  return { ok: true, query: { ...filters, limit: limit.query, after, format: as.query } };
}

export interface ManualChangeRequest {
  /** Normalized. */
  address: string;
  /** As typed, trimmed: what the ACS list gets. */
  typed: string;
  note: string;
}

/** A note or reason: required, one line or a few, without control characters but line breaks and tabs. */
function noteText(parameter: string, raw: unknown): Parsed<string> {
  if (typeof raw !== 'string' || raw.trim() === '') return badRequest(parameter, `${parameter} is required: say why.`);
  if (raw.length > MAX_NOTE_LENGTH) return badRequest(parameter, `${parameter} is longer than ${MAX_NOTE_LENGTH} characters.`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(raw)) return badRequest(parameter, `${parameter} contains a control character.`);
  return { ok: true, query: raw.trim() };
}

/** An address as a person types it into the list: the lookups' rules, plus an @ with something either side. */
function listAddress(rawAddress: string): Parsed<{ address: string; typed: string }> {
  const address = parseAddress(rawAddress);
  if (!address.ok) return address;
  if (!/^[^@\s]+@[^@\s]+$/.test(address.query)) return badRequest('address', 'The address must be an email address: local-part@domain, without spaces.');
  return { ok: true, query: { address: address.query, typed: rawAddress.trim() } };
}

/** PUT /api/suppressions/{address} with a JSON body `{"note": "…"}`. */
export function parseAddRequest(rawAddress: string, body: string): Parsed<ManualChangeRequest> {
  const address = listAddress(rawAddress);
  if (!address.ok) return address;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return badRequest('body', 'The body must be JSON: {"note": "why the address is added"}.');
  }
  const note = noteText('note', typeof parsed === 'object' && parsed !== null ? (parsed as { note?: unknown }).note : undefined);
  if (!note.ok) return note;
  return { ok: true, query: { ...address.query, note: note.query } };
}

/** DELETE /api/suppressions/{address}?reason=…: a reactivation says why. */
export function parseReactivateRequest(rawAddress: string, query: URLSearchParams): Parsed<ManualChangeRequest> {
  const address = listAddress(rawAddress);
  if (!address.ok) return address;
  const reason = noteText('reason', query.get('reason') ?? undefined);
  if (!reason.ok) return reason;
  return { ok: true, query: { ...address.query, note: reason.query } };
}

/** A change's request, parsed, with who sends it: read once, here at the edge, and passed on as data. */
export function changeRequest(request: HttpRequest, parsed: Parsed<ManualChangeRequest>): Parsed<ManualChangeRequest & { caller: Caller }> {
  return parsed.ok ? { ok: true, query: { ...parsed.query, caller: callerOf(request) } } : parsed;
}
