/** The local host end to end: real HTTP in, the app's registered functions, real Azurite underneath. */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js';
import { registeredFunctions } from '../src/registry.js';
import { createLocalHost, routesOf } from '../scripts/localHost.js';
import { sampleMessageEvents, seedDeliveryReport, toCloudEvent } from '../scripts/sampleEvents.js';
import { messageIdsOf, sendEvents } from '../scripts/sendSample.js';

const lines: string[] = [];
const host = createLocalHost(registeredFunctions(), (line) => lines.push(line));
let baseUrl = '';

beforeAll(async () => {
  await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
  baseUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((closed) => host.close(() => closed())));

function webhook(functionName: string, body: string, eventType: string | null = 'Notification') {
  return fetch(`${baseUrl}/runtime/webhooks/eventgrid?functionName=${functionName}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(eventType ? { 'aeg-event-type': eventType } : {}) },
    body,
  });
}

describe('the local host serves exactly what the app registers', () => {
  it('derives one route per registration, with its name, methods, route and auth level', () => {
    expect(routesOf(registeredFunctions())).toEqual([
      { name: 'emailDeliveryReport', trigger: 'eventGrid', methods: ['POST'], path: '/runtime/webhooks/eventgrid?functionName=emailDeliveryReport', authLevel: 'system' },
      { name: 'emailEngagementReport', trigger: 'eventGrid', methods: ['POST'], path: '/runtime/webhooks/eventgrid?functionName=emailEngagementReport', authLevel: 'system' },
      { name: 'getActivityAsset', trigger: 'http', methods: ['GET'], path: '/api/activity/{asset}', authLevel: 'anonymous' },
      { name: 'getActivityPage', trigger: 'http', methods: ['GET'], path: '/api/activity', authLevel: 'anonymous' },
      { name: 'getInternetMessage', trigger: 'http', methods: ['GET'], path: '/api/internet-messages/{internetMessageId}', authLevel: 'function' },
      { name: 'getMessageStatus', trigger: 'http', methods: ['GET'], path: '/api/messages/{messageId}', authLevel: 'function' },
      { name: 'getOpenApi', trigger: 'http', methods: ['GET'], path: '/api/openapi.json', authLevel: 'anonymous' },
      { name: 'getRecipient', trigger: 'http', methods: ['GET'], path: '/api/recipients/{address}', authLevel: 'function' },
      { name: 'listRecipientMessages', trigger: 'http', methods: ['GET'], path: '/api/recipients/{address}/messages', authLevel: 'function' },
    ]);
  });

  it('answers every registered route, and nothing else', async () => {
    for (const route of routesOf(registeredFunctions())) {
      const response =
        route.trigger === 'http' ? await fetch(`${baseUrl}${route.path.replace(/\{\w+\}/g, randomUUID())}`) : await webhook(route.name, '[]');
      expect([200, 202, 404]).toContain(response.status);
      if (response.status === 404) expect(((await response.json()) as { detail: string }).detail).toMatch(/^(No (events have been recorded for this message id|event has named this address|delivery report has carried this Internet Message-ID)|The activity page has no file named "[0-9a-f-]+")\.$/);
    }
    expect((await fetch(`${baseUrl}/api/messages`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/other/x`)).status).toBe(404);
    const wrongMethod = await fetch(`${baseUrl}/api/messages/x`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
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

  it('logs one line per request, without function keys', async () => {
    lines.length = 0;
    await fetch(`${baseUrl}/api/messages/${randomUUID()}?code=secret-key`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/api\/messages\/[0-9a-f-]+ → 404 getMessageStatus \(\d+\.\d ms\)$/);
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
    expect(lines).toEqual([
      expect.stringMatching(/^GET \/api\/recipients\/\{address\} → 200 getRecipient /),
      expect.stringMatching(/^GET \/api\/recipients\/\{address\}\/messages\?limit=5 → 200 listRecipientMessages /),
    ]);
  });
});
