/** GET /api/messages/{messageId} with real HttpRequest objects, against Azurite. */
import { randomUUID } from 'node:crypto';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getMessageStatus } from '../src/functions/getMessageStatus.js';
import { ingestEvent } from '../src/ingest.js';
import { sampleMessageEvents, seedDeliveryReport, seedEngagementReport } from '../scripts/sampleEvents.js';
import { recordingContext } from './helpers.js';
import { expectMatchesOpenApi } from './openApiContract.js';

async function get(messageId: string, query: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Record<string, string> }> {
  const search = new URLSearchParams(query).toString();
  const request = new HttpRequest({
    method: 'GET',
    url: `http://localhost:7071/api/messages/${encodeURIComponent(messageId)}${search ? `?${search}` : ''}`,
    params: { messageId },
  });
  const response: HttpResponseInit = await getMessageStatus(request, recordingContext('getMessageStatus').context);
  const body = response.jsonBody ?? (typeof response.body === 'string' ? JSON.parse(response.body) : undefined);
  const headers = (response.headers ?? {}) as Record<string, string>;
  expectMatchesOpenApi('/api/messages/{messageId}', 'GET', response.status ?? 200, headers['content-type'] ?? 'application/json', body);
  return { status: response.status ?? 200, body, headers };
}

async function ingestAll(events: unknown[], concurrency = 16) {
  const { context } = recordingContext();
  for (let start = 0; start < events.length; start += concurrency) {
    await Promise.all(events.slice(start, start + concurrency).map((event) => ingestEvent(event, context)));
  }
}

function deliveryFor(messageId: string, recipient: string, status: string, at: string, id: string = randomUUID()) {
  return { ...seedDeliveryReport, id, data: { ...seedDeliveryReport.data, messageId, recipient, status, deliveryAttemptTimeStamp: at } };
}

function engagementFor(messageId: string, type: string, at: string, link = '', recipient?: string, id: string = randomUUID()) {
  return { ...seedEngagementReport, id, data: { ...seedEngagementReport.data, messageId, recipient, engagementType: type, engagementContext: link, userActionTimeStamp: at } };
}

/** Every page, following nextPageToken. */
async function walk(messageId: string, limit: number) {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const { status, body } = await get(messageId, { limit: String(limit), ...(token ? { pageToken: token } : {}) });
    expect(status).toBe(200);
    expect(body.events.length).toBeLessThanOrEqual(limit);
    ids.push(...body.events.map((event: { id: string }) => event.id));
    token = body.nextPageToken;
    pages++;
  } while (token);
  return { ids, pages };
}

describe('GET /api/messages/{messageId}', () => {
  it('answers the documented shape for the seed events', async () => {
    const messageId = randomUUID();
    const [delivery, engagement] = sampleMessageEvents(messageId);
    await ingestAll([engagement, delivery]);
    const { status, body } = await get(messageId);
    expect(status).toBe(200);
    expect(body).toEqual({
      messageId,
      sender: 'senderid@azure.com',
      status: 'Delivered',
      recipients: [
        { recipient: 'receiver@azure.com', status: 'Delivered', statusMessage: 'Status Message', attemptedAt: '2020-09-18T00:22:20.2855749Z', views: 1, clicks: 0 },
      ],
      engagement: { views: 1, clicks: 0, firstViewedAt: '2022-09-06T22:34:52.1303595Z', lastEngagedAt: '2022-09-06T22:34:52.1303595Z', links: [] },
      events: [
        {
          id: delivery!.id,
          type: 'delivery',
          eventType: 'Microsoft.Communication.EmailDeliveryReportReceived',
          occurredAt: '2020-09-18T00:22:20.2855749Z',
          recipient: 'receiver@azure.com',
          status: 'Delivered',
          statusMessage: 'Status Message',
          recipientMailServerHostName: null,
          internetMessageId: null,
        },
        {
          id: engagement!.id,
          type: 'engagement',
          eventType: 'Microsoft.Communication.EmailEngagementTrackingReportReceived',
          occurredAt: '2022-09-06T22:34:52.1303595Z',
          recipient: 'receiver@azure.com',
          engagementType: 'view',
          engagementContext: '',
          userAgent: '',
          machine: false,
        },
      ],
    });
  });

  it('orders events oldest first at full precision, ties by id, and never shows a duplicate twice', async () => {
    const messageId = randomUUID();
    const events = [
      deliveryFor(messageId, 'a@contoso.com', 'Delivered', '2024-01-01T00:00:00.0000002Z', 'b'),
      deliveryFor(messageId, 'b@contoso.com', 'Delivered', '2024-01-01T00:00:00.0000002Z', 'a'),
      engagementFor(messageId, 'view', '2024-01-01T00:00:00.0000001Z', '', undefined, 'z'),
      engagementFor(messageId, 'click', '2023-12-31T19:00:00.0000003-05:00', 'https://contoso.com/', undefined, 'c'),
    ];
    await ingestAll([...events, ...events, events[0]]);
    const { body } = await get(messageId);
    expect(body.events.map((event: { id: string }) => event.id)).toEqual(['z', 'a', 'b', 'c']);
    expect(body.engagement).toMatchObject({ views: 1, clicks: 1, links: [{ url: 'https://contoso.com/', clicks: 1 }] });
  });

  it('counts clicks per redacted link: one link however many tokens it was sent with', async () => {
    const messageId = randomUUID();
    const at = '2024-01-01T00:00:00Z';
    await ingestAll([
      engagementFor(messageId, 'click', at, 'https://contoso.com/reset?user=1&token=secret-one'),
      engagementFor(messageId, 'click', at, 'https://contoso.com/reset?user=2&token=secret-two'),
      engagementFor(messageId, 'click', at, 'https://contoso.com/news?utm_source=mail'),
    ]);
    const { body } = await get(messageId);
    expect(body.engagement.links).toEqual([
      { url: 'https://contoso.com/reset?user=REDACTED&token=REDACTED', clicks: 2 },
      { url: 'https://contoso.com/news?utm_source=mail', clicks: 1 },
    ]);
    expect(JSON.stringify(body)).not.toContain('secret-');
  });

  it('answers 404 as problem+json for an id with no events', async () => {
    const { status, body, headers } = await get(randomUUID());
    expect(status).toBe(404);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404 });
  });

  it.each([
    ['too long', 'm'.repeat(513)],
    ['a slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['a hash', 'a#b'],
    ['a question mark', 'a?b'],
    ['a control character', 'a\u0000b'],
    ['empty', ''],
  ])('answers 400 for an id that is %s', async (_label, messageId) => {
    const { status, body, headers } = await get(messageId);
    expect(status).toBe(400);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(body).toMatchObject({ status: 400, parameter: 'messageId' });
  });

  it.each(['0', '1001', '-1', '1.5', 'ten', '', ' 5', '1e2'])('answers 400 for limit=%j', async (limit) => {
    const { status, body } = await get(randomUUID(), { limit });
    expect(status).toBe(400);
    expect(body).toMatchObject({ parameter: 'limit' });
  });
});

