/**
 * `npm run send-sample`: posts events to the app's Event Grid webhook as Event Grid does, then prints
 * where to read each message back, and the activity page's link to the first recipient.
 *
 *   npm run send-sample                         the seed's delivery and engagement events, fresh ids, dated now
 *   npm run send-sample -- --file batch.json    the events in a JSON file (an array, or one event),
 *                                               such as a dead-lettered batch: replays are idempotent;
 *                                               posted EVENTS_PER_POST at a time
 *   --url https://<app>.azurewebsites.net       another host (default http://localhost:$PORT or 7071)
 *   --key <eventgrid_extension system key>      for a host in Azure
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DELIVERY_REPORT_EVENT_TYPE, ENGAGEMENT_REPORT_EVENT_TYPE } from '../src/events/emailEvent.js';
import { currentSampleEvents } from './sampleEvents.js';

/** Each event type goes to the function subscribed to it; either function takes either type. */
const FUNCTION_FOR_EVENT_TYPE: Record<string, string> = {
  [DELIVERY_REPORT_EVENT_TYPE.toLowerCase()]: 'emailDeliveryReport',
  [ENGAGEMENT_REPORT_EVENT_TYPE.toLowerCase()]: 'emailEngagementReport',
};
const DEFAULT_FUNCTION = 'emailDeliveryReport';
/**
 * Events per POST. A file of dead-lettered events can hold any number, and Event Grid never delivers
 * more than 5,000 at once (the local host refuses more); 100 keeps each POST far below that and the
 * 4 MB body limit, and its answer quick.
 */
export const EVENTS_PER_POST = 100;

export interface SendOptions {
  baseUrl: string;
  key?: string;
  /** Gives up on a delivery, as Event Grid does after its delivery timeout. */
  signal?: AbortSignal;
}

/** One POST and its answer. */
export interface Delivery {
  functionName: string;
  events: number;
  status: number;
  body: string;
}

/** A POST that got no answer: the host is not running, or not at that URL. */
export class NoAnswerError extends Error {}

function functionFor(event: unknown): string {
  const record = (typeof event === 'object' && event !== null ? event : {}) as { eventType?: unknown; type?: unknown };
  const type = record.eventType ?? record.type;
  return (typeof type === 'string' && FUNCTION_FOR_EVENT_TYPE[type.toLowerCase()]) || DEFAULT_FUNCTION;
}

/** The events of each function, in order. */
function eventsByFunction(events: unknown[]): Map<string, unknown[]> {
  const byFunction = new Map<string, unknown[]>();
  for (const event of events) {
    const name = functionFor(event);
    const functionEvents = byFunction.get(name);
    if (functionEvents) functionEvents.push(event);
    else byFunction.set(name, [event]);
  }
  return byFunction;
}

/** Posts one batch to a function as an Event Grid Notification. */
async function post(functionName: string, batch: unknown[], options: SendOptions): Promise<Delivery> {
  const url = new URL('/runtime/webhooks/eventgrid', options.baseUrl);
  url.searchParams.set('functionName', functionName);
  // The URL as an error may show it: the key stays out of the terminal.
  const shownUrl = url.href;
  if (options.key) url.searchParams.set('code', options.key);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
      body: JSON.stringify(batch),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    // fetch says only "fetch failed" when no answer came (refused, reset, no such host); its cause says which.
    if (!(error instanceof TypeError)) throw error;
    const cause = error.cause as { code?: string; message?: string } | undefined;
    throw new NoAnswerError(`no answer from ${shownUrl} (${cause?.code ?? cause?.message ?? error.message})`, { cause: error });
  }
  return { functionName, events: batch.length, status: response.status, body: await response.text() };
}

