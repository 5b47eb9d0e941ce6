/** RFC 9457 problem details, the body of every error response, from the functions and the local host. */
import type { HttpResponseInit } from '@azure/functions';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The headers of every JSON and problem+json answer of the app's routes: they may carry personal data
 * (addresses, links, user agents, status texts), which no cache may keep, and which no browser may
 * read as anything but what their content type says (the activity page's answers already carry both).
 */
export const PRIVATE_ANSWER_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export interface Problem {
  status: number;
  title: string;
  detail: string;
  /** The query or path parameter at fault, for a 400. */
  parameter?: string;
}

/** What a request parser returns: the query, or the problem that answers the request. */
export type Parsed<T> = { ok: true; query: T } | { ok: false; problem: Problem };

export const badRequest = (parameter: string, detail: string): { ok: false; problem: Problem } => ({
  ok: false,
  problem: { status: 400, title: 'Bad Request', detail, parameter },
});

export function problemBody(problem: Problem, instance?: string): string {
  return JSON.stringify({ type: 'about:blank', ...problem, ...(instance === undefined ? {} : { instance }) });
}

export function problemResponse(problem: Problem, instance: string): HttpResponseInit {
  return { status: problem.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...PRIVATE_ANSWER_HEADERS }, body: problemBody(problem, instance) };
}
