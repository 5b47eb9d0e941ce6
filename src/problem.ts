/** RFC 9457 problem details, the body of every error response. */
import type { HttpResponseInit } from '@azure/functions';

export interface Problem {
  status: 400 | 404 | 500;
  title: string;
  detail: string;
  /** The query or path parameter at fault, for a 400. */
  parameter?: string;
}

export function problemResponse(problem: Problem, instance: string): HttpResponseInit {
  return {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({ type: 'about:blank', ...problem, instance }),
  };
}
