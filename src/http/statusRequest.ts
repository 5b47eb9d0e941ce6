/** Pure parsing of GET /api/messages/{messageId}?limit=&pageToken= into a query or a 400 problem. */
import { decodePageToken, type PagePosition } from './pageToken.js';
import type { Problem } from './problem.js';
import { keyProblem } from '../storage/tableLimits.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface StatusQuery {
  messageId: string;
  limit: number;
  after: PagePosition | undefined;
}

const badRequest = (parameter: string, detail: string): Problem => ({ status: 400, title: 'Bad Request', detail, parameter });

export function parseStatusRequest(messageId: string, query: URLSearchParams): StatusQuery | Problem {
  const idProblem = keyProblem(messageId);
  if (idProblem !== undefined) return badRequest('messageId', `The message id ${idProblem}, so it cannot be a message id.`);

  const limitText = query.get('limit');
  let limit = DEFAULT_PAGE_SIZE;
  if (limitText !== null) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
      return badRequest('limit', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    }
  }

  const token = query.get('pageToken');
  let after: PagePosition | undefined;
  if (token !== null) {
    after = decodePageToken(messageId, token);
    if (after === undefined) {
      return badRequest('pageToken', 'pageToken is not a token this API issued for this message; use nextPageToken from the previous page.');
    }
  }
  return { messageId, limit, after };
}

export const isProblem = (value: StatusQuery | Problem): value is Problem => 'status' in value;
