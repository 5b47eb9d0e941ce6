/**
 * `npm run bench`: the app's costs as ratios to a baseline measured in the same run, so that the figures
 * hold on a shared, noisy machine. Starts its own in-memory Azurite; prints a table and writes the same
 * figures to bench-results.json.
 *
 *   ingest      the ingest path vs raw @azure/data-tables inserts of the same rows, same concurrency
 *   requests    storage requests per ingested event
 *   read        GET /api/messages/{id} (handler + JSON) vs a raw partition query of the same rows
 *   statistics  a 30-day statistics read, and a page of a day's messages (storage requests counted), vs a
 *               raw partition query of 30 rows
 *   start-up    importing the app's entry point vs importing @azure/functions alone (fresh processes)
 *   http        events/s and latency through the local host over real HTTP
 *
 * Every figure is the median of several runs after a warm-up; runs of the two sides alternate.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import functions from '@azure/functions';
import { TableClient, odata, type TableServiceClientOptions } from '@azure/data-tables';
import { startAzurite } from './azurite.js';
import { roundTripCounter } from './roundTrips.js';
import { pool } from './pool.js';
import { currentSampleEvents, sampleMessageEvents } from './sampleEvents.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { HttpRequest, InvocationContext } = functions;

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    events: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    out: { type: 'string', default: join(root, 'bench-results.json') },
    // A comma-separated list of the figures to measure (ingest, read, lookups, statistics, retention, startup, http); default all.
    only: { type: 'string', default: '' },
  },
});
const ONLY = new Set(options.only.split(',').filter(Boolean));
const wanted = (figure: string) => ONLY.size === 0 || ONLY.has(figure);
async function measured<T>(figure: string, bench: () => T | Promise<T>): Promise<T | undefined> {
  return wanted(figure) ? bench() : undefined;
}
const RUNS = Number(options.runs);
const EVENTS = Number(options.events);
const CONCURRENCY = Number(options.concurrency);

const median = (values: number[]) => percentile(values, 0.5);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function quietContext(functionName: string) {
  return new InvocationContext({ functionName, invocationId: randomUUID(), logHandler: () => {} });
}

const azurite = await startAzurite();
process.env.EmailEventsStorage = azurite.connectionString;
const { readSettings } = await import('../src/settings.js');
const { createEventStore, defaultEventStore } = await import('../src/storage/eventStore.js');
const { ingestEvent } = await import('../src/ingest.js');
const { normalizeEvent } = await import('../src/events/normalize.js');
const { toEventEntity } = await import('../src/storage/tableEntities.js');
const { GROUP_PREFIX, indexWritesFor, recipientPartitionKey } = await import('../src/storage/indexEntities.js');
const { TAIL_PREFIX, endOf } = await import('../src/storage/tailKeys.js');
const { normalizeAddress } = await import('../src/events/addresses.js');
const { suppressionRowsFor } = await import('../src/suppression/policy.js');
const { DEFAULT_SUPPRESS_ON } = await import('../src/settings.js');

let requests = 0;
const counting: TableServiceClientOptions = {
  allowInsecureConnection: true,
  additionalPolicies: [{ position: 'perRetry', policy: { name: 'countRequests', sendRequest: (request, next) => (requests++, next(request)) } }],
};

/**
 * A delivery report with an Internet Message-ID and an open that names the recipient, per message: 5
 * and 4 requests. Dated now, as events come (a late one would also mark its day for the statistics).
 */
function eventsFor(count: number) {
  return Array.from({ length: Math.ceil(count / 2) }, () => {
    const [delivery, engagement] = currentSampleEvents();
    return [{ ...delivery!, data: { ...delivery!.data, internetMessageId: `<${randomUUID()}@contoso.com>` } }, engagement!];
  })
    .flat()
    .slice(0, count);
}

/** A bounce-heavy flood: every delivery report Bounced (with its Internet Message-ID), a quarter of them to an address that bounced before. */
function bouncesFor(count: number) {
  const addresses = Array.from({ length: Math.ceil((count * 3) / 4) }, () => `gone.${randomUUID().slice(0, 12)}@contoso.com`);
  return Array.from({ length: count }, (_, n) => {
    const [delivery] = sampleMessageEvents();
    const recipient = addresses[n % addresses.length]!;
    return { ...delivery!, data: { ...delivery!.data, recipient, status: 'Bounced', internetMessageId: `<${randomUUID()}@contoso.com>` } };
  });
}

