/** The local host end to end: real HTTP in, the app's registered functions, real Azurite underneath. */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { EventGridHandler } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import '../src/index.js';
import { registeredFunctions, type FunctionRegistration } from '../src/registry.js';
import { DRAIN_AFTER_REFUSAL_BYTES, DRAIN_AFTER_REFUSAL_MS, EVENTS_IN_FLIGHT_PER_DELIVERY, MAX_BODY_BYTES, MAX_EVENTS_PER_DELIVERY, createLocalHost, routesOf } from '../scripts/localHost.js';
import { sampleMessageEvents, seedDeliveryReport, toCloudEvent } from '../scripts/sampleEvents.js';
import { messageIdsOf, sendEvents } from '../scripts/sendSample.js';
import { localUserOf, platformPrincipalHeaders } from '../scripts/localSignIn.js';

const lines: string[] = [];
const host = createLocalHost(registeredFunctions(), (line) => lines.push(line));
const timerNames = registeredFunctions().filter((registration) => registration.trigger === 'timer').map((registration) => registration.name);
/** The lines but a timer's: its schedule may fire during any test (rollUpStatistics runs every 15 minutes). */
const requestLines = () => lines.filter((line) => !timerNames.some((name) => line.startsWith(`${name} ran `) || new RegExp(`^ {2}\\[\\w+\\] ${name}:`).test(line)));
let baseUrl = '';

