/** Pure parsing of GET /api/messages/{messageId}?limit=&pageToken= into a query or a 400 problem. */
import { keyProblem } from '../storage/tableLimits.js';
import { decodePageToken, type PagePosition } from './pageToken.js';
import { badRequest, type Parsed } from './problem.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface StatusQuery {
  messageId: string;
  limit: number;
  after: PagePosition | undefined;
}

/** `limit`, a whole number from 1 to MAX_PAGE_SIZE, or the default when absent. */
export function parseLimit(query: URLSearchParams, fallback: number): Parsed<number> {
  const text = query.get('limit');
  if (text === null) return { ok: true, query: fallback };
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) return badRequest('limit', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  return { ok: true, query: limit };
}

export function parseStatusRequest(messageId: string, query: URLSearchParams): Parsed<StatusQuery> {
  const idProblem = keyProblem(messageId);
  if (idProblem !== undefined) return badRequest('messageId', `The message id ${idProblem}, so it cannot be a message id.`);
  const limit = parseLimit(query, DEFAULT_PAGE_SIZE);
  if (!limit.ok) return limit;
  const token = query.get('pageToken');
  let after: PagePosition | undefined;
  if (token !== null) {
    after = decodePageToken(messageId, token);
    if (after === undefined) {
      return badRequest('pageToken', 'pageToken is not a token this API issued for this message; use nextPageToken from the previous page.');
    }
  }
  return { ok: true, query: { messageId, limit: limit.query, after } };
}
