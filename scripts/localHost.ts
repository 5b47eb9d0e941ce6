/**
 * A local stand-in for the Functions host, for machines without Azure Functions Core Tools. It serves
 * the functions the app registered (src/registry.ts), from their own definitions, at the URLs the
 * Functions host uses:
 *
 * - HTTP functions at /api/<route>, with their methods. Like `func start`, it does not check function
 *   keys: locally every auth level is open. Like App Service, it removes `X-MS-CLIENT-PRINCIPAL*`
 *   headers from requests, and with a person to sign in as (EmailEventsLocalSignIn) adds that person's.
 * - Event Grid functions at POST /runtime/webhooks/eventgrid?functionName=<name>, with the
 *   `aeg-event-type` handshakes (Notification, SubscriptionValidation, Unsubscribe) and the CloudEvents
 *   abuse-protection OPTIONS handshake.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import functions, { type HttpResponseInit, type LogLevel } from '@azure/functions';
import { Cron } from 'croner';
import { errorFacts } from '../src/errors.js';
import { KNOWN_DELIVERY_STATUSES } from '../src/events/emailEvent.js';
import { PRIVATE_ANSWER_HEADERS, PROBLEM_CONTENT_TYPE, problemBody } from '../src/http/problem.js';
import { loggedText } from '../src/logs/loggedValue.js';
import type { FunctionRegistration } from '../src/registry.js';
import { SettingsError } from '../src/settings.js';
import { isPlatformPrincipalHeader, platformPrincipalHeaders, type PlatformUser } from './localSignIn.js';
import { pool } from './pool.js';

// @azure/functions is CommonJS, and Node's ESM loader cannot see these classes as named exports.
const { HttpRequest, HttpResponse, InvocationContext } = functions;

/** Event Grid delivers at most 1 MB per event; a batch body larger than this is refused. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * JSON nested deeper than this is refused with 400. ACS events nest 3 deep; a body thousands deep is
 * an attack on the parser and the memory, not an event (the functions would quarantine it whole).
 */
export const MAX_JSON_DEPTH = 10_000;
/**
 * Event Grid never delivers more events at once than this (an event subscription's maxEventsPerBatch
 * is 1 to 5,000). A body with more is no delivery of Event Grid's, and is refused before any event is
 * handled: 4 MB of tiny events (`[1,1,…]`) is two million of them.
 */
export const MAX_EVENTS_PER_DELIVERY = 5_000;
/**
 * Events of one delivery handled at once. A delivery report is up to four table writes at once, each on a
 * socket of its own: all of a delivery's events at once ran the host out of file descriptors (EMFILE)
 * with 300 delivery reports under `ulimit -n 1024`, and out of heap with many tiny events. Fewer at once
 * costs nothing: 1,000 delivery reports took about 5 s at 8, 16, 32 or 64 at a time on the 2-core
 * development machine, Azurite being the limit.
 */
export const EVENTS_IN_FLIGHT_PER_DELIVERY = 16;

export const EVENT_GRID_WEBHOOK_PATH = '/runtime/webhooks/eventgrid';

/** An ISO 8601 date or instant, as `since` and `until` take them (a + in a query reads as a space): nothing else of the kind shows in a request line. */
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:[Zz]|[+ -]\d{2}(?::?\d{2})?)?$/;
/** A day as the statistics and a day's messages take it, or undefined: nothing else shows in its place. */
const shownDay = (value: string) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined);
export const ADMIN_FUNCTIONS_PATH = '/admin/functions';

export interface Route {
  name: string;
  trigger: FunctionRegistration['trigger'];
  methods: string[];
  /** The path template, as the Functions host serves it. */
  path: string;
  authLevel: string;
}

interface HttpRoute extends Route {
  pattern: RegExp;
  parameters: string[];
  registration: Extract<FunctionRegistration, { trigger: 'http' }>;
}

export type Log = (line: string) => void;