beforeAll(async () => {
  await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
  baseUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((closed) => host.close(() => closed())));

function webhook(functionName: string, body: string, eventType: string | null = 'Notification', base = baseUrl) {
  return fetch(`${base}/runtime/webhooks/eventgrid?functionName=${functionName}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(eventType ? { 'aeg-event-type': eventType } : {}) },
    body,
  });
}

describe('the local host serves exactly what the app registers', () => {
  it('derives one route per registration, with its name, methods, route and auth level', () => {
    expect(routesOf(registeredFunctions())).toEqual([
      { name: 'addSuppression', trigger: 'http', methods: ['PUT'], path: '/api/suppressions/{address}', authLevel: 'function' },
      { name: 'addSuppressionSignedIn', trigger: 'http', methods: ['PUT'], path: '/api/signed-in/suppressions/{address}', authLevel: 'anonymous' },
      { name: 'applyRetention', trigger: 'timer', methods: ['POST'], path: '/admin/functions/applyRetention', authLevel: 'admin' },
      { name: 'emailDeliveryReport', trigger: 'eventGrid', methods: ['POST'], path: '/runtime/webhooks/eventgrid?functionName=emailDeliveryReport', authLevel: 'system' },
      { name: 'emailEngagementReport', trigger: 'eventGrid', methods: ['POST'], path: '/runtime/webhooks/eventgrid?functionName=emailEngagementReport', authLevel: 'system' },
      { name: 'eraseMessage', trigger: 'http', methods: ['DELETE'], path: '/api/messages/{messageId}', authLevel: 'function' },
      { name: 'eraseMessageSignedIn', trigger: 'http', methods: ['DELETE'], path: '/api/signed-in/messages/{messageId}', authLevel: 'anonymous' },
      { name: 'eraseRecipient', trigger: 'http', methods: ['DELETE'], path: '/api/recipients/{address}', authLevel: 'function' },
      { name: 'eraseRecipientSignedIn', trigger: 'http', methods: ['DELETE'], path: '/api/signed-in/recipients/{address}', authLevel: 'anonymous' },
      { name: 'getActivityAsset', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/activity/{asset}', authLevel: 'anonymous' },
      { name: 'getActivityPage', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/activity', authLevel: 'anonymous' },
      { name: 'getInternetMessage', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/internet-messages/{internetMessageId}', authLevel: 'function' },
      { name: 'getInternetMessageSignedIn', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/internet-messages/{internetMessageId}', authLevel: 'anonymous' },
      { name: 'getMessageStatus', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/messages/{messageId}', authLevel: 'function' },
      { name: 'getMessageStatusSignedIn', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/messages/{messageId}', authLevel: 'anonymous' },
      { name: 'getOpenApi', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/openapi.json', authLevel: 'anonymous' },
      { name: 'getRecipient', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/recipients/{address}', authLevel: 'function' },
      { name: 'getRecipientSignedIn', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/recipients/{address}', authLevel: 'anonymous' },
      { name: 'getSignedInUser', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/me', authLevel: 'anonymous' },
      { name: 'getStatistics', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/stats', authLevel: 'function' },
      { name: 'getStatisticsSignedIn', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/stats', authLevel: 'anonymous' },
      { name: 'getSuppression', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/suppressions/{address}', authLevel: 'function' },
      { name: 'getSuppressionSignedIn', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/suppressions/{address}', authLevel: 'anonymous' },
      { name: 'listDayMessages', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/messages', authLevel: 'function' },
      { name: 'listDayMessagesSignedIn', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/messages', authLevel: 'anonymous' },
      { name: 'listRecipientMessages', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/recipients/{address}/messages', authLevel: 'function' },
      { name: 'listRecipientMessagesSignedIn', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/recipients/{address}/messages', authLevel: 'anonymous' },
      { name: 'listSuppressions', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/suppressions', authLevel: 'function' },
      { name: 'listSuppressionsSignedIn', trigger: 'http', methods: ['GET', 'HEAD'], path: '/api/signed-in/suppressions', authLevel: 'anonymous' },
      { name: 'reactivateSuppression', trigger: 'http', methods: ['DELETE'], path: '/api/suppressions/{address}', authLevel: 'function' },
      { name: 'reactivateSuppressionSignedIn', trigger: 'http', methods: ['DELETE'], path: '/api/signed-in/suppressions/{address}', authLevel: 'anonymous' },
      { name: 'rollUpStatistics', trigger: 'timer', methods: ['POST'], path: '/admin/functions/rollUpStatistics', authLevel: 'admin' },
      { name: 'syncSuppressionList', trigger: 'timer', methods: ['POST'], path: '/admin/functions/syncSuppressionList', authLevel: 'admin' },
    ]);
  });

  it('answers every registered route, and nothing else', async () => {
    for (const route of routesOf(registeredFunctions())) {
      const response =
        route.trigger === 'http'
          ? await fetch(`${baseUrl}${route.path.replace('{address}', `${randomUUID()}@example.test`).replace(/\{\w+\}/g, randomUUID())}${route.name === 'reactivateSuppression' ? '?reason=test' : route.name === 'listDayMessages' ? `?day=${new Date().toISOString().slice(0, 10)}` : ''}`, {
              method: route.methods[0],
              ...(route.name === 'addSuppression' ? { body: '{"note": "test"}' } : {}),
            })
          : route.trigger === 'timer'
            ? await fetch(`${baseUrl}${route.path}`, { method: 'POST', body: '{"input": ""}' })
            : await webhook(route.name, '[]');
      // Nobody is signed in at this host: the people's doors answer 401.
      expect(route.path.startsWith('/api/signed-in/') && route.name !== 'getSignedInUser' ? [401] : [200, 202, 204, 404]).toContain(response.status);
      if (response.status === 404) expect(((await response.json()) as { detail: string }).detail).toMatch(/^(No (events have been recorded for this message id|event has named this address(, and it is not on the suppression list)?|delivery report has carried this Internet Message-ID)|The activity page has no file named "[0-9a-f-]+"|The address is not on the suppression list and never was)\.$/);
    }
    expect((await fetch(`${baseUrl}/api/message`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/other/x`)).status).toBe(404);
    const wrongMethod = await fetch(`${baseUrl}/api/messages/x`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('DELETE, GET, HEAD');
  });
});

