/**
 * Hostile HTTP against the local host: the app's registered functions over real HTTP, real Azurite
 * underneath. Whatever arrives (any path, query, headers or body, malformed or huge), the answer is a
 * status below 500, in time, that gives nothing away; and the process's memory stays bounded.
 */
import { randomUUID } from 'node:crypto';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, createLocalHost } from '../scripts/localHost.js';
import { seedDeliveryReport, seedEngagementReport, toCloudEvent } from '../scripts/sampleEvents.js';
import { connectionString, rawJsonOfQuarantineEntity, rowsOf } from './helpers.js';

const lines: string[] = [];
const host = createLocalHost(registeredFunctions(), (line) => lines.push(line));
let port = 0;

/** The resident memory of this process, the local host's, sampled while the tests run. */
const rss = { baseline: 0, peak: 0, sampler: undefined as NodeJS.Timeout | undefined };
const sample = () => (rss.peak = Math.max(rss.peak, process.memoryUsage().rss));

beforeAll(async () => {
  await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
  port = (host.address() as AddressInfo).port;
  rss.baseline = process.memoryUsage().rss;
  rss.sampler = setInterval(sample, 20);
});
afterAll(async () => {
  clearInterval(rss.sampler);
  await new Promise<void>((closed) => host.close(() => closed()));
});

/** What must never be in an answer: the storage account's address, name, key or connection string, or a stack trace. */
const azuriteAddress = new URL(/TableEndpoint=([^;]+)/.exec(connectionString())![1]!).host;
const secrets = [azuriteAddress, 'devstoreaccount1', 'AccountKey', 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6', 'DefaultEndpointsProtocol'];
const STACK_TRACE = /\bat [^\s()]+ \(|\bat (file:\/\/|node:|\/)[^\s]*:\d+:\d+/;

interface Answer {
  status: number;
  head: string;
  body: string;
  ms: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Sends raw bytes as one request on a fresh connection and reads the answer until the server closes it. */
function rawRequest(request: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while a refused body is still being written; what it answered still counts.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      // Interim answers (100 Continue) come before the answer.
      const text = Buffer.concat(chunks).toString('latin1').replace(/^(HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
      const [head = '', body = ''] = text.split(/\r\n\r\n([\s\S]*)/, 2);
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1] ?? NaN);
      resolve({ status, head, body, ms: performance.now() - started });
    });
    // Not end(): Node's server drops a request whose client half-closes before the answer.
    socket.write(request);
  });
}

interface Request {
  method: string;
  target: string;
  headers: [string, string][];
  body: string;
}

function encode({ method, target, headers, body }: Request): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const head = [`${method} ${target} HTTP/1.1`, ...headers.map(([name, value]) => `${name}: ${value}`), `Content-Length: ${bytes.length}`, 'Connection: close'];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]);
}

/** Checks what every answer must be, whatever was asked. */
function expectSafe(answer: Answer, request: Buffer) {
  expect(answer.status, answer.head).toBeGreaterThanOrEqual(200);
  expect(answer.status, answer.head).toBeLessThan(500);
  const text = `${answer.head}\r\n\r\n${answer.body}`;
  const asked = request.toString('latin1');
  for (const secret of secrets) if (!asked.includes(secret)) expect(text).not.toContain(secret);
  expect(text).not.toMatch(STACK_TRACE);
  if (answer.status >= 400 && answer.body.length > 0) expect(answer.head).toMatch(/\r\ncontent-type: application\/problem\+json/i);
}

// ── what hostile input is made of ──────────────────────────────────────────────────────────────────

const garbage = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('%', '2', 'F', 'z', '0', '/', '\\', '.', '?', '#', '&', '=', '+', ';', ' ', '\0', '\x7f', 'é', '\u{1F600}'), maxLength: 30 }),
  fc.constantFrom('', '%', '%zz', '%C0%AF', '%2F', '%00', '..', '../..', '%uD800', 'x'.repeat(600), '%E2%82', '\u0000', '\u202e'),
);
/** Percent-encoded garbage, and bad percent-encoding, as HTTP clients can send it. */
const pathPart = fc.oneof(garbage.map(encodeURIComponent), fc.constantFrom('%', '%zz', '%ff%fe', '%25', '..%2f..', '%C0%AF', '%00', '%0d%0a', '-1', '1e3', '0x10', '1000', '1001'));
/** Also raw bytes, where what Node's parser does with them is the test. */
const targetPart = fc.oneof({ weight: 3, arbitrary: pathPart }, garbage.map((text) => text.replace(/[\s]/g, '')));
const functionName = fc.oneof(fc.constantFrom('emailDeliveryReport', 'emailEngagementReport', 'EMAILDELIVERYREPORT', ''), pathPart);
const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'pageToken', 'code', 'functionName'), pathPart), pathPart), { maxLength: 4 });
const queryText = (pairs: [string, string][]) => pairs.map(([name, value]) => `${name}=${value}`).join('&');