describe('pagination', () => {
  it.each([1, 7, 100])('walks every one of 250 events exactly once at page size %i', async (limit) => {
    const messageId = randomUUID();
    const events = Array.from({ length: 250 }, (_, i) =>
      i % 3 ? engagementFor(messageId, 'view', `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(7, '0')}Z`) : deliveryFor(messageId, `r${i}@contoso.com`, 'Delivered', '2024-01-01T00:00:00Z'),
    );
    await ingestAll(events);
    const { ids, pages } = await walk(messageId, limit);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(pages).toBe(Math.ceil(250 / limit));
    const { body } = await get(messageId, { limit: '1000' });
    expect(ids).toEqual(body.events.map((event: { id: string }) => event.id));
  });

  it('walks 1,234 events exactly once at page sizes 100 and 1000, and defaults to 100', async () => {
    const messageId = randomUUID();
    const events = Array.from({ length: 1234 }, (_, i) => engagementFor(messageId, i % 2 ? 'view' : 'click', `2024-03-01T00:00:00.${String(i * 7919 % 10_000_000).padStart(7, '0')}Z`, 'https://contoso.com/'));
    await ingestAll(events, 32);
    for (const limit of [100, 1000]) {
      const { ids, pages } = await walk(messageId, limit);
      expect(new Set(ids).size).toBe(1234);
      expect(ids).toHaveLength(1234);
      expect(pages).toBe(Math.ceil(1234 / limit));
    }
    const { body } = await get(messageId);
    expect(body.events).toHaveLength(100);
    expect(body.engagement).toMatchObject({ views: 617, clicks: 617, links: [{ url: 'https://contoso.com/', clicks: 617 }] });
  });

  it('pages past events with ids of any length, with short tokens', async () => {
    const messageId = randomUUID();
    const longIds = ['x', 'y', 'z'].map((letter) => letter.repeat(30_000));
    await ingestAll(longIds.map((id, i) => engagementFor(messageId, 'view', `2024-01-01T00:00:0${i}Z`, '', undefined, id)));
    const first = await get(messageId, { limit: '1' });
    expect(first.body.nextPageToken.length).toBeLessThan(200);
    const { ids } = await walk(messageId, 1);
    expect(ids).toEqual(longIds);
  });

  it('pages through a delivery and an engagement report that share an id and a time', async () => {
    const messageId = randomUUID();
    const at = '2024-01-01T00:00:00Z';
    await ingestAll([deliveryFor(messageId, 'a@contoso.com', 'Delivered', at, 'shared'), engagementFor(messageId, 'view', at, '', undefined, 'shared'), engagementFor(messageId, 'click', '2024-01-02T00:00:00Z', 'https://contoso.com/', undefined, 'later')]);
    const { ids, pages } = await walk(messageId, 1);
    expect(ids).toEqual(['shared', 'shared', 'later']);
    expect(pages).toBe(3);
  });

  it('shows no event twice when events arrive between two page reads', async () => {
    const messageId = randomUUID();
    await ingestAll(Array.from({ length: 10 }, (_, i) => engagementFor(messageId, 'view', `2024-01-01T00:00:0${i}Z`)));
    const first = await get(messageId, { limit: '5' });
    await ingestAll([engagementFor(messageId, 'click', '2023-01-01T00:00:00Z'), engagementFor(messageId, 'click', '2025-01-01T00:00:00Z')]);
    const second = await get(messageId, { limit: '100', pageToken: first.body.nextPageToken });
    const ids = [...first.body.events, ...second.body.events].map((event: { id: string }) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(11);
  });
});

describe('injection and tampering', () => {
  it('treats OData in the id as a value: no other message is ever returned', async () => {
    const victim = randomUUID();
    await ingestAll(sampleMessageEvents(victim));
    for (const messageId of [
      `x' or PartitionKey ne 'x`,
      `' or 1 eq 1 or '`,
      `${victim}' or '1' eq '1`,
      `x" or PartitionKey gt ""`,
      `x') or (PartitionKey ne 'x`,
      `%27 or true`,
    ]) {
      const { status } = await get(messageId);
      expect(status, messageId).toBe(404);
    }
    expect((await get(victim)).status).toBe(200);
  });

  it("rejects another message's token, an edited token and garbage with 400", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await ingestAll([...sampleMessageEvents(a), ...sampleMessageEvents(b)]);
    const tokenOfA = (await get(a, { limit: '1' })).body.nextPageToken as string;
    expect(tokenOfA).toBeTypeOf('string');
    expect((await get(a, { pageToken: tokenOfA })).status).toBe(200);

    const [payload, seal] = tokenOfA.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify([1, null, "' or 1 eq 1"])).toString('base64url');
    const flipped = payload.slice(0, -1) + (payload.endsWith('A') ? 'B' : 'A');
    for (const pageToken of [`${flipped}.${seal}`, `${forged}.${seal}`, `${payload}.${seal}x`, 'garbage', '', `${payload}.${seal}.x`, "' or 1 eq 1"]) {
      const { status, body } = await get(a, { pageToken });
      expect(status, pageToken).toBe(400);
      expect(body.parameter).toBe('pageToken');
    }
    const foreign = await get(b, { pageToken: tokenOfA });
    expect(foreign.status).toBe(400);
    expect(JSON.stringify(foreign.body)).not.toContain(a);
  });
});