describe('ingest over HTTP, read back over HTTP', () => {
  it('stores the seed events posted as Event Grid does and serves them back', async () => {
    const events = sampleMessageEvents();
    const deliveries = await sendEvents(events, { baseUrl });
    expect(deliveries.map((delivery) => [delivery.functionName, delivery.status])).toEqual([
      ['emailDeliveryReport', 202],
      ['emailEngagementReport', 202],
    ]);
    const [messageId] = messageIdsOf(events);
    const response = await fetch(`${baseUrl}/api/messages/${messageId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as any;
    expect(body).toMatchObject({ messageId, status: 'Delivered', engagement: { views: 1 } });
    expect(body.events).toHaveLength(2);
  });

  it('takes a single event, CloudEvents, batches of both types, and redeliveries', async () => {
    const messageId = randomUUID();
    const [delivery, engagement] = sampleMessageEvents(messageId);
    expect((await webhook('emailDeliveryReport', JSON.stringify(delivery))).status).toBe(202);
    expect((await webhook('emailEngagementReport', JSON.stringify([toCloudEvent(engagement!), delivery]))).status).toBe(202);
    expect((await webhook('EMAILDELIVERYREPORT', JSON.stringify([delivery, delivery]))).status).toBe(202);
    const body = (await (await fetch(`${baseUrl}/api/messages/${messageId}`)).json()) as any;
    expect(body.events.map((event: { id: string }) => event.id)).toEqual([delivery!.id, engagement!.id]);
  });

  it('quarantines what can never be stored and still answers 202', async () => {
    const response = await webhook('emailDeliveryReport', JSON.stringify([{ ...seedDeliveryReport, id: randomUUID(), eventType: 'Contoso.Other' }, 42]));
    expect(response.status).toBe(202);
    expect(lines.filter((line) => line.includes('[warning]') && line.includes('quarantined'))).toHaveLength(2);
  });

  it('percent-decodes the message id in the path', async () => {
    const messageId = `with space+${randomUUID()}`;
    await sendEvents(sampleMessageEvents(messageId), { baseUrl });
    expect((await fetch(`${baseUrl}/api/messages/${encodeURIComponent(messageId)}`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/api/messages/a%2Fb`)).status).toBe(400);
  });
});