async function freshTable(): Promise<string> {
  const name = `Bench${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }).createTable();
  return name;
}

// --- ingest -------------------------------------------------------------------------------------------
async function ingestRun(count: number, events: unknown[] = eventsFor(count)) {
  const table = await freshTable();
  await TableClient.fromConnectionString(azurite.connectionString, `${table}Index`, { allowInsecureConnection: true }).createTable();
  const store = createEventStore(readSettings({ EmailEventsStorage: azurite.connectionString, EmailEventsTable: table }), { clientOptions: counting });
  const context = quietContext('emailDeliveryReport');
  requests = 0;
  const ms = await timed(() => pool(events, CONCURRENCY, (event) => ingestEvent(event, context, { store })));
  return { eventsPerSecond: (count / ms) * 1000, requestsPerEvent: requests / count };
}

/** The same rows the app writes for the same events, written with bare TableClient calls, all at once per event. */
async function rawRun(count: number, events: unknown[] = eventsFor(count)) {
  const table = await freshTable();
  const client = TableClient.fromConnectionString(azurite.connectionString, table, counting);
  const index = TableClient.fromConnectionString(azurite.connectionString, `${table}Index`, counting);
  await index.createTable();
  const rows = events.map((event) => {
    const normalized = normalizeEvent(event);
    if (normalized.outcome !== 'accepted') throw new Error('sample events are accepted');
    const index = indexWritesFor(normalized.event, new Date().toISOString());
    return { entity: toEventEntity(normalized.event), index, suppression: suppressionRowsFor(normalized.event, { suppressOn: DEFAULT_SUPPRESS_ON }) };
  });
  // A row already there counts as written, as the app counts it: a message's delivery and open of one
  // day share its expiry row.
  const once = (write: Promise<unknown>) => write.catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 409) throw error;
  });
  const ms = await timed(() =>
    pool(rows, CONCURRENCY, (row) =>
      Promise.all([
        once(client.createEntity(row.entity)),
        ...(row.index.recipient ? [once(index.submitTransaction(row.index.recipient.map((entity) => ['create', entity] as ['create', typeof entity])))] : []),
        ...(row.index.internetMessageId ? [once(index.createEntity(row.index.internetMessageId))] : []),
        once(index.createEntity(row.index.expiry)),
        ...(row.index.stats ?? []).map((entity) => once(index.createEntity(entity))),
        ...(row.suppression ? [once(index.submitTransaction(row.suppression.map((entity) => ['create', entity] as ['create', typeof entity])))] : []),
      ]),
    ),
  );
  return { eventsPerSecond: (count / ms) * 1000 };
}

/** Storage requests per event, by kind of event, counted over redeliveries too (README, "How events are stored"). */
async function requestsByKind() {
  const { seedDeliveryReport, seedEngagementReport } = await import('./sampleEvents.js');
  const table = await freshTable();
  const store = createEventStore(readSettings({ EmailEventsStorage: azurite.connectionString, EmailEventsTable: table }), { clientOptions: counting });
  const context = quietContext('emailDeliveryReport');
  const now = () => new Date().toISOString();
  const delivery = (data: object) => ({ ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId: randomUUID(), deliveryAttemptTimeStamp: now(), ...data } });
  const engagement = (data: object) => ({ ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, messageId: randomUUID(), userActionTimeStamp: now(), ...data } });
  await ingestEvent(delivery({ internetMessageId: '<warm@up>' }), context, { store: store });
  const kinds: Record<string, { expected: number; event: () => unknown }> = {
    'delivery report with an Internet Message-ID': { expected: 5, event: () => delivery({ internetMessageId: `<${randomUUID()}@contoso.com>` }) },
    'delivery report without one (Suppressed)': { expected: 4, event: () => delivery({ status: 'Suppressed' }) },
    'engagement naming the recipient': { expected: 4, event: () => engagement({ recipient: 'a@contoso.com' }) },
    'engagement naming no recipient': { expected: 3, event: () => engagement({}) },
    'delivery report days late (Suppressed)': { expected: 5, event: () => delivery({ status: 'Suppressed', deliveryAttemptTimeStamp: '2020-09-18T00:22:20Z' }) },
    'bounce (Bounced) with an Internet Message-ID': { expected: 6, event: () => delivery({ status: 'Bounced', recipient: `b.${randomUUID()}@contoso.com`, internetMessageId: `<${randomUUID()}@contoso.com>` }) },
    'bounce without one': { expected: 5, event: () => delivery({ status: 'Bounced', recipient: `b.${randomUUID()}@contoso.com` }) },
  };
  return Object.entries(kinds).map(([kind, { expected, event }]) => {
    return async () => {
      const events = Array.from({ length: 50 }, event);
      requests = 0;
      for (const raw of [...events, ...events]) await ingestEvent(raw, context, { store: store });
      return { kind, expected, counted: requests / (2 * events.length) };
    };
  });
}

async function benchIngest() {
  // Azurite itself warms up (JIT, its in-memory store) over the first thousands of requests.
  for (let warmUp = 0; warmUp < 2; warmUp++) {
    await rawRun(EVENTS);
    await ingestRun(EVENTS);
  }
  const raw: number[] = [];
  const ingest: number[] = [];
  const perEvent: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const side of run % 2 ? ['ingest', 'raw'] : ['raw', 'ingest']) {
      if (side === 'raw') {
        raw.push((await rawRun(EVENTS)).eventsPerSecond);
        console.error(`  raw run ${run}: ${raw.at(-1)!.toFixed(0)} events/s`);
      } else {
        const result = await ingestRun(EVENTS);
        ingest.push(result.eventsPerSecond);
        perEvent.push(result.requestsPerEvent);
        console.error(`  ingest run ${run}: ${result.eventsPerSecond.toFixed(0)} events/s`);
      }
    }
  }
  const byKind = [];
  for (const count of await requestsByKind()) byKind.push(await count());
  return {
    concurrency: CONCURRENCY,
    eventsPerRun: EVENTS,
    rawEventsPerSecond: round(median(raw), 0),
    ingestEventsPerSecond: round(median(ingest), 0),
    ratio: round(median(ingest) / median(raw)),
    requestsPerEvent: round(Math.max(...perEvent), 3),
    requestsByKind: byKind,
  };
}

// --- suppression --------------------------------------------------------------------------------------
/**
 * The suppression list: a bounce-heavy flood through the ingest path against raw writes of the same
 * rows (the suppression transaction included), alternating, at the same concurrency; and a page of 50
 * entries of a list of 500 addresses (some bounced twice): its sequential round trips and time.
 */
async function benchSuppression() {
  const raw: number[] = [];
  const app: number[] = [];
  await rawRun(EVENTS, bouncesFor(EVENTS));
  await ingestRun(EVENTS, bouncesFor(EVENTS));
  for (let run = 0; run < RUNS; run++) {
    for (const side of run % 2 ? ['app', 'raw'] : ['raw', 'app']) {
      if (side === 'raw') raw.push((await rawRun(EVENTS, bouncesFor(EVENTS))).eventsPerSecond);
      else app.push((await ingestRun(EVENTS, bouncesFor(EVENTS))).eventsPerSecond);
    }
    console.error(`  bounce flood run ${run}: app ${app.at(-1)!.toFixed(0)} events/s, raw ${raw.at(-1)!.toFixed(0)} events/s`);
  }

  const { suppressionPage } = await import('../src/suppression/store.js');
  const table = await freshTable();
  const settings = readSettings({ EmailEventsStorage: azurite.connectionString, EmailEventsTable: table });
  // 375 addresses (a quarter bounced twice); fewer on a short run, but always three full pages.
  const bounces = bouncesFor(EVENTS >= 500 ? 500 : 220).map((event, n) => ({ ...event, data: { ...event.data, deliveryAttemptTimeStamp: new Date(Date.UTC(2026, 10, 1) + n * 60_000).toISOString() } }));
  const context = quietContext('emailDeliveryReport');
  const writer = createEventStore(settings);
  await pool(bounces, CONCURRENCY, (event) => ingestEvent(event, context, { store: writer }));
  const { count, clientOptions } = roundTripCounter();
  const store = createEventStore(settings, { clientOptions: { allowInsecureConnection: true, ...clientOptions } });
  const pages = [];
  let after: string | undefined;
  for (let page = 0; page < 3; page++) {
    const times: number[] = [];
    let result: Awaited<ReturnType<typeof suppressionPage>> | undefined;
    for (let run = 0; run < Math.max(3, RUNS); run++) {
      count.reset();
      times.push(await timed(async () => (result = await suppressionPage(store, { limit: 50, state: 'suppressed', after }, false))));
    }
    if (result!.entries.length !== 50) throw new Error(`a page of 50 entries was expected, not ${result!.entries.length}`);
    pages.push({ page: page + 1, roundTrips: count.roundTrips, queries: count.requests, p50Ms: round(median(times)) });
    after = result!.next;
  }
  return { floodEvents: EVENTS, listAddresses: new Set(bounces.map((event) => event.data.recipient)).size, appEventsPerSecond: round(median(app), 0), rawEventsPerSecond: round(median(raw), 0), ratio: round(median(app) / median(raw)), pages };
}

// --- retention ----------------------------------------------------------------------------------------
/**
 * Rows deleted per second by a retention run over expired messages (a delivery report and an open
 * each, with their index rows), against deleting the same rows with bare entity group transactions,
 * a partition at a time, at the same concurrency.
 */
async function benchRetention() {
  const { applyRetention } = await import('../src/retention/retention.js');
  const { seedDeliveryReport, seedEngagementReport } = await import('./sampleEvents.js');
  const messages = Math.max(20, Math.round(EVENTS / 4));
  const expiredSet = async () => {
    const table = await freshTable();
    const settings = readSettings({ EmailEventsStorage: azurite.connectionString, EmailEventsTable: table });
    const store = createEventStore(settings);
    const context = quietContext('emailDeliveryReport');
    const events = Array.from({ length: messages }, (_, n) => {
      const messageId = randomUUID();
      const recipient = `r${n % 50}@contoso.com`;
      return [
        { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, recipient, internetMessageId: `<${messageId}@contoso.com>` } },
        { ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, messageId, recipient } },
      ];
    }).flat();
    await pool(events, CONCURRENCY, (event) => ingestEvent(event, context, { store: store }));
    const rows = [];
    for (const name of [settings.eventsTable, settings.indexTable]) {
      for await (const row of TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }).listEntities()) {
        // Statistics hold no address: retention leaves them.
        if (!String(row.partitionKey).startsWith('stats')) rows.push({ table: name, row });
      }
    }
    return { store, rows };
  };
  const appRates: number[] = [];
  const rawRates: number[] = [];
  for (let run = 0; run < Math.max(3, Math.ceil(RUNS / 2)); run++) {
    const app = await expiredSet();
    let deleted = 0;
    const appMs = await timed(async () => (deleted = (await applyRetention(app.store, { now: new Date(), days: 30, concurrency: CONCURRENCY })).rows));
    if (deleted !== app.rows.length) throw new Error(`retention deleted ${deleted} of ${app.rows.length} rows`);
    appRates.push((deleted / appMs) * 1000);

    const raw = await expiredSet();
    const byPartition = new Map<string, { table: string; partitionKey: string; rowKeys: string[] }>();
    for (const { table, row } of raw.rows) {
      const key = `${table}\n${row.partitionKey}`;
      const group = byPartition.get(key) ?? { table, partitionKey: String(row.partitionKey), rowKeys: [] };
      group.rowKeys.push(String(row.rowKey));
      byPartition.set(key, group);
    }
    const batches = [...byPartition.values()].flatMap((group) =>
      Array.from({ length: Math.ceil(group.rowKeys.length / 100) }, (_, i) => ({ ...group, rowKeys: group.rowKeys.slice(i * 100, (i + 1) * 100) })),
    );
    const rawMs = await timed(() =>
      pool(batches, CONCURRENCY, ({ table, partitionKey, rowKeys }) => {
        const client = TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
        return rowKeys.length === 1
          ? client.deleteEntity(partitionKey, rowKeys[0]!)
          : client.submitTransaction(rowKeys.map((rowKey) => ['delete', { partitionKey, rowKey }] as ['delete', { partitionKey: string; rowKey: string }]));
      }),
    );
    rawRates.push((raw.rows.length / rawMs) * 1000);
    console.error(`  retention run ${run}: ${appRates.at(-1)!.toFixed(0)} rows/s, raw ${rawRates.at(-1)!.toFixed(0)} rows/s`);
  }
  return {
    messages,
    appRowsPerSecond: round(median(appRates), 0),
    rawRowsPerSecond: round(median(rawRates), 0),
    ratio: round(median(appRates) / median(rawRates)),
  };
}

// --- lookups ------------------------------------------------------------------------------------------
/**
 * GET /api/recipients/{address}/messages for an address with 2,000 events over 500 messages (a
 * delivery report, two opens and a click each): the first page and the sixth page of 50, against one
 * raw partition query of 50 rows. Also counts the sequential round trips of a page.
 */
async function benchLookups() {
  await import('../src/index.js');
  const { listRecipientMessages } = await import('../src/functions/listRecipientMessages.js');
  const { recipientMessagesPage } = await import('../src/storage/lookups.js');
  const { seedDeliveryReport, seedEngagementReport } = await import('./sampleEvents.js');
  const context = quietContext('listRecipientMessages');
  const address = `bench.${randomUUID().slice(0, 8)}@contoso.com`;
  const events = Array.from({ length: 500 }, (_, n) => {
    const messageId = randomUUID();
    const at = (seconds: number) => new Date(Date.UTC(2026, 10, 1) + (n * 3600 + seconds) * 1000).toISOString().replace('Z', '1234Z');
    const engagement = (type: string, seconds: number) => ({
      ...seedEngagementReport,
      id: randomUUID(),
      data: { ...seedEngagementReport.data, messageId, recipient: address, engagementType: type, userActionTimeStamp: at(seconds) },
    });
    return [
      { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, recipient: address, internetMessageId: `<${messageId}@contoso.com>`, deliveryAttemptTimeStamp: at(0) } },
      engagement('view', 60),
      engagement('view', 600),
      engagement('click', 620),
    ];
  }).flat();
  await pool(events, CONCURRENCY, (event) => ingestEvent(event, context));

  const rawMessageId = randomUUID();
  await pool(eventsFor(100).filter((_, i) => i % 2 === 0).slice(0, 50).map((event) => ({ ...event, data: { ...event.data, messageId: rawMessageId } })), CONCURRENCY, (event) =>
    ingestEvent(event, context),
  );
  const raw = TableClient.fromConnectionString(azurite.connectionString, 'EmailEvents', { allowInsecureConnection: true });
  const readRaw = async () => {
    const rows = [];
    for await (const row of raw.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${rawMessageId}` } })) rows.push(row);
    if (rows.length !== 50) throw new Error(`raw query read ${rows.length} rows`);
  };
  const readPage = async (pageToken?: string) => {
    const query = { limit: '50', ...(pageToken ? { pageToken } : {}) };
    const request = new HttpRequest({ method: 'GET', url: `http://localhost/api/recipients/x/messages?${new URLSearchParams(query)}`, params: { address }, query });
    const response = await listRecipientMessages(request, context);
    if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
    const body = response.jsonBody as { messages: unknown[]; nextPageToken?: string };
    if (body.messages.length !== 50) throw new Error('a page of 50 was expected');
    JSON.stringify(body);
    return body.nextPageToken;
  };
  let token: string | undefined;
  for (let page = 0; page < 5; page++) token = await readPage(token);
  const laterToken = token!;

  const { count, clientOptions: counted } = roundTripCounter();
  const tracking = createEventStore(readSettings({ EmailEventsStorage: azurite.connectionString }), { clientOptions: { allowInsecureConnection: true, ...counted } });
  const trips = [];
  for (const after of [undefined, (await recipientMessagesPage(tracking, { address, limit: 250 }))!.next]) {
    count.reset();
    await recipientMessagesPage(tracking, { address, limit: 50, after });
    trips.push({ roundTrips: count.roundTrips, queries: count.requests });
  }

  // The fewest requests any design allows this page, issued raw against the same partition: the tail's
  // 51 rows, then the 51 messages' rows by exact key, 14 to a query (Azure's 15 comparisons in a filter,
  // one of them the partition key) and all at once. Opens and clicks arrive without the attempt time
  // that orders the tail, so no key written without a read puts them beside it: this is the floor.
  const index = TableClient.fromConnectionString(azurite.connectionString, 'EmailEventsIndex', { allowInsecureConnection: true });
  const partitionKey = recipientPartitionKey(normalizeAddress(address)!);
  const groupKeys: string[] = [];
  for await (const row of index.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey} and RowKey ge ${GROUP_PREFIX} and RowKey lt ${endOf(GROUP_PREFIX)}` } })) {
    groupKeys.push(row.rowKey!);
  }
  const EXACT_KEYS_PER_QUERY = 14;
  const readFloor = async () => {
    const tail = await firstPage(index, odata`PartitionKey eq ${partitionKey} and RowKey ge ${TAIL_PREFIX} and RowKey lt ${endOf(TAIL_PREFIX)}`, 51);
    const keys = groupKeys.slice(0, tail.length);
    const queries = [];
    for (let start = 0; start < keys.length; start += EXACT_KEYS_PER_QUERY) {
      const exact = keys.slice(start, start + EXACT_KEYS_PER_QUERY).map((key) => odata`RowKey eq ${key}`);
      queries.push(firstPage(index, `${odata`PartitionKey eq ${partitionKey}`} and (${exact.join(' or ')})`, 1000));
    }
    if ((await Promise.all(queries)).flat().length !== 51) throw new Error('the floor read the wrong rows');
  };

  const sides = { raw: readRaw, first: () => readPage(), later: () => readPage(laterToken), floor: readFloor };
  const latencies: Record<keyof typeof sides, number[]> = { raw: [], first: [], later: [], floor: [] };
  for (let i = 0; i < 10; i++) await Promise.all(Object.values(sides).map((read) => read()));
  for (let i = 0; i < 60; i++) {
    for (const side of i % 2 ? (['raw', 'first', 'later', 'floor'] as const) : (['floor', 'later', 'first', 'raw'] as const)) latencies[side].push(await timed(sides[side]));
  }
  const [first, later, rawLatencies] = [latencies.first, latencies.later, latencies.raw];
  return {
    events: events.length,
    messages: 500,
    firstPage: { p50Ms: round(median(first)), ratioP50: round(median(first) / median(rawLatencies)), ...trips[0]! },
    laterPage: { p50Ms: round(median(later)), ratioP50: round(median(later) / median(rawLatencies)), ...trips[1]! },
    rawP50Ms: round(median(rawLatencies)),
    floor: { p50Ms: round(median(latencies.floor)), ratioP50: round(median(latencies.floor) / median(rawLatencies)), queries: 1 + Math.ceil(51 / EXACT_KEYS_PER_QUERY) },
  };
}

/** The first page of a raw query. */
async function firstPage(client: TableClient, filter: string, maxPageSize: number) {
  for await (const page of client.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize })) return page;
  return [];
}

// --- read ---------------------------------------------------------------------------------------------
async function benchRead() {
  await import('../src/index.js');
  const { getMessageStatus } = await import('../src/functions/getMessageStatus.js');
  const store = defaultEventStore();
  const raw = TableClient.fromConnectionString(azurite.connectionString, 'EmailEvents', { allowInsecureConnection: true });
  const context = quietContext('getMessageStatus');
  const results = [];
  for (const size of [10, 100, 1000]) {
    const messageId = randomUUID();
    const events = Array.from({ length: size }, (_, i) => {
      const [delivery, engagement] = sampleMessageEvents(messageId);
      return i % 2 ? engagement! : { ...delivery!, data: { ...delivery!.data, recipient: `r${i}@contoso.com` } };
    });
    await pool(events, CONCURRENCY, (event) => ingestEvent(event, context, { store }));
    // The request object is the host's work, made before the handler runs; serializing is the app's.
    const request = () => new HttpRequest({ method: 'GET', url: `http://localhost/api/messages/${messageId}`, params: { messageId } });
    const readApi = async (input = request()) => {
      const response = await getMessageStatus(input, context);
      if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
      return JSON.stringify(response.jsonBody);
    };
    const readRaw = async () => {
      const rows = [];
      for await (const row of raw.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${messageId}` } })) rows.push(row);
      if (rows.length !== size) throw new Error('raw query lost rows');
      return rows;
    };
    const samples = size === 1000 ? 30 : 100;
    for (let i = 0; i < 10; i++) await Promise.all([readApi(), readRaw()]);
    const api: number[] = [];
    const rawLatencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const input = request();
      if (i % 2) {
        api.push(await timed(() => readApi(input)));
        rawLatencies.push(await timed(readRaw));
      } else {
        rawLatencies.push(await timed(readRaw));
        api.push(await timed(() => readApi(input)));
      }
    }
    results.push({
      events: size,
      apiP50Ms: round(median(api)),
      apiP95Ms: round(percentile(api, 0.95)),
      rawP50Ms: round(median(rawLatencies)),
      rawP95Ms: round(percentile(rawLatencies, 0.95)),
      ratioP50: round(median(api) / median(rawLatencies)),
      ratioP95: round(percentile(api, 0.95) / percentile(rawLatencies, 0.95)),
    });
  }
  return results;
}

// --- statistics ---------------------------------------------------------------------------------------
/**
 * GET /api/stats for 30 days of one sender (50 messages a day, half of them another sender's), the days rolled
 * up, against one raw partition query of 30 rows. Counts the storage requests of the read.
 */
async function benchStatistics() {
  const { rollUpDay, rollUpShard } = await import('../src/stats/rollUp.js');
  const { readStatistics } = await import('../src/stats/statistics.js');
  const { SHARDS } = await import('../src/stats/facts.js');
  const { seedDeliveryReport, seedEngagementReport } = await import('./sampleEvents.js');
  const table = await freshTable();
  const settings = readSettings({ EmailEventsStorage: azurite.connectionString, EmailEventsTable: table });
  const store = createEventStore(settings, { clientOptions: counting });
  const days = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 10, 1 + i)).toISOString().slice(0, 10));
  // 50 messages a day at the default 1,000 events, half of them the sender's.
  const perDay = Math.max(4, 2 * Math.round(EVENTS / 40));
  const events = days.flatMap((day) =>
    Array.from({ length: perDay }, (_, n) => {
      const messageId = randomUUID();
      const sender = n % 2 ? 'news@contoso.com' : 'billing@contoso.com';
      const at = `${day}T${String(n % 24).padStart(2, '0')}:10:00.1234567Z`;
      const opened = `${day}T${String(n % 24).padStart(2, '0')}:40:00Z`;
      return [
        { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, sender, messageId, recipient: `r${n}@fabrikam.com`, status: n % 10 ? 'Delivered' : 'Bounced', deliveryAttemptTimeStamp: at } },
        { ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, sender, messageId, recipient: `r${n}@fabrikam.com`, userActionTimeStamp: opened, userAgent: 'Mozilla/5.0' } },
      ];
    }),
  ).flat();
  await pool(events, CONCURRENCY, async (raw) => {
    const normalized = normalizeEvent(raw);
    if (normalized.outcome !== 'accepted') throw new Error('bench events are accepted');
    await store.append(normalized.event, normalized.event.occurredAt!);
  });
  const now = new Date('2026-11-30T23:00:00Z');
  await pool(days.flatMap((day) => SHARDS.map((shard) => ({ day, shard }))), CONCURRENCY, ({ day, shard }) => rollUpShard(store, day, shard, now));
  await pool(days, CONCURRENCY, (day) => rollUpDay(store, day));
  const query = { from: days[0]!, to: days.at(-1)!, sender: 'news@contoso.com', granularity: 'day' as const };
  const readApi = async () => {
    const body = await readStatistics(store, query, now);
    if (body.totals.recipients !== (days.length * perDay) / 2 || body.buckets.some((bucket) => bucket.source !== 'rollup')) throw new Error('the statistics read counted wrong');
    return JSON.stringify(body);
  };
  requests = 0;
  await readApi();
  const requestsPerRead = requests;

  const raw = TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
  const rawPartition = randomUUID();
  await Promise.all(Array.from({ length: 30 }, (_, i) => raw.createEntity({ partitionKey: rawPartition, rowKey: `r${i}`, counts: '{}' })));
  const readRaw = async () => {
    const rows = [];
    for await (const row of raw.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${rawPartition}` } })) rows.push(row);
    if (rows.length !== 30) throw new Error(`raw query read ${rows.length} rows`);
  };
  for (let i = 0; i < 10; i++) await Promise.all([readApi(), readRaw()]);
  const api: number[] = [];
  const rawLatencies: number[] = [];
  for (let i = 0; i < 60; i++) {
    if (i % 2) {
      api.push(await timed(readApi));
      rawLatencies.push(await timed(readRaw));
    } else {
      rawLatencies.push(await timed(readRaw));
      api.push(await timed(readApi));
    }
  }

  // A day's messages (GET /api/messages?day=): the first page of 50 of one day, by the same measure.
  const { readDayMessages } = await import('../src/stats/dayMessageList.js');
  const dayQuery = { day: days[14]!, limit: 50 };
  const readDay = async () => {
    const page = await readDayMessages(store, dayQuery);
    if (page.messages.length !== Math.min(50, perDay)) throw new Error(`the day's messages read ${page.messages.length}`);
  };
  requests = 0;
  await readDay();
  const requestsPerDayPage = requests;
  const dayLatencies: number[] = [];
  const dayRawLatencies: number[] = [];
  for (let i = 0; i < 30; i++) {
    dayLatencies.push(await timed(readDay));
    dayRawLatencies.push(await timed(readRaw));
  }
  return {
    days: days.length,
    events: events.length,
    requestsPerRead,
    apiP50Ms: round(median(api)),
    rawP50Ms: round(median(rawLatencies)),
    ratioP50: round(median(api) / median(rawLatencies)),
    dayMessages: { perDay, requestsPerPage: requestsPerDayPage, p50Ms: round(median(dayLatencies)), rawP50Ms: round(median(dayRawLatencies)), ratioP50: round(median(dayLatencies) / median(dayRawLatencies)) },
  };
}