/** Posts the events as Event Grid Notifications: each function's, EVENTS_PER_POST at a time, one POST after another. */
export async function sendEvents(events: unknown[], options: SendOptions): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  for (const [functionName, functionEvents] of eventsByFunction(events)) {
    for (let start = 0; start < functionEvents.length; start += EVENTS_PER_POST) {
      deliveries.push(await post(functionName, functionEvents.slice(start, start + EVENTS_PER_POST), options));
    }
  }
  return deliveries;
}

/**
 * One line per function: its events, the POSTs they took and the statuses those got; then, indented,
 * the answer to each POST that failed.
 */
export function deliveryLines(deliveries: readonly Delivery[]): string[] {
  const lines: string[] = [];
  for (const functionName of new Set(deliveries.map((delivery) => delivery.functionName))) {
    const posts = deliveries.filter((delivery) => delivery.functionName === functionName);
    const events = posts.reduce((sum, delivery) => sum + delivery.events, 0);
    const statusCounts = new Map<number, number>();
    for (const { status } of posts) statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
    const statuses = statusCounts.size === 1 ? String(posts[0]!.status) : [...statusCounts].map(([status, count]) => `${status} ×${count}`).join(', ');
    lines.push(`${functionName}: ${events} event(s)${posts.length > 1 ? ` in ${posts.length} POSTs` : ''} → HTTP ${statuses}`);
    for (const delivery of posts) if (delivery.status >= 300) lines.push(`  ${delivery.events} event(s) → HTTP ${delivery.status} ${delivery.body}`);
  }
  return lines;
}

/** The distinct values of a string field of the events' data, in order of first appearance. */
function dataValuesOf(events: unknown[], field: 'messageId' | 'recipient'): string[] {
  const values = events.map((event) => (event as { data?: Record<string, unknown> } | null)?.data?.[field]);
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value !== ''))];
}

/** The message ids the events name, in order of first appearance. */
export const messageIdsOf = (events: unknown[]): string[] => dataValuesOf(events, 'messageId');

/** The recipients the events name, in order of first appearance. */
export const recipientsOf = (events: unknown[]): string[] => dataValuesOf(events, 'recipient');

/** The activity page's deep link to a search. The query is in the fragment, which browsers never send, so it reaches no server log. */
export function activityUrl(baseUrl: string, query: string): string {
  // An @ needs no escaping in a fragment, and the link reads better with it.
  return `${new URL('/api/activity', baseUrl).href}#q=${encodeURIComponent(query).replace(/%40/g, '@')}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { file: { type: 'string' }, url: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run send-sample [-- --file events.json] [--url https://host] [--key eventgrid_extension-key]');
    return 0;
  }
  const baseUrl = values.url ?? `http://localhost:${process.env.PORT || 7071}`;
  let events: unknown[];
  if (values.file) {
    const parsed: unknown = JSON.parse(await readFile(values.file, 'utf8'));
    events = Array.isArray(parsed) ? parsed : [parsed];
  } else {
    events = currentSampleEvents();
  }
  const deliveries = await sendEvents(events, { baseUrl, ...(values.key ? { key: values.key } : {}) });
  for (const line of deliveryLines(deliveries)) console.log(line);
  const key = values.key ? '?code=<function key>' : '';
  for (const messageId of messageIdsOf(events)) {
    console.log(`Read it back: curl ${new URL(`/api/messages/${encodeURIComponent(messageId)}`, baseUrl).href}${key}`);
  }
  for (const address of recipientsOf(events)) {
    console.log(`By address:   curl ${new URL(`/api/recipients/${encodeURIComponent(address)}/messages`, baseUrl).href}${key}`);
  }
  const [recipient] = recipientsOf(events);
  if (recipient !== undefined) console.log(`Open ${activityUrl(baseUrl, recipient)}`);
  return deliveries.every((delivery) => delivery.status < 300) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`send-sample failed: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof NoAnswerError) {
        console.error('Is the app running? Start it with npm start. send-sample posts to http://localhost:$PORT (7071 unless PORT is set), or to --url.');
      }
      process.exit(1);
    },
  );
}
