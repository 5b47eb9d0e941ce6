/**
 * The lookups against real Azurite: by address and by Internet Message-ID, through the registered
 * functions (answers checked against the OpenAPI document). Invariants 1, 2, 4, 5 and 6 (README,
 * "Lookups"): a lookup agrees with the message view for every message it lists, and the same events in
 * any order, any number of times, give byte-identical answers.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestEvent } from '../src/ingest.js';
import { createEventStore, type EventStore } from '../src/storage/eventStore.js';
import { recipientMessagesPage, recipientOverview, internetMessageLookup } from '../src/storage/lookups.js';
import { toEventEntity } from '../src/storage/tableEntities.js';
import { normalizeEvent } from '../src/events/normalize.js';
import { encodeRecipientPageToken } from '../src/http/lookupRequests.js';
import { seedDeliveryReport, seedEngagementReport, toCloudEvent } from '../scripts/sampleEvents.js';
import { isolatedSettings, recordingContext, tableClient } from './helpers.js';
import { call } from './http.js';
import { roundTripCounter } from '../scripts/roundTrips.js';

const domain = () => `${randomUUID().slice(0, 8)}.example`;

function delivery(messageId: string, recipient: string, status: string, at: string, extra: Record<string, unknown> = {}) {
  return {
    ...seedDeliveryReport,
    id: randomUUID(),
    subject: `sender/senderid@azure.com/message/${messageId}`,
    data: { ...seedDeliveryReport.data, messageId, recipient, status, deliveryAttemptTimeStamp: at, deliveryStatusDetails: { statusMessage: `${status} at ${at}` }, ...extra },
  };
}

function engagement(messageId: string, recipient: string | undefined, type: 'view' | 'click', at: string, link = '') {
  return {
    ...seedEngagementReport,
    id: randomUUID(),
    data: { ...seedEngagementReport.data, messageId, recipient, engagementType: type, engagementContext: link, userActionTimeStamp: at },
  };
}

async function ingestAll(events: unknown[], store?: EventStore, concurrency = 16) {
  const { context } = recordingContext();
  for (let start = 0; start < events.length; start += concurrency) {
    await Promise.all(events.slice(start, start + concurrency).map((event) => ingestEvent(event, context, { store: store })));
  }
}

/** Every page of an address's messages, following nextPageToken. */
async function walk(address: string, query: Record<string, string> = {}) {
  const messages: any[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const { status, body } = await call('listRecipientMessages', { address }, { ...query, ...(token ? { pageToken: token } : {}) });
    expect(status).toBe(200);
    messages.push(...body.messages);
    token = body.nextPageToken;
    pages++;
  } while (token);
  return { messages, pages };
}

const second = (n: number) => `2026-11-27T09:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.${String(n).padStart(7, '0')}Z`;

describe('GET /api/recipients/{address}', () => {
  it('answers what is known about an address, matched case-insensitively, shown as ACS sent it', async () => {
    const address = `Alice@${domain()}`;
    const [m1, m2, m3] = [randomUUID(), randomUUID(), randomUUID()];
    await ingestAll([
      delivery(m1, address, 'Delivered', '2026-11-20T10:00:00.1000000Z', { internetMessageId: '<m1@contoso.com>' }),
      delivery(m2, address, 'Bounced', '2026-11-21T10:00:00.1000000Z'),
      delivery(m3, address, 'Delivered', '2026-11-22T10:00:00.1000000Z'),
      delivery(m3, `bob@${domain()}`, 'Bounced', '2026-11-22T10:00:00.2000000Z'),
      engagement(m1, address, 'view', '2026-11-20T11:00:00.0000001Z'),
      engagement(m1, address, 'click', '2026-11-23T11:00:00.0000001Z', 'https://contoso.com/a'),
      engagement(m3, undefined, 'view', '2026-11-24T11:00:00.0000001Z'),
    ]);
    for (const spelling of [address, address.toUpperCase(), `  ${address.toLowerCase()} `]) {
      const { status, body } = await call('getRecipient', { address: spelling });
      expect(status).toBe(200);
      expect(body).toEqual({
        address,
        latestDelivery: { messageId: m3, status: 'Delivered', statusMessage: 'Delivered at 2026-11-22T10:00:00.1000000Z', attemptedAt: '2026-11-22T10:00:00.1000000Z' },
        messages: { total: 3, byStatus: { Bounced: 1, Delivered: 2 } },
        latestFailure: { messageId: m2, status: 'Bounced', statusMessage: 'Bounced at 2026-11-21T10:00:00.1000000Z', attemptedAt: '2026-11-21T10:00:00.1000000Z' },
        // The bounce put the address on the suppression list (test/suppression.test.ts says the rest).
        suppression: expect.objectContaining({ address, state: 'suppressed', reason: 'Bounced', messageId: m2 }),
        engagement: {
          views: 1,
          clicks: 1,
          latest: { messageId: m1, engagementType: 'click', engagementContext: 'https://contoso.com/a', occurredAt: '2026-11-23T11:00:00.0000001Z', machine: false },
        },
      });
    }
    // Engagement that names no recipient counts in the message view, under no address.
    const message = await call('getMessageStatus', { messageId: m3 });
    expect(message.body.engagement.views).toBe(1);
    expect(message.body.recipients.map((entry: { views: number }) => entry.views)).toEqual([0, 0]);
  });

  it('answers 404 when no event names the address, and 400 for what cannot be an address', async () => {
    expect(await call('getRecipient', { address: `nobody@${domain()}` })).toMatchObject({ status: 404, body: { status: 404, title: 'Not Found' } });
    for (const address of ['', '   ', 'a\u0000b@x', 'x'.repeat(999)]) {
      const { status, body, headers } = await call('getRecipient', { address });
      expect(status).toBe(400);
      expect(headers['content-type']).toBe('application/problem+json');
      expect(body.parameter).toBe('address');
    }
  });

  it('counts an address seen only in engagement, and lists none of its messages', async () => {
    const address = `carol@${domain()}`;
    await ingestAll([engagement(randomUUID(), address, 'view', second(1))]);
    const { body } = await call('getRecipient', { address });
    expect(body).toMatchObject({ latestDelivery: null, messages: { total: 0, byStatus: {} }, engagement: { views: 1, clicks: 0 } });
    expect((await call('listRecipientMessages', { address })).body).toEqual({ messages: [] });
  });
});

