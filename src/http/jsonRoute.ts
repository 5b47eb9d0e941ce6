/**
 * The shape every GET function shares: parse the request (a 400 problem when it is bad), read, then
 * answer 200 with JSON, 404 when there is nothing, or 500 without internals (the details go to the log).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { errorFacts } from '../errors.js';
import { problemResponse, type Parsed } from './problem.js';

export interface JsonRoute<Q, B> {
  parse(request: HttpRequest): Parsed<Q>;
  /** The body, or undefined when nothing is recorded for the query. */
  read(query: Q): Promise<B | undefined>;
  /** The detail of the 404. */
  notFound: string;
  /** The detail of the 500, and the log message's subject. */
  failure: string;
  /** What the log lines say of the query and the body. Never an address: the app writes none into its logs. */
  logFields(query: Q, body?: B): Record<string, unknown>;
}

export function jsonRoute<Q, B>(route: JsonRoute<Q, B>): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    const instance = new URL(request.url).pathname;
    const parsed = route.parse(request);
    if (!parsed.ok) return problemResponse(parsed.problem, instance);
    const { query } = parsed;
    let body: B | undefined;
    try {
      body = await route.read(query);
    } catch (error) {
      context.error(`${route.failure} failed.`, { ...route.logFields(query), ...errorFacts(error) });
      return problemResponse({ status: 500, title: 'Internal Server Error', detail: `${route.failure} failed. Try again.` }, instance);
    }
    if (body === undefined) return problemResponse({ status: 404, title: 'Not Found', detail: route.notFound }, instance);
    context.info(`${route.failure} served.`, route.logFields(query, body));
    return { status: 200, jsonBody: body };
  };
}