// --- start-up -----------------------------------------------------------------------------------------
/**
 * In a fresh Node process: the time and memory an import takes, and which packages it loaded (the
 * resolve hook sees ES modules, require.cache the CommonJS ones).
 */
const IMPORT_PROBE = `
import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = new Set();
port1.on('message', (url) => urls.add(url));
port1.unref();
const hooks = 'export async function initialize({ port }) { globalThis.port = port; }' +
  'export async function resolve(s, c, next) { const r = await next(s, c); globalThis.port.postMessage(r.url); return r; }';
register('data:text/javascript,' + encodeURIComponent(hooks), { data: { port: port2 }, transferList: [port2] });
const target = process.argv[1];
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
await import(target);
const ms = performance.now() - started;
globalThis.gc?.();
const heap = process.memoryUsage().heapUsed - heapBefore;
await new Promise((done) => setTimeout(done, 50));
const require = createRequire(import.meta.url);
const files = [...urls, ...Object.keys(require.cache)];
const packages = [...new Set(files.map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))].sort();
console.log(JSON.stringify({ ms, heap, packages }));
`;

function probeImport(target: string) {
  const output = execFileSync(process.execPath, ['--expose-gc', '--no-warnings', '--input-type=module', '-e', IMPORT_PROBE, target], {
    cwd: root,
    env: { ...process.env, EmailEventsStorage: 'UseDevelopmentStorage=true' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(output.toString().trim().split('\n').at(-1)!) as { ms: number; heap: number; packages: string[] };
}

function benchStartup() {
  // The entry point built beside this script, wherever the build went.
  const entry = fileURLToPath(new URL('../src/index.js', import.meta.url));
  const baselineTarget = '@azure/functions';
  probeImport(baselineTarget);
  probeImport(entry);
  const baseline: { ms: number; heap: number }[] = [];
  const app: { ms: number; heap: number }[] = [];
  let packages: string[] = [];
  const runs = Math.max(RUNS * 3, 9);
  for (let run = 0; run < runs; run++) {
    baseline.push(probeImport(baselineTarget));
    const probe = probeImport(entry);
    app.push(probe);
    packages = probe.packages;
  }
  const ms = (list: { ms: number }[]) => median(list.map((p) => p.ms));
  const heap = (list: { heap: number }[]) => median(list.map((p) => p.heap));
  const unused = ['@azure/data-tables', '@azure/identity', '@azure/core-rest-pipeline', '@azure/core-client', '@azure/eventgrid'].filter((name) => packages.includes(name));
  return {
    baselineMs: round(ms(baseline), 1),
    appMs: round(ms(app), 1),
    timeRatio: round(ms(app) / ms(baseline)),
    baselineHeapMB: round(heap(baseline) / 1e6, 1),
    appHeapMB: round(heap(app) / 1e6, 1),
    memoryRatio: round(heap(app) / heap(baseline)),
    packagesLoaded: packages,
    sdksLoadedBeforeFirstEvent: unused,
  };
}

// --- http ---------------------------------------------------------------------------------------------
async function benchHttp() {
  const { createLocalHost } = await import('./localHost.js');
  const { registeredFunctions } = await import('../src/registry.js');
  const host = createLocalHost(registeredFunctions(), () => {});
  await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
  const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/runtime/webhooks/eventgrid?functionName=emailDeliveryReport`;
  const post = async (event: unknown) => {
    const response = await fetch(url, { method: 'POST', headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/json' }, body: JSON.stringify([event]) });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`webhook answered ${response.status}`);
  };
  await pool(eventsFor(200), 8, post);
  const results = [];
  for (const concurrency of [1, 8, 32]) {
    const count = concurrency === 1 ? Math.min(EVENTS, 300) : EVENTS;
    const rates: number[] = [];
    const p50: number[] = [];
    const p99: number[] = [];
    for (let run = 0; run < Math.max(3, Math.ceil(RUNS / 2)); run++) {
      const events = eventsFor(count);
      let latencies: number[] = [];
      const ms = await timed(async () => (latencies = await pool(events, concurrency, post)));
      rates.push((count / ms) * 1000);
      p50.push(percentile(latencies, 0.5));
      p99.push(percentile(latencies, 0.99));
    }
    results.push({ concurrency, eventsPerSecond: round(median(rates), 0), p50Ms: round(median(p50)), p99Ms: round(median(p99)) });
  }
  host.close();
  return results;
}

// --- report -------------------------------------------------------------------------------------------
const check = (ok: boolean) => (ok ? 'met' : 'MISSED');
try {
  console.log(`Benchmark: ${RUNS} runs of ${EVENTS} events, concurrency ${CONCURRENCY}, Node ${process.version}, in-memory Azurite\n`);
  const ingest = await measured('ingest', benchIngest);
  const suppression = await measured('suppression', benchSuppression);
  const read = await measured('read', benchRead);
  const lookups = await measured('lookups', benchLookups);
  const statistics = await measured('statistics', benchStatistics);
  const retention = await measured('retention', benchRetention);
  const startup = await measured('startup', benchStartup);
  const http = await measured('http', benchHttp);
  const results = { date: new Date().toISOString(), node: process.version, runs: RUNS, ingest, suppression, read, lookups, statistics, retention, startup, http };
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);

  const rows: string[][] = [
    ['figure', 'app', 'baseline', 'ratio', 'target'],
    ...(ingest
      ? [
          ['ingest, events/s', `${ingest.ingestEventsPerSecond}`, `${ingest.rawEventsPerSecond} (raw inserts)`, `${ingest.ratio}`, `≥ 0.9: ${check(ingest.ratio >= 0.9)}`],
          ...ingest.requestsByKind.map((k) => [`storage requests per ${k.kind}`, `${k.counted}`, '', '', `= ${k.expected}: ${check(k.counted === k.expected)}`]),
        ]
      : []),
    ...(suppression
      ? [
        [
          `bounce-heavy flood ingest, events/s`,
          `${suppression.appEventsPerSecond}`,
          `${suppression.rawEventsPerSecond} (raw writes of the same rows)`,
          `${suppression.ratio}`,
          `≥ 0.9: ${check(suppression.ratio >= 0.9)}`,
        ],
        ...suppression.pages.map((p) => [
          `suppression list, page ${p.page} of 50 entries (${suppression.listAddresses} addresses), p50 ms`,
          `${p.p50Ms} (${p.roundTrips} round trips, ${p.queries} queries)`,
          '',
          '',
          `round trips ≤ 2: ${check(p.roundTrips <= 2)}`,
        ]),
        ]
      : []),
    ...(read ?? []).map((r) => [
      `GET, ${r.events} events, p50 / p95 ms`,
      `${r.apiP50Ms} / ${r.apiP95Ms}`,
      `${r.rawP50Ms} / ${r.rawP95Ms} (raw query)`,
      `${r.ratioP50} / ${r.ratioP95}`,
      `p50 ≤ 1.3: ${check(r.ratioP50 <= 1.3)}`,
    ]),
    ...(lookups
      ? [
          ...(['firstPage', 'laterPage'] as const).map((page) => [
            `GET recipient messages, ${page === 'firstPage' ? 'first page' : 'sixth page'} of 50 (${lookups.events} events), p50 ms`,
            `${lookups[page].p50Ms} (${lookups[page].roundTrips} round trips, ${lookups[page].queries} queries)`,
            `${lookups.rawP50Ms} (raw 50-row partition query)`,
            `${lookups[page].ratioP50}`,
            `p50 ≤ 3, round trips ≤ 3: ${check(lookups[page].ratioP50 <= 3 && lookups[page].roundTrips <= 3)}`,
          ]),
          [`… the floor: any design's fewest queries for that page, raw (tail, then exact keys), p50 ms`, `${lookups.floor.p50Ms} (2 round trips, ${lookups.floor.queries} queries)`, `${lookups.rawP50Ms}`, `${lookups.floor.ratioP50}`, ''],
        ]
      : []),
    ...(statistics
      ? [
          [
            `GET statistics, ${statistics.days} days of one sender, rolled up (${statistics.events} events), p50 ms`,
            `${statistics.apiP50Ms} (${statistics.requestsPerRead} storage requests)`,
            `${statistics.rawP50Ms} (raw 30-row partition query)`,
            `${statistics.ratioP50}`,
            `p50 ≤ 3: ${check(statistics.ratioP50 <= 3)}`,
          ],
          [
            `GET a day's messages, first page of 50 (${statistics.dayMessages.perDay} messages that day), p50 ms`,
            `${statistics.dayMessages.p50Ms} (${statistics.dayMessages.requestsPerPage} storage requests)`,
            `${statistics.dayMessages.rawP50Ms} (raw 30-row partition query)`,
            `${statistics.dayMessages.ratioP50}`,
            '',
          ],
        ]
      : []),
    ...(retention ? [[`retention, rows deleted/s (${retention.messages} expired messages)`, `${retention.appRowsPerSecond}`, `${retention.rawRowsPerSecond} (raw batch deletes)`, `${retention.ratio}`, '']] : []),
    ...(startup
      ? [
          ['start-up import, ms', `${startup.appMs}`, `${startup.baselineMs} (@azure/functions)`, `${startup.timeRatio}`, `≤ 1.5: ${check(startup.timeRatio <= 1.5)}`],
          ['start-up heap, MB', `${startup.appHeapMB}`, `${startup.baselineHeapMB}`, `${startup.memoryRatio}`, `≤ 1.5: ${check(startup.memoryRatio <= 1.5)}`],
          ['SDKs loaded before the first event', startup.sdksLoadedBeforeFirstEvent.join(', ') || 'none', '', '', `none: ${check(startup.sdksLoadedBeforeFirstEvent.length === 0)}`],
        ]
      : []),
    ...(http ?? []).map((h) => [`HTTP ingest, concurrency ${h.concurrency}`, `${h.eventsPerSecond} events/s`, `p50 ${h.p50Ms} ms`, `p99 ${h.p99Ms} ms`, '']),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log([line(rows[0]!), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n'));
  console.log(`\nWritten to ${options.out}`);
} finally {
  await azurite.stop();
}