/** The route of each registered function; the host has no route table but this one, derived. */
export function routesOf(registrations: readonly FunctionRegistration[]): Route[] {
  return registrations.map((registration) => {
    switch (registration.trigger) {
      case 'http':
        return {
          name: registration.name,
          trigger: 'http',
          methods: (registration.options.methods ?? ['GET', 'POST']).map((method) => method.toUpperCase()),
          path: `/api/${registration.options.route ?? registration.name}`,
          authLevel: registration.options.authLevel ?? 'anonymous',
        };
      case 'eventGrid':
        return { name: registration.name, trigger: 'eventGrid', methods: ['POST'], path: `${EVENT_GRID_WEBHOOK_PATH}?functionName=${registration.name}`, authLevel: 'system' };
      case 'timer':
        // The Functions host's admin call that runs a function now, as the portal's "Test/Run" does.
        return { name: registration.name, trigger: 'timer', methods: ['POST'], path: `${ADMIN_FUNCTIONS_PATH}/${registration.name}`, authLevel: 'admin' };
    }
  });
}

function httpRoute(route: Route, registration: Extract<FunctionRegistration, { trigger: 'http' }>): HttpRoute {
  const parameters: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{([A-Za-z_][A-Za-z0-9_]*)\??\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameters.push(parameter[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}/?$`, 'i'), parameters, registration };
}

function send(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): number {
  if (body === undefined) response.writeHead(status, headers).end();
  else response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  return status;
}

function sendProblem(response: ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}, parameter?: string): number {
  response.writeHead(status, { 'content-type': PROBLEM_CONTENT_TYPE, ...PRIVATE_ANSWER_HEADERS, ...headers }).end(problemBody({ status, title, detail, ...(parameter === undefined ? {} : { parameter }) }));
  return status;
}

/**
 * The body, or undefined when it is over the limit: refused by its Content-Length before a byte is
 * read, or as soon as what arrives goes over, so that an oversize body is never held in memory.
 */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length']) > MAX_BODY_BYTES) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (body: Buffer | undefined) => {
      request.off('data', onData).off('end', onEnd).off('error', reject);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else {
        request.pause();
        settle(undefined);
      }
    };
    const onEnd = () => settle(Buffer.concat(chunks));
    request.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/**
 * Whether JSON text nests arrays and objects deeper than `limit`, read without parsing (brackets inside
 * strings do not count): one pass, no recursion, nothing allocated.
 */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}

/**
 * After a 413 for a body over the limit, how much more of it is read, and for how long, before the
 * connection closes. A client may still be sending when the answer goes out (it was decided by the
 * Content-Length, before a byte of the body was read); closing a socket with bytes still coming makes
 * the kernel reset the connection, and the client then loses the answer along with the write (EPIPE, no
 * status at all). So the rest is read and dropped, as Apache's and nginx's lingering close do, up to
 * these bounds: a body a client means to end gets its answer cleanly, one that never ends is cut off.
 */
export const DRAIN_AFTER_REFUSAL_BYTES = 2 * MAX_BODY_BYTES;
export const DRAIN_AFTER_REFUSAL_MS = 5_000;

/**
 * Sockets answered 413 that are draining the rest of a body before they close: a request that follows
 * on one of them (pipelined after the body) is never served, as the answer said (Connection: close).
 */
const refusedSockets = new WeakSet<object>();

/**
 * 413, and the connection closed after it: the rest of the body cannot be read as the next request.
 * The answer is written whole at once (its Content-Length tells the client where it ends) and the
 * response ends, closing the connection, only once the rest of the body has been read and dropped,
 * within the drain bounds.
 */
function refuseTooLarge(request: IncomingMessage, response: ServerResponse): number {
  const body = problemBody({ status: 413, title: 'Content Too Large', detail: `Bodies are limited to ${MAX_BODY_BYTES} bytes.` });
  response.writeHead(413, { 'content-type': PROBLEM_CONTENT_TYPE, ...PRIVATE_ANSWER_HEADERS, 'content-length': String(Buffer.byteLength(body)), connection: 'close' }).write(body);
  refusedSockets.add(request.socket);
  let drained = 0;
  const close = () => {
    clearTimeout(deadline);
    request.off('data', onData).off('end', close).off('error', close);
    response.end();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_AFTER_REFUSAL_BYTES) close();
  };
  const deadline = setTimeout(close, DRAIN_AFTER_REFUSAL_MS);
  response.once('close', () => clearTimeout(deadline));
  if (request.readableEnded) close();
  else request.on('data', onData).once('end', close).once('error', close).resume();
  return 413;
}

/**
 * 413, as for a body over the byte limit: the delivery is too large to take, and Event Grid dead-letters
 * a delivery answered 413 without retrying it, since no retry could succeed. The body was read whole, so
 * the connection stays open for the next request.
 */
function refuseTooManyEvents(response: ServerResponse, count: number): number {
  return sendProblem(response, 413, 'Content Too Large', `A delivery holds at most ${MAX_EVENTS_PER_DELIVERY} events, as Event Grid sends them; this one holds ${count}.`);
}

/**
 * Runs `handle` on every event, EVENTS_IN_FLIGHT_PER_DELIVERY at a time; resolves with how many failed.
 * One event's failure stops none of the others, as under the Functions host.
 */
async function handleEach<T>(events: readonly T[], handle: (event: T) => unknown): Promise<number> {
  let failed = 0;
  await pool(events, EVENTS_IN_FLIGHT_PER_DELIVERY, async (event) => {
    try {
      await handle(event);
    } catch {
      failed++;
    }
  });
  return failed;
}

/**
 * Handler logs go to the console at warning and above; the request line says the rest. A timer has no
 * request line, so its information lines (the retention run's summary) show too.
 */
function invocationContext(functionName: string, log: Log, { withInformation = false } = {}): InstanceType<typeof InvocationContext> {
  const shown: LogLevel[] = withInformation ? ['information', 'warning', 'error', 'critical'] : ['warning', 'error', 'critical'];
  return new InvocationContext({
    functionName,
    invocationId: randomUUID(),
    logHandler: (level, ...args) => {
      if (shown.includes(level)) log(`  [${level}] ${functionName}: ${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}`);
    },
  });
}

/**
 * The request's URL, or undefined when its target is no path. The Host header is whatever the client
 * sent: where it does not make an origin (a space, a path, a bracket), the URL is on localhost, so that
 * it can never move or break the path.
 */
function requestUrl(request: IncomingMessage): URL | undefined {
  let origin = 'http://localhost';
  try {
    const claimed = new URL(`http://${request.headers.host ?? ''}`);
    if (claimed.pathname === '/' && !claimed.search && !claimed.hash && !claimed.username && !claimed.password) origin = claimed.origin;
  } catch {
    // Not a host: localhost it is.
  }
  const target = request.url ?? '/';
  try {
    if (target.startsWith('/')) return new URL(`${origin}${target}`);
    // The absolute form (http://host/path), which HTTP/1.1 servers accept too.
    const absolute = new URL(target);
    return new URL(`${origin}${absolute.pathname}${absolute.search}`);
  } catch {
    return undefined;
  }
}

/** Statuses Node's HTTP parser would answer itself, by its error codes; anything else it cannot parse is a 400. */
const PARSE_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, HPE_CHUNK_EXTENSIONS_OVERFLOW: 413, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/**
 * What is not HTTP at all never reaches a handler: Node answers it, with an empty body. Answer it as
 * every other error is answered, with problem+json, and close the connection (the parser cannot go on).
 */
function answerParseError(error: NodeJS.ErrnoException, socket: Duplex, log: Log): void {
  // A response already under way (Node's private _httpMessage) cannot be followed by another one.
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (!socket.writable || error.code === 'ECONNRESET' || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const status = PARSE_ERROR_STATUS[error.code ?? ''] ?? 400;
  const title = STATUS_CODES[status]!;
  const body = problemBody({ status, title, detail: 'The request is not HTTP this host can read.' });
  const privateHeaders = Object.entries(PRIVATE_ANSWER_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${title}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n${privateHeaders}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  log(`(not HTTP: ${error.code ?? 'parse error'}) → ${status}`);
}

type TimerRegistration = Extract<FunctionRegistration, { trigger: 'timer' }>;

/**
 * A timer's croner job, which runs `run` on its schedule (none: the schedule is only read). NCrontab, as
 * the Functions host reads it, ANDs the day and the day of week; croner ORs them unless told. The
 * settings check lets through only schedules croner reads, so a failure here is a gap in that check: it
 * is still one line naming the setting, never croner's stack (whose minified source runs to 35 KB).
 */
function timerJob(registration: TimerRegistration, run?: () => Promise<void>): Cron {
  try {
    return new Cron(String(registration.options.schedule), { timezone: 'UTC', protect: true, domAndDow: true }, run);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
    throw new SettingsError(`Setting ${registration.scheduleSetting} is a schedule the local host cannot run (${registration.name}): ${reason}`);
  }
}

export interface LocalHostOptions {
  /**
   * Stand in for App Service Authentication with this person signed in (scripts/localSignIn.ts); the
   * app trusts the principal only with WEBSITE_AUTH_ENABLED=True, which npm start sets with it.
   */
  signedInAs?: PlatformUser;
}

export function createLocalHost(registrations: readonly FunctionRegistration[], log: Log = console.log, { signedInAs }: LocalHostOptions = {}): Server {
  const routes = routesOf(registrations);
  const httpRoutes = registrations.flatMap((registration, i) => (registration.trigger === 'http' ? [httpRoute(routes[i]!, registration)] : []));
  const eventGridFunctions = new Map(
    registrations.flatMap((registration) => (registration.trigger === 'eventGrid' ? [[registration.name.toLowerCase(), registration] as const] : [])),
  );

  async function serveHttpFunction(request: IncomingMessage, response: ServerResponse, url: URL): Promise<[number, string]> {
    // Several functions may share a route with different methods (GET and DELETE of a message).
    const matching = httpRoutes.filter((route) => route.pattern.test(url.pathname));
    if (matching.length > 0 && !matching.some((route) => route.methods.includes(request.method ?? ''))) {
      const allowed = [...new Set(matching.flatMap((route) => route.methods))].sort().join(', ');
      return [sendProblem(response, 405, 'Method Not Allowed', `This route answers ${allowed}.`, { allow: allowed }), matching[0]!.name];
    }
    for (const route of matching) {
      const match = route.pattern.exec(url.pathname);
      if (!match || !route.methods.includes(request.method ?? '')) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of route.parameters.entries()) {
        try {
          params[name] = decodeURIComponent(match[i + 1]!);
        } catch {
          return [sendProblem(response, 400, 'Bad Request', `The ${name} in the URL path is not valid percent-encoding.`, {}, name), route.name];
        }
      }
      const body = await readBody(request);
      if (body === undefined) return [refuseTooLarge(request, response), route.name];
      // As App Service does: principal headers from the client never reach the app; only the platform's own.
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !isPlatformPrincipalHeader(name)).map(([name, value]) => [name, String(value)]));
      if (signedInAs) Object.assign(headers, platformPrincipalHeaders(signedInAs));
      // GET and HEAD have no body to give (@azure/functions would drop it with a warning on the console).
      const hasBody = body.length > 0 && request.method !== 'GET' && request.method !== 'HEAD';
      const httpRequest = new HttpRequest({ method: request.method, url: url.href, headers, params, ...(hasBody ? { body: { bytes: body } } : {}) });
      const result = (await route.registration.options.handler(httpRequest, invocationContext(route.name, log))) as HttpResponseInit | InstanceType<typeof HttpResponse> | undefined;
      const reply = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
      // On HEAD, Node writes the headers and drops the body.
      response.writeHead(reply.status, Object.fromEntries(reply.headers)).end(Buffer.from(await reply.arrayBuffer()));
      return [reply.status, route.name];
    }
    return [sendProblem(response, 404, 'Not Found', `No function serves ${request.method} ${url.pathname}.`), '-'];
  }

  const timerFunctions = new Map(
    registrations.flatMap((registration) => (registration.trigger === 'timer' ? [[registration.name.toLowerCase(), registration] as const] : [])),
  );

  /** Runs a timer function as the host does; its failure is logged, as the host logs it, and not thrown. */
  async function runTimer(registration: TimerRegistration, isPastDue: boolean): Promise<void> {
    const started = performance.now();
    try {
      await registration.options.handler({ isPastDue, scheduleStatus: {} } as never, invocationContext(registration.name, log, { withInformation: true }));
      log(`${registration.name} ran (${(performance.now() - started).toFixed(1)} ms)`);
    } catch (error) {
      log(`  [error] ${registration.name} failed: ${error instanceof Error ? error.name : typeof error}`);
    }
  }

  /** POST /admin/functions/{name} with {"input": ""}: runs the function now and answers 202 at once, as the Functions host does. */
  async function serveAdmin(request: IncomingMessage, response: ServerResponse, url: URL): Promise<[number, string]> {
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.slice(ADMIN_FUNCTIONS_PATH.length + 1));
    } catch {
      return [sendProblem(response, 400, 'Bad Request', 'The URL path is not valid percent-encoding.'), '-'];
    }
    const registration = timerFunctions.get(name.toLowerCase());
    if (!registration) {
      const known = [...timerFunctions.values()].map((fn) => fn.name).join(', ');
      return [sendProblem(response, 404, 'Not Found', `No timer function named "${name}". Known: ${known || 'none'}.`), '-'];
    }
    if (request.method !== 'POST') return [sendProblem(response, 405, 'Method Not Allowed', 'Run a function with POST.', { allow: 'POST' }), registration.name];
    if ((await readBody(request)) === undefined) return [refuseTooLarge(request, response), registration.name];
    void runTimer(registration, false);
    return [send(response, 202), registration.name];
  }

  async function serveEventGrid(request: IncomingMessage, response: ServerResponse, url: URL): Promise<[number, string]> {
    const name = url.searchParams.get('functionName') ?? '';
    const registration = eventGridFunctions.get(name.toLowerCase());
    if (!registration) {
      const known = [...eventGridFunctions.values()].map((fn) => fn.name).join(', ');
      return [sendProblem(response, 404, 'Not Found', `No Event Grid function named "${name}". Known functions: ${known}.`), '-'];
    }
    if (request.method === 'OPTIONS') {
      // CloudEvents abuse protection: Event Grid asks whether this endpoint accepts its deliveries.
      const origin = request.headers['webhook-request-origin'];
      return [send(response, 200, undefined, origin ? { 'webhook-allowed-origin': String(origin), 'webhook-allowed-rate': '*' } : {}), registration.name];
    }
    if (request.method !== 'POST') {
      return [sendProblem(response, 405, 'Method Not Allowed', 'Event Grid deliveries are POSTs.', { allow: 'POST, OPTIONS' }), registration.name];
    }
    const kind = String(request.headers['aeg-event-type'] ?? '');
    if (!['notification', 'subscriptionvalidation', 'unsubscribe'].includes(kind.toLowerCase())) {
      return [sendProblem(response, 400, 'Bad Request', 'The aeg-event-type header must be Notification, SubscriptionValidation or Unsubscribe.'), registration.name];
    }
    const body = await readBody(request);
    if (body === undefined) return [refuseTooLarge(request, response), registration.name];
    const text = body.toString('utf8');
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return [sendProblem(response, 400, 'Bad Request', `The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`), registration.name];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return [sendProblem(response, 400, 'Bad Request', 'The body is not JSON.'), registration.name];
    }
    const events = Array.isArray(parsed) ? parsed : [parsed];
    if (events.length > MAX_EVENTS_PER_DELIVERY) return [refuseTooManyEvents(response, events.length), registration.name];
    switch (kind.toLowerCase()) {
      case 'subscriptionvalidation': {
        const code = (events[0] as { data?: { validationCode?: unknown } } | undefined)?.data?.validationCode;
        if (typeof code !== 'string') return [sendProblem(response, 400, 'Bad Request', 'The validation event has no data.validationCode.'), registration.name];
        return [send(response, 200, { validationResponse: code }), registration.name];
      }
      case 'unsubscribe':
        return [send(response, 202), registration.name];
    }
    const failed = await handleEach(events, (event) => registration.options.handler(event, invocationContext(registration.name, log)));
    const summary = `${registration.name} ${events.length} event(s)${failed ? `, ${failed} failed` : ''}`;
    if (failed > 0) {
      return [sendProblem(response, 500, 'Internal Server Error', `${failed} of ${events.length} event(s) could not be handled; Event Grid retries the delivery.`), summary];
    }
    return [send(response, 202), summary];
  }

  /** Path segments that some route has: the only ones a request line shows as they came. */
  const fixedSegments = new Set(
    routes.flatMap((route) => route.path.split('?')[0]!.split('/')).filter((segment) => segment !== '' && !segment.startsWith('{')).map((segment) => segment.toLowerCase()),
  );

  /**
   * The path as the request log shows it: for a path a function serves, the route's template
   * (/api/messages/{messageId}), never the values in its place, which can be an address or a
   * Message-ID (the activity page looks up whatever was typed by each of them); elsewhere only the
   * segments that routes have, each other one as "…".
   */
  function shownPath(pathname: string): string {
    const route = httpRoutes.find((candidate) => candidate.pattern.test(pathname));
    if (route) return route.path;
    return pathname
      .split('/')
      .map((segment) => (segment === '' || fixedSegments.has(segment.toLowerCase()) ? segment : '…'))
      .join('/');
  }

  /** The query parameters the functions and the host read, and the values of each that a request line may show. */
  const shownQueryValues: Record<string, (value: string) => string | undefined> = {
    functionName: (value) => (eventGridFunctions.get(value.toLowerCase()) ?? timerFunctions.get(value.toLowerCase()))?.name,
    limit: (value) => (/^\d{1,6}$/.test(value) ? value : undefined),
    status: (value) => KNOWN_DELIVERY_STATUSES.find((status) => status.toLowerCase() === value.trim().toLowerCase()),
    since: (value) => (INSTANT.test(value) ? value : undefined),
    until: (value) => (INSTANT.test(value) ? value : undefined),
    // The statistics' and a day's messages' days and granularity: never personal data when they are what they should be.
    day: shownDay,
    from: shownDay,
    to: shownDay,
    granularity: (value) => (/^(day|hour)$/i.test(value) ? value : undefined),
    // Bound to the address it pages through.
    pageToken: () => undefined,
  };

  /**
   * The query as the request log shows it: the parameters the app reads, each value only where it can
   * be no personal data or key (a function's name, a limit, a status, an instant), else "…"; any other
   * parameter as one "…". The function key never shows, in whatever case it is spelled: the Functions
   * host reads `code` without regard to case.
   */
  function shownQuery(url: URL): string {
    const shown: string[] = [];
    let others = false;
    for (const [name, value] of url.searchParams) {
      if (name.toLowerCase() === 'code') continue;
      const show = Object.hasOwn(shownQueryValues, name) ? shownQueryValues[name]! : undefined;
      if (show) shown.push(`${name}=${show(value) ?? '…'}`);
      else others = true;
    }
    if (others) shown.push('…');
    return shown.length > 0 ? `?${shown.join('&')}` : '';
  }

  const server = createServer((request, response) => {
    // Pipelined behind a body that was refused: the connection closes once that body is read.
    if (refusedSockets.has(request.socket)) return;
    const started = performance.now();
    const url = requestUrl(request);
    if (url === undefined) {
      const status = sendProblem(response, 400, 'Bad Request', 'The request target is not a URL path.', { connection: 'close' });
      log(`${request.method} (not a path) → ${status} - (${(performance.now() - started).toFixed(1)} ms)`);
      return;
    }
    const path = url.pathname.toLowerCase();
    const serve = path === EVENT_GRID_WEBHOOK_PATH ? serveEventGrid : path.startsWith(`${ADMIN_FUNCTIONS_PATH}/`) ? serveAdmin : serveHttpFunction;
    serve(request, response, url)
      .catch((error: unknown) => {
        // Its name and code, never its message: a function's error can quote what the request carried.
        log(`  [error] ${JSON.stringify(errorFacts(error))}`);
        return [response.headersSent ? response.statusCode : sendProblem(response, 500, 'Internal Server Error', 'The function failed.'), '-'] as [number, string];
      })
      .then(([status, what]) => log(`${request.method} ${shownPath(url.pathname)}${shownQuery(url)} → ${status} ${what} (${(performance.now() - started).toFixed(1)} ms)`));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerParseError(error, socket, log));
  // Node answers any Expect but 100-continue with a bare 417; this says why.
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const status = sendProblem(response, 417, 'Expectation Failed', 'The only Expect this host meets is 100-continue.', { connection: 'close' });
    // Not the URL: it may carry a function key (?code=), which the request lines leave out.
    log(`${request.method} → ${status} - (Expect: ${loggedText(String(request.headers.expect))})`);
  });

  // Timers fire on their schedules, as under func start, while the host listens. The schedules are read
  // now, so that a bad one stops the host's creation, before anything else starts, and not a listener.
  for (const registration of timerFunctions.values()) timerJob(registration);
  const schedules: Cron[] = [];
  server.on('listening', () => {
    for (const registration of timerFunctions.values()) schedules.push(timerJob(registration, () => runTimer(registration, false)));
  });
  server.on('close', () => schedules.forEach((schedule) => schedule.stop()));
  return server;
}
