/**
 * What the API's answers carry over real HTTP (the local host, the app's registered functions, real
 * Azurite), each checked against the OpenAPI document: the headers of answers that may hold personal
 * data, HEAD beside every GET, and the answers a schema-driven fuzzer found undeclared.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';
import { MAX_EVENTS_PER_DELIVERY, createLocalHost, routesOf } from '../scripts/localHost.js';
import { sampleMessageEvents } from '../scripts/sampleEvents.js';
import { sendEvents } from '../scripts/sendSample.js';
import { expectHeadersMatchOpenApi, expectMatchesOpenApi } from './openApiContract.js';

const host = createLocalHost(registeredFunctions(), () => {});
let baseUrl = '';
let port = 0;
const events = sampleMessageEvents();
const messageId = events[0]!.data.messageId;
const address = events[0]!.data.recipient;

beforeAll(async () => {
  await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
  port = (host.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  await sendEvents(events, { baseUrl });
});
afterAll(() => new Promise<void>((closed) => host.close(() => closed())));

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request, with any method and headers (fetch refuses some, such as Expect), read to its end. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject).end(body);
  });
}

/** Raw bytes as one request on a fresh connection, for what no HTTP client sends; the answer, read until the host closes. */
function sendRaw(request: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The host closes after a refusal; what it answered still counts.
    socket.on('error', () => {});
    socket.on('close', () => {
      const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split(/\r\n\r\n([\s\S]*)/, 2);
      const headers = Object.fromEntries(head.split('\r\n').slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]), headers, body });
    });
    socket.write(request);
  });
}

/** Asserts that an answer of `method template` is what the document declares: its body (when it has one) and its headers. */
function expectDeclared(template: string, method: string, answer: Answer): void {
  const contentType = answer.headers['content-type']?.split(';')[0];
  if (answer.body !== '' && contentType?.endsWith('json')) expectMatchesOpenApi(template, method, answer.status, contentType, JSON.parse(answer.body));
  expectHeadersMatchOpenApi(template, method, answer.status, answer.headers);
}

/**
 * Every GET route, with a path that finds something where the sample has it (it carries no Message-ID
 * header) and one that finds nothing where the route has parameters.
 */
const getPaths = () =>
  routesOf(registeredFunctions())
    .filter((route) => route.trigger === 'http' && route.methods.includes('GET'))
    .flatMap((route) => {
      const found = route.path.replace('{messageId}', messageId).replace('{address}', encodeURIComponent(address)).replace('{internetMessageId}', randomUUID()).replace('{asset}', 'app.js');
      const missing = route.path.replace(/\{\w+\}/g, `${randomUUID()}@nowhere.example`);
      return [{ template: route.path, path: found }, ...(missing === route.path ? [] : [{ template: route.path, path: missing }])];
    });

describe('answers that may hold personal data', () => {
  it('carry Cache-Control: no-store and X-Content-Type-Options: nosniff, JSON and problems alike, as the document declares', async () => {
    const answers = await Promise.all([
      send('GET', `/api/messages/${messageId}`),
      send('GET', `/api/recipients/${encodeURIComponent(address)}`),
      send('GET', `/api/recipients/${encodeURIComponent(address)}/messages?limit=0`),
      send('GET', `/api/internet-messages/${randomUUID()}`),
      send('GET', '/api/activity/index.html'),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 400, 404, 404]);
    for (const answer of answers) {
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
    expectDeclared('/api/messages/{messageId}', 'GET', answers[0]!);
    expectDeclared('/api/recipients/{address}', 'GET', answers[1]!);
    expectDeclared('/api/recipients/{address}/messages', 'GET', answers[2]!);
    expectDeclared('/api/internet-messages/{internetMessageId}', 'GET', answers[3]!);
    expectDeclared('/api/activity/{asset}', 'GET', answers[4]!);
  });
});

describe('HEAD', () => {
  it("answers on every GET route with the GET's status and headers, and no body", async () => {
    const paths = getPaths();
    expect(paths.length).toBeGreaterThanOrEqual(10);
    for (const { template, path } of paths) {
      const [get, head] = [await send('GET', path), await send('HEAD', path)];
      // Not the date, nor how the body is framed (RFC 9110, 9.3.2: a HEAD answer may leave out what only writing the body decides).
      const { date: _getDate, 'transfer-encoding': _chunked, 'content-length': _getLength, ...getHeaders } = get.headers;
      const { date: _headDate, 'content-length': _headLength, ...headHeaders } = head.headers;
      expect({ path, status: head.status, headers: headHeaders, body: head.body }).toEqual({ path, status: get.status, headers: getHeaders, body: '' });
      expectDeclared(template, 'HEAD', head);
    }
  });
});

describe('what a schema-driven fuzzer found undeclared', () => {
  it('answers a bad percent-escape in a path parameter with a 400 that names the parameter', async () => {
    const asset = await send('GET', '/api/activity/app.js%zz');
    expect(asset.status).toBe(400);
    expect(JSON.parse(asset.body)).toMatchObject({ status: 400, parameter: 'asset' });
    expectDeclared('/api/activity/{asset}', 'GET', asset);
    const message = await send('GET', '/api/messages/%E0%A4%A');
    expect(JSON.parse(message.body)).toMatchObject({ status: 400, parameter: 'messageId' });
    expectDeclared('/api/messages/{messageId}', 'GET', message);
  });

  it('answers raw bytes in the path, which the host cannot read, with a 400 that names no parameter, as the document says', async () => {
    const answer = await sendRaw(Buffer.concat([Buffer.from('GET /api/activity/app.js'), Buffer.from([0xc3, 0xa9, 0xff]), Buffer.from(' HTTP/1.1\r\nHost: localhost\r\n\r\n')]));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).not.toHaveProperty('parameter');
    expectDeclared('/api/activity/{asset}', 'GET', answer);
  });

  it('redirects /api/activity/ (the asset route with no name) to the page, as the document declares', async () => {
    const answer = await send('GET', '/api/activity/');
    expect(answer).toMatchObject({ status: 308, body: '', headers: { location: '/api/activity' } });
    expectDeclared('/api/activity/{asset}', 'GET', answer);
  });

  it("answers the webhook's 413, 417 and 431, and its handshake, as the document declares them", async () => {
    const webhook = '/runtime/webhooks/eventgrid?functionName=emailDeliveryReport';
    const eventGrid = { 'content-type': 'application/json', 'aeg-event-type': 'Notification' };
    const tooMany = await send('POST', webhook, eventGrid, JSON.stringify(Array(MAX_EVENTS_PER_DELIVERY + 1).fill(1)));
    const badExpect = await send('POST', webhook, { ...eventGrid, expect: 'something-else' }, '[]');
    const hugeHeaders = await sendRaw(Buffer.from(`POST ${webhook} HTTP/1.1\r\nHost: localhost\r\naeg-event-type: Notification\r\nx-padding: ${'a'.repeat(20 * 1024)}\r\ncontent-length: 2\r\n\r\n[]`));
    const handshake = await send('POST', webhook, { ...eventGrid, 'aeg-event-type': 'SubscriptionValidation' }, JSON.stringify([{ id: '1', data: { validationCode: 'code-1' } }]));
    expect([tooMany.status, badExpect.status, hugeHeaders.status, handshake.status]).toEqual([413, 417, 431, 200]);
    for (const answer of [tooMany, badExpect, hugeHeaders, handshake]) expectDeclared('/runtime/webhooks/eventgrid', 'POST', answer);
  });
});