/** 130 messages to one address: some attempted twice, some opened and clicked, others to a second recipient. */
async function mailbox() {
  const address = `dave@${domain()}`;
  const other = `erin@${domain()}`;
  const events: unknown[] = [];
  const messageIds: string[] = [];
  for (let n = 0; n < 130; n++) {
    const messageId = randomUUID();
    messageIds.push(messageId);
    const status = n % 10 === 3 ? 'Bounced' : n % 17 === 5 ? 'Suppressed' : 'Delivered';
    events.push(delivery(messageId, address, status, second(2 * n), { internetMessageId: `<${messageId}@contoso.com>` }));
    if (n % 4 === 0) events.push(delivery(messageId, address, 'Failed', second(2 * n - 1))); // an earlier attempt
    if (n % 3 === 0) events.push(delivery(messageId, other, 'Delivered', second(2 * n)));
    // Some opens spell the address otherwise: it is still this recipient's open, in the lookups and the message view.
    const openedBy = n % 10 === 0 ? ` ${address.toUpperCase()}` : address;
    if (n % 5 === 0) events.push(engagement(messageId, openedBy, 'view', second(2 * n + 300)), engagement(messageId, address, 'click', second(2 * n + 301), 'https://contoso.com/x'));
  }
  await ingestAll(events);
  return { address, messageIds, events };
}
describe('GET /api/recipients/{address}/messages', () => {


  it('walks every message once, newest attempt first, each agreeing with its message view (invariant 6)', async () => {
    const { address, messageIds } = await mailbox();
    const all = await walk(address, { limit: '1000' });
    expect(all.pages).toBe(1);
    expect(all.messages.map((message) => message.messageId)).toEqual([...messageIds].reverse());
    for (const limit of [7, 50]) {
      const paged = await walk(address, { limit: String(limit) });
      expect(paged.pages).toBe(Math.ceil(130 / limit));
      expect(paged.messages).toEqual(all.messages);
    }
    expect((await walk(address)).pages).toBe(3); // default limit 50
    for (const listed of all.messages.filter((message, i) => i % 9 === 0 || message.views > 0)) {
      const { body } = await call('getMessageStatus', { messageId: listed.messageId });
      const entry = body.recipients.find((recipient: { recipient: string }) => recipient.recipient === address);
      expect(listed).toEqual({
        messageId: listed.messageId,
        recipient: entry.recipient,
        status: entry.status,
        statusMessage: entry.statusMessage,
        attemptedAt: entry.attemptedAt,
        sender: body.sender,
        internetMessageId: `<${listed.messageId}@contoso.com>`,
        views: entry.views,
        clicks: entry.clicks,
      });
    }
  });

  it('filters by status (any case) and by attempt time, and pages the filtered list', async () => {
    const { address } = await mailbox();
    const { messages: all } = await walk(address, { limit: '1000' });
    const bounced = await walk(address, { status: 'bOUNCED', limit: '4' });
    expect(bounced.messages).toEqual(all.filter((message) => message.status === 'Bounced'));
    expect(bounced.messages.length).toBe(13);
    const since = second(100);
    const until = second(200);
    const window = await walk(address, { since, until, limit: '10' });
    expect(window.messages).toEqual(all.filter((message) => message.attemptedAt >= since && message.attemptedAt <= until));
    expect(window.messages.length).toBe(51);
  });

  it('answers 400 naming the parameter, and refuses a token from another address or other filters', async () => {
    const { address } = await mailbox();
    const first = await call('listRecipientMessages', { address }, { limit: '5' });
    const token = first.body.nextPageToken as string;
    expect(typeof token).toBe('string');
    const cases: [Record<string, string>, string][] = [
      [{ limit: '0' }, 'limit'],
      [{ limit: '1001' }, 'limit'],
      [{ status: 'Opened' }, 'status'],
      [{ since: 'yesterday' }, 'since'],
      // A wall-clock time without an offset, or one whose + came through a URL as a space, is no instant.
      [{ since: '2026-02-01T09:00:00.1234568' }, 'since'],
      [{ until: '2026-02-01T09:00:00 01:00' }, 'until'],
      [{ until: '2026-13-01T00:00:00Z' }, 'until'],
      [{ since: second(10), until: second(9) }, 'since'],
      [{ pageToken: 'x' }, 'pageToken'],
      [{ pageToken: token, status: 'Delivered' }, 'pageToken'],
      [{ pageToken: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }, 'pageToken'],
    ];
    for (const [query, parameter] of cases) {
      const { status, body } = await call('listRecipientMessages', { address }, query);
      expect({ query, status, parameter: body.parameter }).toEqual({ query, status: 400, parameter });
    }
    const elsewhere = await call('listRecipientMessages', { address: `x${address}` }, { pageToken: token });
    expect(elsewhere.status).toBe(400);
    expect((await call('listRecipientMessages', { address: `nobody@${domain()}` })).status).toBe(404);
  });

  it('reads a page in two sequential round trips: the tail, then the messages together', async () => {
    const { address } = await mailbox();
    const { count, clientOptions } = roundTripCounter();
    const store = createEventStore({ ...isolatedSettings(), eventsTable: 'EmailEvents', quarantineTable: 'EmailEventsQuarantine', indexTable: 'EmailEventsIndex' }, { clientOptions });
    const first = await recipientMessagesPage(store, { address, limit: 50 });
    expect({ roundTrips: count.roundTrips, requests: count.requests }).toEqual({ roundTrips: 2, requests: 1 + Math.ceil((51 + 5) / 7) });
    count.reset();
    await recipientMessagesPage(store, { address, limit: 50, after: first!.next });
    expect(count.roundTrips).toBe(2);
  });
});