const target = fc.oneof(
  fc.tuple(functionName, query).map(([name, pairs]) => `/runtime/webhooks/eventgrid?functionName=${name}&${queryText(pairs)}`),
  fc.tuple(targetPart, query).map(([id, pairs]) => `/api/messages/${id}?${queryText(pairs)}`),
  fc.tuple(fc.constantFrom('/api/messages/', '/api/', '/runtime/webhooks/', '/', '//', '/API/MESSAGES/'), targetPart, query).map(([path, rest, pairs]) => `${path}${rest}?${queryText(pairs)}`),
  fc.constantFrom('*', 'http://evil.example/api/messages/x', '/api/messages/%', '/api/messages/a%00b', '/runtime/webhooks/eventgrid'),
);

const headerName = fc.oneof(fc.constantFrom('aeg-event-type', 'content-type', 'x-functions-key', 'webhook-request-origin', 'accept', 'transfer-encoding', 'expect'), fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/));
const headerValue = fc.oneof(
  fc.constantFrom('Notification', 'SubscriptionValidation', 'Unsubscribe', 'application/json', 'application/cloudevents-batch+json; charset=utf-8', '', 'chunked', '100-continue'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 20 }).map((text) => text.replace(/[\r\n]/g, '')),
);
const hostHeader = fc.oneof(fc.constant('localhost'), fc.constantFrom('', 'a b', '[::1', 'exa mple:99999', '%', 'localhost:7071/x?y#z', 'ü.example'), fc.string({ unit: 'grapheme-ascii', maxLength: 20 }));

const envelope = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.jsonValue(), garbage),
    eventType: fc.oneof(fc.constantFrom(seedDeliveryReport.eventType, seedEngagementReport.eventType), fc.jsonValue()),
    eventTime: fc.oneof(fc.constant(seedDeliveryReport.eventTime), fc.jsonValue(), garbage),
    data: fc.oneof(fc.jsonValue(), fc.record({ messageId: fc.oneof(fc.uuid(), fc.jsonValue(), garbage), status: fc.jsonValue(), deliveryAttemptTimeStamp: garbage, engagementContext: garbage })),
  },
  { requiredKeys: [] },
);
const deep = (depth: number, open: string, close: string) => `${open.repeat(depth)}${close.repeat(depth)}`;
const body = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.array(envelope, { maxLength: 5 }).map((events) => JSON.stringify(events)),
  envelope.map((event) => JSON.stringify(toCloudEvent(event as never))),
  garbage,
  fc.constantFrom('', '{', '[', '[1,', '{"a":}', 'null', '1e999999', '-0', '123456789012345678901234567890', '"\\ud800"', '[{"data":{"validationCode":5}}]', '\u0000', '\ufeff[]'),
  fc.integer({ min: 1, max: 100_000 }).map((depth) => deep(depth, '[', ']')),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => `[{"eventType":"${seedDeliveryReport.eventType}","data":{"messageId":"${randomUUID()}","x":${deep(depth, '{"a":', '}').replace(/\}+$/, (closing) => `1${closing}`)}}}]`),
);

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 60 }).map((value) => value.trim());
const printableHeaders = fc.array(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), printable), { maxLength: 3 });
const localhost: [string, string] = ['Host', 'localhost'];

/** Well-formed deliveries, so that most requests reach the functions, not only Node's parser. */
const webhookRequest = fc.record({
  method: fc.oneof({ weight: 5, arbitrary: fc.constant('POST') }, fc.constantFrom('OPTIONS', 'GET', 'PUT')),
  target: fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('emailDeliveryReport', 'emailEngagementReport') }, functionName), query).map(
    ([name, pairs]) => `/runtime/webhooks/eventgrid?functionName=${name}${pairs.length ? `&${queryText(pairs)}` : ''}`,
  ),
  headers: fc
    .tuple(fc.oneof({ weight: 5, arbitrary: fc.constant('Notification') }, fc.constantFrom('SubscriptionValidation', 'Unsubscribe', 'notification', ''), printable), printableHeaders)
    .map(([kind, rest]) => [localhost, ['aeg-event-type', kind.trim()] as [string, string], ['content-type', 'application/json'] as [string, string], ...rest]),
  body,
});

/** Reads of any message id, with any query. */
const readRequest = fc.record({
  method: fc.constant('GET'),
  target: fc.tuple(pathPart, query).map(([id, pairs]) => `/api/messages/${id}${pairs.length ? `?${queryText(pairs)}` : ''}`),
  headers: printableHeaders.map((rest) => [localhost, ...rest]),
  body: fc.constant(''),
});

/** Anything at all: methods, targets, hosts and header bytes that Node's parser may refuse. */
const wildRequest = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'HEAD', 'PATCH'), fc.stringMatching(/^[A-Z]{1,10}$/)),
  target,
  headers: fc.tuple(hostHeader, fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 })).map(([hostValue, rest]) => [['Host', hostValue] as [string, string], ...rest]),
  body,
});

