/**
 * The shapes the HTTP functions share: let the caller in or not (401 or 403 when the route's access
 * level is not theirs, src/auth/access.ts), parse the request (a 400 problem when it is bad), then read
 * (200 with JSON, or 404 when there is nothing) or erase (204, also when nothing was left), and 500
 * without internals when storage fails (the details go to the log).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { authorize, type Access, type Door } from '../auth/access.js';
import { callerOf, type Caller } from '../auth/caller.js';
import type { Parsed } from './problem.js';

// Loaded when a request needs them, like everything the functions use (functions/onFirstUse.ts).
const problemResponse = async (...args: Parameters<typeof import('./problem.js').problemResponse>) => (await import('./problem.js')).problemResponse(...args);
/** A 200 with JSON, with the headers of every answer that may carry personal data. */
export const jsonAnswer = async (body: unknown): Promise<HttpResponseInit> => ({ status: 200, jsonBody: body, headers: { ...(await import('./problem.js')).PRIVATE_ANSWER_HEADERS } });
const errorFacts = async (error: unknown) => (await import('../errors.js')).errorFacts(error);
/** The fields as logs may quote them: a path value can be anything, an address included, whatever the route expects. */
const loggedFields = async (fields: Record<string, unknown>) => (await import('../logs/loggedValue.js')).loggedFields(fields);

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

interface Route<Q> {
  /** What the route does to the data: which app role a person needs at the people's door. */
  access: Access;
  /** May load its parser first: the functions load what they need on first use (functions/onFirstUse.ts). */
  parse(request: HttpRequest): Parsed<Q> | Promise<Parsed<Q>>;
  /** What the function does, as the log lines say it: "<failure> failed." */
  failure: string;
  /** The detail of the 500: what could not be done, and nothing of why. */
  unavailable: string;
}

export interface JsonRoute<Q, B> extends Route<Q> {
  /** The body, or undefined when nothing is recorded for the query. */
  read(query: Q): Promise<B | undefined>;
  /** The detail of the 404. */
  notFound: string;
  /** What the log lines say of the query and the body, each value passed through loggedFields (logs/loggedValue.ts). Never an address. */
  logFields(query: Q, body?: B): Record<string, unknown>;
  /** The 200 answer of a body, when it is not the body as JSON (another format, a header). */
  render?(query: Q, body: B, instance: string): Promise<HttpResponseInit>;
}

export interface EraseRoute<Q> extends Route<Q> {
  /** Erases what the query names, recording who asked; resolves to the rows deleted. */
  erase(query: Q, caller: Caller): Promise<number>;
  /** What the log lines say of the query. Never an address. */
  logFields(query: Q): Record<string, unknown>;
}

/**
 * A route's handler for the machines' door (called as it is), with the same route for the people's
 * door beside it; registerApiFunction (src/registry.ts) registers both.
 */
export type ApiHandler = Handler & { readonly access: Access; readonly signedIn: Handler };

type Act<Q> = (query: Q, context: InvocationContext, instance: string, caller: Caller) => Promise<HttpResponseInit>;

function serve<Q>(route: Route<Q> & { logFields(query: Q): Record<string, unknown> }, act: Act<Q>): ApiHandler {
  const at = (door: Door): Handler => async (request, context) => {
    const instance = new URL(request.url).pathname;
    const caller = callerOf(request);
    const verdict = authorize(route.access, door, caller);
    if (!verdict.allowed) return problemResponse(verdict.problem, instance);
    const parsed = await route.parse(request);
    if (!parsed.ok) return problemResponse(parsed.problem, instance);
    try {
      return await act(parsed.query, context, instance, caller);
    } catch (error) {
      context.error(`${route.failure} failed.`, { ...(await loggedFields(route.logFields(parsed.query))), ...(await errorFacts(error)) });
      return problemResponse({ status: 500, title: 'Internal Server Error', detail: route.unavailable }, instance);
    }
  };
  return Object.assign(at('key'), { access: route.access, signedIn: at('signed-in') });
}

export function jsonRoute<Q, B>(route: JsonRoute<Q, B>): ApiHandler {
  return serve(route, async (query, context, instance) => {
    const body = await route.read(query);
    if (body === undefined) return problemResponse({ status: 404, title: 'Not Found', detail: route.notFound }, instance);
    context.info(`${route.failure} served.`, await loggedFields(route.logFields(query, body)));
    return route.render ? await route.render(query, body, instance) : jsonAnswer(body);
  });
}

export function eraseRoute<Q>(route: EraseRoute<Q>): ApiHandler {
  return serve(route, async (query, context, _instance, caller) => {
    const rows = await route.erase(query, caller);
    // The kind of caller only: a person's id and name are personal data, kept in the erasure record, not the log.
    context.info(`${route.failure} done.`, { ...(await loggedFields(route.logFields(query))), rows, by: caller.kind });
    return { status: 204 };
  });
}