describe('a page of an address\'s messages, whatever pages storage answers with', () => {
  it('goes on past an empty page that is not the last, and takes a page in key order whatever order it came in', async () => {
    const { address } = await mailbox();
    const real = createEventStore({ ...isolatedSettings(), eventsTable: 'EmailEvents', quarantineTable: 'EmailEventsQuarantine', indexTable: 'EmailEventsIndex' });
    const expected = await recipientMessagesPage(real, { address, limit: 10 });
    // Table Storage may end a page early, even empty, with a continuation token; Cosmos DB for Table does not sort.
    const awkward: EventStore = {
      ...real,
      indexPage: async (partitionKey, options) => {
        if (options.continuationToken === 'after-an-empty-page') return real.indexPage(partitionKey, { ...options, continuationToken: undefined as never });
        if (options.continuationToken === undefined && String(options.range?.from).startsWith('t|') && !options.range?.fromExclusive) return { rows: [], next: 'after-an-empty-page' };
        const page = await real.indexPage(partitionKey, options);
        return { ...page, rows: [...page.rows].reverse() };
      },
    };
    expect(await recipientMessagesPage(awkward, { address, limit: 10 })).toEqual(expected);
    expect(expected?.messages).toHaveLength(10);
  });

  it('accepts its token with the same since and until written with other fraction digits', async () => {
    const { address } = await mailbox();
    const first = await call('listRecipientMessages', { address }, { since: '2026-11-27T09:00:00Z', limit: '3' });
    const next = await call('listRecipientMessages', { address }, { since: '2026-11-27T09:00:00.000Z', limit: '3', pageToken: first.body.nextPageToken });
    expect(next.status).toBe(200);
    expect(next.body.messages[0].messageId).not.toBe(first.body.messages[0].messageId);
  });
});