describe('invariant 2: order-independent', () => {
  const recipients = ['a@contoso.com', 'b@contoso.com', 'c@contoso.com'];
  const statuses = ['Delivered', 'bounced', 'Suppressed', 'Expanded', 'Failed', 'Deferred'];
  const times = ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.0000001Z', '2024-01-01T01:00:00.0000001+01:00', '2024-01-01T00:00:00.1Z', '2024-01-01T00:00:00.10Z'];
  const links = ['', 'https://contoso.com/a', 'https://contoso.com/b'];
  const eventSpec = fc.oneof(
    fc.record({ kind: fc.constant('delivery' as const), recipient: fc.constantFrom(...recipients), status: fc.constantFrom(...statuses), at: fc.constantFrom(...times) }),
    fc.record({ kind: fc.constant('engagement' as const), recipient: fc.option(fc.constantFrom(...recipients), { nil: undefined }), type: fc.constantFrom('view', 'Click', 'click'), link: fc.constantFrom(...links), at: fc.constantFrom(...times) }),
  );
  const scenario = fc
    .array(eventSpec, { minLength: 1, maxLength: 12 })
    .chain((specs) =>
      fc.record({
        specs: fc.constant(specs),
        orderA: fc.shuffledSubarray(specs.map((_, i) => i), { minLength: specs.length, maxLength: specs.length }),
        orderB: fc.shuffledSubarray(specs.map((_, i) => i), { minLength: specs.length, maxLength: specs.length }),
        duplicates: fc.array(fc.nat({ max: specs.length - 1 }), { maxLength: 6 }),
      }),
    );

  it('gives identical responses for the same events in any order, with any duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ specs, orderA, orderB, duplicates }) => {
        const ids = specs.map((_, i) => `event-${i}`);
        const build = (messageId: string, i: number) => {
          const spec = specs[i]!;
          return spec.kind === 'delivery'
            ? deliveryFor(messageId, spec.recipient, spec.status, spec.at, ids[i])
            : engagementFor(messageId, spec.type, spec.at, spec.link, spec.recipient, ids[i]);
        };
        const [a, b] = [randomUUID(), randomUUID()];
        for (const i of orderA) await ingestAll([build(a, i)]);
        for (const i of [...orderB, ...duplicates]) await ingestAll([build(b, i)]);
        const [answerA, answerB] = [await get(a, { limit: '1000' }), await get(b, { limit: '1000' })];
        expect(answerA.status).toBe(200);
        expect({ ...answerB.body, messageId: a }).toEqual(answerA.body);
      }),
      { numRuns: 25 },
    );
  });
});