const hostileRequest = fc.oneof({ weight: 3, arbitrary: webhookRequest }, { weight: 2, arbitrary: readRequest }, { weight: 2, arbitrary: wildRequest });

// ── the properties ────────────────────────────────────────────────────────────────────────────────

/** Fuzz runs; each is one request on a new connection. */
const FUZZ_RUNS = 600;

const statuses = new Map<number, number>();

describe('hostile HTTP', () => {
  it(`answers ${FUZZ_RUNS} arbitrary requests to the webhook and every GET route below 500, in time, giving nothing away`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        const bytes = encode(request);
        const answer = await rawRequest(bytes);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expectSafe(answer, bytes);
      }),
      { numRuns: FUZZ_RUNS, endOnFailure: true },
    );
    // The fuzz reached the functions, not only Node's parser and the routing.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 202, 400, 404, 405]));
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
  }, 120_000);
});

/** A delivery body of one event, as Event Grid posts it. */
const webhookBody = (text: string) =>
  encode({ method: 'POST', target: '/runtime/webhooks/eventgrid?functionName=emailDeliveryReport', headers: [localhost, ['aeg-event-type', 'Notification']], body: text });

describe('deeply nested JSON over HTTP', () => {
  it(`refuses a body of 50,000 [ then 50,000 ] with 400 problem+json, not 500, as anything deeper than ${MAX_JSON_DEPTH}`, async () => {
    // The last: as deep as the size limit allows, refused before it is parsed.
    for (const text of [deep(50_000, '[', ']'), deep(MAX_JSON_DEPTH + 1, '{"a":', '}'), deep(MAX_BODY_BYTES / 2, '[', ']')]) {
      const answer = await rawRequest(webhookBody(text));
      expect(answer.status).toBe(400);
      expect(answer.head).toMatch(/\r\ncontent-type: application\/problem\+json/i);
      expect(answer.body).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    }
  });

  it(`quarantines a body ${MAX_JSON_DEPTH} deep whole, with 202`, async () => {
    const text = deep(MAX_JSON_DEPTH, '[', ']');
    expect((await rawRequest(webhookBody(text))).status).toBe(202);
    const rows = await rowsOf('EmailEventsQuarantine', 'not-an-object');
    // A body that is an array is a batch: its one event is the array inside.
    expect(rows.some((row) => rawJsonOfQuarantineEntity(row) === text.slice(1, -1))).toBe(true);
  });

  it('counts brackets inside strings as text, not nesting', async () => {
    const messageId = randomUUID();
    const event = { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, engagementContext: '['.repeat(2 * MAX_JSON_DEPTH) } };
    expect((await rawRequest(webhookBody(JSON.stringify(event)))).status).toBe(202);
  });

  it('stores an event with no id and a 10,000-deep field in its data, and serves it', async () => {
    const messageId = randomUUID();
    const data = `{"messageId":"${messageId}","status":"Delivered","recipient":"a@b.example","deep":${deep(MAX_JSON_DEPTH - 2, '[', ']')}}`;
    const event = `{"eventType":"${seedDeliveryReport.eventType}","eventTime":"${seedDeliveryReport.eventTime}","data":${data}}`;
    expect((await rawRequest(webhookBody(event))).status).toBe(202);
    expect((await rawRequest(webhookBody(event))).status).toBe(202);
    const read = await rawRequest(encode({ method: 'GET', target: `/api/messages/${messageId}`, headers: [localhost], body: '' }));
    expect(read.status).toBe(200);
    expect(read.body).toMatch(/"status":"Delivered"/);
    expect(read.body.match(/"id":"sha256-[0-9a-f]{64}"/g)).toHaveLength(1);
  });

  it('stores an event as large as the size limit allows', async () => {
    const messageId = randomUUID();
    const event = { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, wide: Array(MAX_BODY_BYTES / 2 - 1000).fill(0) } };
    const answer = await rawRequest(webhookBody(JSON.stringify(event)));
    expect(answer.status).toBe(202);
    expect((await rawRequest(encode({ method: 'GET', target: `/api/messages/${messageId}`, headers: [localhost], body: '' }))).status).toBe(200);
  });
});

describe('memory', () => {
  // Runs last: the peak covers every request above. This process holds the local host, and the test
  // client too, so the figure is an upper bound for the host; a 4 MB body in flight is several copies
  // of it (bytes, text, parsed). Parsing a body nested 2,000,000 deep alone took 500 MB more.
  it('stays within 200 MB above where it started, through the fuzz and the largest and deepest bodies', () => {
    sample();
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    console.info(`Resident memory: ${mb(rss.baseline)} MB at the start, ${mb(rss.peak)} MB at the peak (+${mb(rss.peak - rss.baseline)} MB).`);
    expect(mb(rss.peak - rss.baseline)).toBeLessThan(200);
  });
});