describe('GET /api/internet-messages/{internetMessageId}', () => {
  it('finds the message with or without the <>, with its overall status', async () => {
    const messageId = randomUUID();
    const internetMessageId = `<${randomUUID()}@contoso.com>`;
    await ingestAll([
      delivery(messageId, `f@${domain()}`, 'Delivered', second(1), { internetMessageId }),
      delivery(messageId, `g@${domain()}`, 'Delivered', second(2), { internetMessageId }),
    ]);
    for (const spelling of [internetMessageId, internetMessageId.slice(1, -1), ` ${internetMessageId} `]) {
      const { status, body } = await call('getInternetMessage', { internetMessageId: spelling });
      expect(status).toBe(200);
      expect(body.internetMessageId).toBe(internetMessageId);
      expect(body.messages).toHaveLength(1);
      expect(body.messages[0]).toMatchObject({ messageId, status: 'Delivered', sender: 'senderid@azure.com' });
      expect(body.messages[0].recipients).toEqual((await call('getMessageStatus', { messageId })).body.recipients);
    }
    expect((await call('getInternetMessage', { internetMessageId: `<${randomUUID()}@contoso.com>` })).status).toBe(404);
    expect((await call('getInternetMessage', { internetMessageId: '<>' })).body).toMatchObject({ status: 400, parameter: 'internetMessageId' });
  });
});

describe('the index rows', () => {
  it('are written again when the event row is already there: a retry after a partial failure', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const address = `hal@${domain()}`;
    const event = delivery(randomUUID(), address, 'Delivered', second(5));
    const normalized = normalizeEvent(event);
    if (normalized.outcome !== 'accepted') throw new Error('not accepted');
    await tableClient(settings.eventsTable).createTable();
    await tableClient(settings.eventsTable).createEntity(toEventEntity(normalized.event));
    expect(await recipientOverview(store, address)).toBeUndefined();
    const { context } = recordingContext();
    expect(await ingestEvent(event, context, { store: store })).toBe('duplicate');
    expect((await recipientOverview(store, address))?.messages.total).toBe(1);
  });

  it('give byte-identical lookups for the same events in any order, any number of times, in either schema', async () => {
    const address = `ivy@${domain()}`;
    const messageIds = Array.from({ length: 6 }, () => randomUUID());
    const events = messageIds.flatMap((messageId, n) => [
      delivery(messageId, address, n % 2 ? 'Bounced' : 'Delivered', second(n % 3), { internetMessageId: `<${messageIds[0]}@x>` }),
      delivery(messageId, address.toUpperCase(), 'Delivered', second(n % 3)),
      engagement(messageId, address, 'click', second(10 + n), `https://contoso.com/${n}`),
      engagement(messageId, undefined, 'view', second(20 + n)),
    ]);
    const answers = async (store: EventStore) =>
      JSON.stringify([
        await recipientOverview(store, address),
        await recipientMessagesPage(store, { address, limit: 2 }).then(async (page) => [
          page,
          page?.next && encodeRecipientPageToken({ address }, page.next),
          await recipientMessagesPage(store, { address, limit: 2, after: page?.next }),
        ]),
        await recipientMessagesPage(store, { address, limit: 10, status: 'Delivered' }),
        await internetMessageLookup(store, `${messageIds[0]}@x`),
      ]);
    const inOrder = createEventStore(isolatedSettings());
    await ingestAll(events, inOrder, 1);
    const expected = await answers(inOrder);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...events, ...events.slice(0, 5), ...events.slice(3, 9).map((event) => toCloudEvent(event as never))], { minLength: events.length + 11 }), async (order) => {
        const store = createEventStore(isolatedSettings());
        await ingestAll(order, store, 8);
        expect(await answers(store)).toBe(expected);
      }),
      { numRuns: 8 },
    );
  });

  it('never put an address into the logs', async () => {
    const address = `secret.person@${domain()}`;
    const messageId = randomUUID();
    const { context, logs } = recordingContext();
    await ingestEvent(delivery(messageId, address, 'Bounced', second(1)), context);
    await ingestEvent(engagement(messageId, address, 'view', second(2)), context);
    const answers = [await call('getRecipient', { address }), await call('listRecipientMessages', { address }), await call('getRecipient', { address: `x${address}` })];
    const logged = JSON.stringify([...logs, ...answers.flatMap((answer) => answer.logs)]);
    expect(logged).not.toContain('secret.person');
    expect(logs.length).toBeGreaterThan(0);
  });

  it('never put an address into the logs when it comes as a message id, read or erased', async () => {
    // The activity page looks up whatever was typed as a message id too, once the other lookups find nothing.
    const address = `Alice.Smith.${randomUUID().slice(0, 8)}@${domain()}`;
    const { context } = recordingContext();
    await ingestEvent(delivery(address, `someone@${domain()}`, 'Delivered', second(1)), context);
    const answers = [await call('getMessageStatus', { messageId: address }), await call('eraseMessage', { messageId: address })];
    expect(answers.map((answer) => answer.status)).toEqual([200, 204]);
    expect(answers.every((answer) => answer.logs.length > 0)).toBe(true);
    expect(JSON.stringify(answers.flatMap((answer) => answer.logs))).not.toContain('Alice.Smith');
  });
});