describe('Event Grid handshakes and bad requests', () => {
  it('answers the subscription validation handshake', async () => {
    const response = await webhook('emailEngagementReport', JSON.stringify([{ id: '1', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: 'code-123' } }]), 'SubscriptionValidation');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ validationResponse: 'code-123' });
  });

  it('accepts Unsubscribe and the CloudEvents abuse-protection OPTIONS', async () => {
    expect((await webhook('emailDeliveryReport', '[]', 'Unsubscribe')).status).toBe(202);
    const options = await fetch(`${baseUrl}/runtime/webhooks/eventgrid?functionName=emailDeliveryReport`, { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });
    expect(options.status).toBe(200);
    expect(options.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
  });

  it('answers 400 for a body that is not JSON or a missing aeg-event-type, and 404 naming the known functions', async () => {
    const notJson = await webhook('emailDeliveryReport', '{not json');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toBe('application/problem+json');
    expect((await webhook('emailDeliveryReport', '[]', null)).status).toBe(400);
    const unknown = await webhook('sendEmail', '[]');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toContain('Known functions: emailDeliveryReport, emailEngagementReport');
  });

  it('logs one line per request, without function keys in any case', async () => {
    lines.length = 0;
    for (const key of ['code', 'Code', 'CODE']) await fetch(`${baseUrl}/api/messages/${randomUUID()}?${key}=secret-key&limit=5`);
    expect(requestLines()).toHaveLength(3);
    for (const line of requestLines()) expect(line).toMatch(/^GET \/api\/messages\/\{messageId\}\?limit=5 → 404 getMessageStatus \(\d+\.\d ms\)$/);
  });

  it('shows the days and granularity of a statistics request, and hides the sender and anything else in those places', async () => {
    const address = `Alice.Smith.${randomUUID().slice(0, 8)}@Fabrikam.example`;
    lines.length = 0;
    await fetch(`${baseUrl}/api/stats?from=2026-11-01&to=2026-11-02&granularity=hour&sender=${encodeURIComponent(address)}`);
    await fetch(`${baseUrl}/api/messages?day=2026-11-02&limit=5`);
    await fetch(`${baseUrl}/api/stats?from=${encodeURIComponent(address)}&to=2026-11-02T00:00&granularity=${encodeURIComponent(address)}`);
    await fetch(`${baseUrl}/api/messages?day=${encodeURIComponent(address)}`);
    expect(requestLines().map((line) => line.replace(/ \([\d.]+ ms\)$/, ''))).toEqual([
      'GET /api/stats?from=2026-11-01&to=2026-11-02&granularity=hour&… → 200 getStatistics',
      'GET /api/messages?day=2026-11-02&limit=5 → 200 listDayMessages',
      'GET /api/stats?from=…&to=…&granularity=… → 400 getStatistics',
      'GET /api/messages?day=… → 400 listDayMessages',
    ]);
  });

  it('logs the route template of every parameterized route, and no value that could be an address, in the path or the query', async () => {
    const address = `Alice.Smith.${randomUUID().slice(0, 8)}@Fabrikam.example`;
    const query = `?limit=1000&status=${encodeURIComponent(address)}&since=2026-11-27T09:15:00%2B01:00&until=%2B1%20555%200100&pageToken=${encodeURIComponent(address)}&q=${encodeURIComponent(address)}&${encodeURIComponent(address)}=1`;
    const parameterized = routesOf(registeredFunctions()).filter((route) => route.trigger === 'http' && route.path.includes('{'));
    expect(parameterized.map((route) => route.path)).toEqual(expect.arrayContaining(['/api/messages/{messageId}', '/api/internet-messages/{internetMessageId}', '/api/recipients/{address}', '/api/recipients/{address}/messages']));
    lines.length = 0;
    for (const route of parameterized) {
      for (const value of [address, encodeURIComponent(address)]) {
        await fetch(`${baseUrl}${route.path.replace(/\{\w+\}/g, value)}${query}`, { method: route.methods[0] });
      }
    }
    // Paths no function serves, and names no function has.
    await fetch(`${baseUrl}/api/${encodeURIComponent(address)}/x`);
    await fetch(`${baseUrl}/admin/functions/${encodeURIComponent(address)}`, { method: 'POST', body: '{}' });
    await webhook(encodeURIComponent(address), '[]');
    const logged = requestLines();
    expect(logged).toHaveLength(2 * parameterized.length + 3);
    for (const [i, route] of parameterized.entries()) {
      for (const line of logged.slice(2 * i, 2 * i + 2)) expect(line.startsWith(`${route.methods[0]} ${route.path}?limit=1000&status=…&since=2026-11-27T09:15:00+01:00&until=…&pageToken=…&… → `)).toBe(true);
    }
    expect(logged.slice(-3).map((line) => line.replace(/ \([\d.]+ ms\)$/, ''))).toEqual([
      'GET /api/…/… → 404 -',
      'POST /admin/functions/… → 404 -',
      'POST /runtime/webhooks/eventgrid?functionName=… → 404 -',
    ]);
    for (const line of lines) expect(line.toLowerCase()).not.toMatch(/alice|%40|@/);
  });

  it('runs a timer function now on the admin call, answering 202 at once, as the Functions host does', async () => {
    lines.length = 0;
    const response = await fetch(`${baseUrl}/admin/functions/applyRetention`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input": ""}' });
    expect(response.status).toBe(202);
    await expect.poll(() => lines.some((line) => /^applyRetention ran \(/.test(line)), { timeout: 10_000 }).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}\[information\] applyRetention: Retention applied\. \{"retentionDays":0,"messages":0,/));
    expect((await fetch(`${baseUrl}/admin/functions/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('serves the lookups, and logs their routes without the address', async () => {
    const [delivery] = sampleMessageEvents();
    const address = `Zed.${randomUUID().slice(0, 8)}@Fabrikam.example`;
    expect((await webhook('emailDeliveryReport', JSON.stringify([{ ...delivery, data: { ...delivery!.data, recipient: address } }]))).status).toBe(202);
    lines.length = 0;
    const overview = await fetch(`${baseUrl}/api/recipients/${encodeURIComponent(address.toLowerCase())}`);
    expect(overview.status).toBe(200);
    expect(((await overview.json()) as { address: string }).address).toBe(address);
    const list = await fetch(`${baseUrl}/api/recipients/${encodeURIComponent(address)}/messages?limit=5`);
    expect(((await list.json()) as { messages: unknown[] }).messages).toHaveLength(1);
    expect(requestLines()).toEqual([
      expect.stringMatching(/^GET \/api\/recipients\/\{address\} → 200 getRecipient /),
      expect.stringMatching(/^GET \/api\/recipients\/\{address\}\/messages\?limit=5 → 200 listRecipientMessages /),
    ]);
  });

  it('answers what is not HTTP with 400 problem+json, and closes the connection', async () => {
    const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // A reset instead of the answer fails the assertions below, not the whole run.
    socket.on('error', () => {});
    await new Promise((closed) => socket.on('close', closed).write('GET /api/messages/x HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n'));
    expect(received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(received).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/);
    expect(received).toContain('"detail":"The request is not HTTP this host can read."');
  });

  it('answers an Expect it cannot meet with 417 problem+json, and logs it without function keys', async () => {
    lines.length = 0;
    const answer = await new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
      const request = httpRequest(`${baseUrl}/api/messages/${randomUUID()}?code=secret-key`, { headers: { expect: 'something-else' } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode!, type: response.headers['content-type'] });
      });
      request.on('error', reject).end();
    });
    expect(answer).toEqual({ status: 417, type: 'application/problem+json' });
    expect(requestLines()).toHaveLength(1);
    expect(requestLines()[0]).not.toContain('secret-key');
  });
});

describe('a body over the limit', () => {
  const webhookPath = '/runtime/webhooks/eventgrid?functionName=emailDeliveryReport';
  const oversize = () => Buffer.alloc(2 * MAX_BODY_BYTES, 0x20);

  /** One request through `agent`; resolves with the status, or the error code when there was no answer. */
  function send(agent: Agent, method: string, path: string, body?: Buffer) {
    return new Promise<number | string>((resolve) => {
      const request = httpRequest({ host: '127.0.0.1', port: new URL(baseUrl).port, method, path, agent, headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/json' } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      });
      request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      request.end(body);
    });
  }

  it('is refused with 413 problem+json, and an unrelated later request on a one-connection keep-alive pool is answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        expect(await send(agent, 'POST', webhookPath, oversize())).toBe(413);
        expect(await send(agent, 'GET', `/api/messages/${randomUUID()}`)).toBe(404);
        expect(await send(agent, 'POST', webhookPath, Buffer.from('[]'))).toBe(202);
      }
    } finally {
      agent.destroy();
    }
  });

  /**
   * A raw connection that sends a request head, then, when the test says, its body: every write
   * waits for the socket to take it, as a client streaming a large body does.
   */
  function rawUpload(head: string) {
    const opened = performance.now();
    const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
    const errors: string[] = [];
    let received = '';
    let endedByServer = false;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    socket.on('end', () => (endedByServer = true));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(head);
    /** Writes `body` in 64 KiB pieces, each once the last is taken; resolves with how much was written before any error or close. */
    const send = async (body: Buffer) => {
      let written = 0;
      for (let at = 0; at < body.length && !socket.destroyed && errors.length === 0; at += 64 * 1024) {
        const piece = body.subarray(at, at + 64 * 1024);
        const taken = await new Promise<boolean>((resolve) => socket.write(piece, (error) => resolve(!error)));
        if (!taken) break;
        written += piece.length;
      }
      return written;
    };
    const answered = () => received.includes('"title":"Content Too Large"');
    return { opened, errors, closed, send, answered, received: () => received, endedByServer: () => endedByServer };
  }

  /** A delivery of 5,000 events in 5.48 MiB, as in the stress run that got no answer (EPIPE) half the time. */
  function stressDelivery(): Buffer {
    const event = (i: number, filler = '') => ({ ...seedDeliveryReport, id: `stress-${i}`, data: { ...seedDeliveryReport.data, messageId: randomUUID(), filler } });
    const perEvent = Math.round((5.48 * 2 ** 20) / MAX_EVENTS_PER_DELIVERY) - JSON.stringify(event(0)).length - 1;
    return Buffer.from(JSON.stringify(Array.from({ length: MAX_EVENTS_PER_DELIVERY }, (_, i) => event(i, 'x'.repeat(perEvent)))));
  }

  it('answers a client still sending with 413, reads the rest of the body, then closes without a reset; the next connection is served', async () => {
    const body = stressDelivery();
    expect(body.length / 2 ** 20).toBeCloseTo(5.48, 1);
    const upload = rawUpload(`POST ${webhookPath} HTTP/1.1\r\nHost: localhost\r\naeg-event-type: Notification\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    // Refused by its Content-Length: the whole answer comes before a byte of the body is sent.
    await expect.poll(upload.answered, { timeout: 10_000 }).toBe(true);
    expect(upload.received()).toMatch(/^HTTP\/1\.1 413 [^\r]*\r\n/);
    expect(upload.received()).toMatch(/\r\nconnection: close\r\n/i);
    // The client goes on sending its body, as clients that send before they read do.
    expect(await upload.send(body)).toBe(body.length);
    await upload.closed;
    expect(upload.errors).toEqual([]);
    expect(upload.endedByServer()).toBe(true);
    expect(upload.received().match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect((await fetch(`${baseUrl}/api/messages/${randomUUID()}`)).status).toBe(404);
  });

  it('answers the 5.48 MiB delivery of 5,000 events 413 through an HTTP client, every time, and serves the next request', async () => {
    const body = stressDelivery();
    for (let attempt = 0; attempt < 3; attempt++) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect(await send(agent, 'POST', webhookPath, body)).toBe(413);
        expect(await send(agent, 'GET', `/api/messages/${randomUUID()}`)).toBe(404);
      } finally {
        agent.destroy();
      }
    }
  });

  it(`stops reading a refused body after ${DRAIN_AFTER_REFUSAL_BYTES} more bytes`, async () => {
    const upload = rawUpload(`POST ${webhookPath} HTTP/1.1\r\nHost: localhost\r\naeg-event-type: Notification\r\nContent-Length: ${64 * MAX_BODY_BYTES}\r\n\r\n`);
    await expect.poll(upload.answered, { timeout: 10_000 }).toBe(true);
    const written = await upload.send(Buffer.alloc(64 * MAX_BODY_BYTES, 0x20));
    await upload.closed;
    // What the sockets' buffers took on top of the bound, far from all of it.
    expect(written).toBeGreaterThanOrEqual(DRAIN_AFTER_REFUSAL_BYTES);
    expect(written).toBeLessThan(32 * MAX_BODY_BYTES);
  });

  it(`closes a refused connection whose body stops coming after ${DRAIN_AFTER_REFUSAL_MS} ms`, async () => {
    const upload = rawUpload(`POST ${webhookPath} HTTP/1.1\r\nHost: localhost\r\naeg-event-type: Notification\r\nContent-Length: ${2 * MAX_BODY_BYTES}\r\n\r\n`);
    await expect.poll(upload.answered, { timeout: 10_000 }).toBe(true);
    await upload.send(Buffer.alloc(1024, 0x20));
    await upload.closed;
    // The host decided after the head arrived, so no earlier than the connection opened.
    expect(performance.now() - upload.opened).toBeGreaterThanOrEqual(DRAIN_AFTER_REFUSAL_MS);
    expect(upload.errors).toEqual([]);
  }, DRAIN_AFTER_REFUSAL_MS + 30_000);

  it('closes the connection once the refused body is read, instead of reading the rest of the body as the next request', async () => {
    const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    const started = Date.now();
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
    const body = oversize();
    socket.write(`POST ${webhookPath} HTTP/1.1\r\nHost: localhost\r\naeg-event-type: Notification\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body, () => socket.write(`GET /api/messages/x HTTP/1.1\r\nHost: localhost\r\n\r\n`, () => {}));
    expect(await closed).toBeLessThan(2000);
    expect(received).toMatch(/^HTTP\/1\.1 413 [^\r]*\r\n/);
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
    expect(received).toContain('"title":"Content Too Large"');
    expect(received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('stops reading a body without a Content-Length once it is over the limit', async () => {
    let sent = 0;
    const total = 16 * MAX_BODY_BYTES;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const response = await fetch(`${baseUrl}${webhookPath}`, { method: 'POST', headers: { 'aeg-event-type': 'Notification' }, body: stream, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    // What the client got to send is the limit plus what the sockets' buffers took, far from all of it.
    expect(sent).toBeLessThan(total / 2);
  });
});

describe('a delivery of many events', () => {
  /** How many invocations of the Event Grid functions have started, and the most that ran at once. */
  const invocations = { started: 0, running: 0, mostRunning: 0 };
  /** The app's registrations, its Event Grid handlers counting their invocations into `invocations`. */
  const counted = registeredFunctions().map((registration): FunctionRegistration => {
    if (registration.trigger !== 'eventGrid') return registration;
    const { handler } = registration.options;
    const counting: EventGridHandler = async (event, context) => {
      invocations.started++;
      invocations.mostRunning = Math.max(invocations.mostRunning, ++invocations.running);
      try {
        return await handler(event, context);
      } finally {
        invocations.running--;
      }
    };
    return { ...registration, options: { ...registration.options, handler: counting } };
  });
  const countingHost = createLocalHost(counted, () => {});
  let countingUrl = '';

  beforeAll(async () => {
    await new Promise<void>((listening) => countingHost.listen(0, '127.0.0.1', listening));
    countingUrl = `http://127.0.0.1:${(countingHost.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((closed) => countingHost.close(() => closed())));

  const tooMany = [
    { what: `${MAX_EVENTS_PER_DELIVERY + 1} events`, events: MAX_EVENTS_PER_DELIVERY + 1, event: 1 },
    { what: '500,000 tiny events in 2 MB (which ran the host out of heap)', events: 500_000, event: 'x' },
  ];
  for (const { what, events, event } of tooMany) {
    it(`refuses ${what} with 413 problem+json at once, runs none of them, and answers the next request`, async () => {
      invocations.started = 0;
      const started = performance.now();
      const response = await webhook('emailDeliveryReport', JSON.stringify(new Array(events).fill(event)), 'Notification', countingUrl);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(((await response.json()) as { detail: string }).detail).toBe(`A delivery holds at most ${MAX_EVENTS_PER_DELIVERY} events, as Event Grid sends them; this one holds ${events}.`);
      expect(invocations.started).toBe(0);
      const [delivery] = sampleMessageEvents();
      expect((await webhook('emailDeliveryReport', JSON.stringify([delivery]), 'Notification', countingUrl)).status).toBe(202);
      expect(invocations.started).toBe(1);
    });
  }

  it(`handles a delivery of 300 events ${EVENTS_IN_FLIGHT_PER_DELIVERY} at a time, and stores every one`, async () => {
    const messages = Array.from({ length: 150 }, () => sampleMessageEvents());
    invocations.mostRunning = 0;
    const response = await webhook('emailDeliveryReport', JSON.stringify(messages.flat()), 'Notification', countingUrl);
    expect(response.status).toBe(202);
    expect(invocations.mostRunning).toBe(EVENTS_IN_FLIGHT_PER_DELIVERY);
    for (const events of messages) {
      const stored = (await (await fetch(`${countingUrl}/api/messages/${events[0]!.data.messageId}`)).json()) as { events: { id: string }[] };
      expect(stored.events.map((event) => event.id).sort()).toEqual(events.map((event) => event.id).sort());
    }
  });
});

describe('signing in locally (EmailEventsLocalSignIn): the local host stands in for App Service Authentication', () => {
  const users = {
    reader: localUserOf({ EmailEventsLocalSignIn: 'read', EmailEventsLocalUserName: 'Rita Reader' })!,
    changer: localUserOf({ EmailEventsLocalSignIn: 'change', EmailEventsLocalUserName: 'Chad Changer' })!,
    roleless: localUserOf({ EmailEventsLocalSignIn: 'none', EmailEventsLocalUserName: 'Nora Norole' })!,
  };
  const hosts: Record<string, string> = {};
  const servers: ReturnType<typeof createLocalHost>[] = [];
  beforeAll(async () => {
    // As npm start does when it signs someone in: the app is told the platform authentication is in front.
    vi.stubEnv('WEBSITE_AUTH_ENABLED', 'True');
    for (const [who, user] of [...Object.entries(users), ['nobody', undefined] as const]) {
      const server = createLocalHost(registeredFunctions(), () => {}, { signedInAs: user });
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
      servers.push(server);
      hosts[who] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all(servers.map((server) => new Promise((closed) => server.close(closed))));
  });

  it('a reader reads at /api/signed-in/ and gets 403 for an erasure; a changer erases; a person with no role gets 403', async () => {
    const events = sampleMessageEvents();
    await sendEvents(events, { baseUrl });
    const [id] = messageIdsOf(events);
    expect((await fetch(`${hosts.reader}/api/signed-in/me`).then((r) => r.json()))).toEqual({ signedIn: true, name: 'Rita Reader', roles: ['EmailStatus.Read'] });
    expect((await fetch(`${hosts.reader}/api/signed-in/messages/${id}`)).status).toBe(200);
    expect((await fetch(`${hosts.reader}/api/signed-in/messages/${id}`, { method: 'DELETE' })).status).toBe(403);
    expect((await fetch(`${hosts.roleless}/api/signed-in/messages/${id}`)).status).toBe(403);
    expect((await fetch(`${hosts.roleless}/api/signed-in/messages/${id}`, { method: 'DELETE' })).status).toBe(403);
    expect((await fetch(`${hosts.changer}/api/signed-in/messages/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${hosts.reader}/api/signed-in/messages/${id}`)).status).toBe(404);
  });

  it('a principal a client sends is removed: it cannot sign anybody in, nor change who is signed in', async () => {
    const forged = platformPrincipalHeaders(users.changer);
    const events = sampleMessageEvents();
    await sendEvents(events, { baseUrl });
    const [id] = messageIdsOf(events);
    expect((await fetch(`${hosts.nobody}/api/signed-in/messages/${id}`, { headers: forged })).status).toBe(401);
    expect((await fetch(`${hosts.nobody}/api/signed-in/me`, { headers: forged }).then((r) => r.json()))).toEqual({ signedIn: false, signIn: '/.auth/login/aad' });
    expect((await fetch(`${hosts.reader}/api/signed-in/messages/${id}`, { method: 'DELETE', headers: forged })).status).toBe(403);
    expect((await fetch(`${hosts.reader}/api/signed-in/messages/${id}`)).status).toBe(200);
  });
});
