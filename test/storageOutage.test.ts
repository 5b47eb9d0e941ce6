/**
 * The app's own functions, loaded with settings that point at a storage account that does not answer:
 * the ingest functions fail (so Event Grid retries) and the status API answers 500 without internals.
 */
import type { AddressInfo } from 'node:net';
import { HttpRequest } from '@azure/functions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { azuriteConnectionString, freePort } from '../scripts/azurite.js';
import { createLocalHost } from '../scripts/localHost.js';
import { sampleMessageEvents } from '../scripts/sampleEvents.js';
import { sendEvents } from '../scripts/sendSample.js';
import { recordingContext } from './helpers.js';

let app: { registeredFunctions: typeof import('../src/registry.js').registeredFunctions };

beforeAll(async () => {
  vi.stubEnv('EmailEventsStorage', azuriteConnectionString(await freePort()));
  await import('../src/index.js');
  app = await import('../src/registry.js');
});

describe('when storage is down', () => {
  it('the Event Grid functions fail the invocation', async () => {
    for (const registration of app.registeredFunctions()) {
      if (registration.trigger !== 'eventGrid') continue;
      const { context, logs } = recordingContext(registration.name);
      await expect(registration.options.handler(sampleMessageEvents()[0] as never, context)).rejects.toThrow();
      expect(logs.map((line) => line.level)).toEqual(['error']);
    }
  });

  it('GET answers 500 problem+json that says nothing of storage', async () => {
    const registration = app.registeredFunctions().find((fn) => fn.name === 'getMessageStatus')!;
    const { context, logs } = recordingContext('getMessageStatus');
    const request = new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/messages/abc', params: { messageId: 'abc' } });
    const response = await (registration.options.handler as (r: HttpRequest, c: typeof context) => Promise<{ status: number; body: string; headers: Record<string, string> }>)(request, context);
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The message status could not be read. Try again.',
      instance: '/api/messages/abc',
    });
    expect(response.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at |devstoreaccount/);
    expect(logs.map((line) => line.level)).toEqual(['error']);
  });

  it.each([
    ['getRecipient', { address: 'a@b.example' }, 'The address could not be read. Try again.'],
    ['listRecipientMessages', { address: 'a@b.example' }, "The address's messages could not be read. Try again."],
    ['getInternetMessage', { internetMessageId: 'x@y' }, 'The Internet Message-ID could not be read. Try again.'],
    ['eraseRecipient', { address: 'a@b.example' }, 'The address could not be erased. Try again: erasing is idempotent.'],
    ['eraseMessage', { messageId: 'abc' }, 'The message could not be erased. Try again: erasing is idempotent.'],
  ])('%s answers 500 problem+json that says nothing of storage', async (name, params, detail) => {
    const registration = app.registeredFunctions().find((fn) => fn.name === name);
    if (registration?.trigger !== 'http') throw new Error(`${name} is not an HTTP function`);
    const { context, logs } = recordingContext(name);
    const request = new HttpRequest({ method: registration.options.methods![0]!, url: 'http://localhost:7071/api/x', params });
    const response = (await registration.options.handler(request, context)) as { status: number; body: string };
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({ status: 500, title: 'Internal Server Error', detail });
    expect(response.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at |devstoreaccount/);
    expect(logs.map((line) => line.level)).toEqual(['error']);
    expect(JSON.stringify(logs)).not.toContain('a@b.example');
  });
});

describe('the local host, when storage is down', () => {
  it('answers 5xx to a delivery when any event in it was not handled, so that Event Grid retries', async () => {
    const lines: string[] = [];
    const host = createLocalHost(app.registeredFunctions(), (line) => lines.push(line));
    await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
    try {
      const baseUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
      const [delivery] = await sendEvents([sampleMessageEvents()[0], 'never storable either'], { baseUrl });
      expect(delivery!.status).toBe(500);
      expect(JSON.parse(delivery!.body)).toMatchObject({ status: 500, detail: '2 of 2 event(s) could not be handled; Event Grid retries the delivery.' });
      expect(lines.at(-1)).toMatch(/→ 500 emailDeliveryReport 2 event\(s\), 2 failed/);
    } finally {
      host.close();
    }
  });
});
