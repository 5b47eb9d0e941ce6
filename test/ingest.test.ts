/** The ingest path against real Azurite: invariants 1, 3, 4 and 5 of DESIGN.md. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventStore } from '../src/storage/eventStore.js';
import { ingestEvent } from '../src/ingest.js';
import { readSettings } from '../src/settings.js';
import { MAX_STRING_PROPERTY_LENGTH, TRUNCATION_MARKER, fitStringProperty } from '../src/storage/tableLimits.js';
import { recipientMessagesPage } from '../src/storage/lookups.js';
import { normalizeAddress } from '../src/events/addresses.js';
import { azuriteConnectionString, freePort } from '../scripts/azurite.js';
import { roundTripCounter } from '../scripts/roundTrips.js';
import { sampleMessageEvents, seedDeliveryReport, seedEngagementReport, toCloudEvent } from '../scripts/sampleEvents.js';
import { connectionString, isolatedSettings, rawJsonOfQuarantineEntity, recordingContext, recordingStore, rowsOf } from './helpers.js';

const isInsert = (request: { method: string; url: string }) => request.method === 'POST' && !/\/Tables(\?|$)/.test(new URL(request.url).pathname + '?');
const isCreateTable = (request: { method: string; url: string }) => request.method === 'POST' && new URL(request.url).pathname.endsWith('/Tables');

describe('invariant 1: append-only and idempotent', () => {
  it('stores each event as one row in its message partition, and a redelivery lands on the same row', async () => {
    const { store, settings } = recordingStore();
    const messageId = randomUUID();
    const events = sampleMessageEvents(messageId);
    const { context } = recordingContext();

    expect(await ingestEvent(events[0], context, { store })).toBe('stored');
    expect(await ingestEvent(events[1], context, { store })).toBe('stored');
    for (let redelivery = 0; redelivery < 3; redelivery++) {
      for (const event of events) expect(await ingestEvent(structuredClone(event), context, { store })).toBe('duplicate');
    }
    // The same event through the other schema is the same event.
    expect(await ingestEvent(toCloudEvent(events[0]!), context, { store })).toBe('duplicate');

    const rows = await rowsOf(settings.eventsTable, messageId);
    expect(rows.map((row) => row.eventId).sort()).toEqual(events.map((event) => event.id).sort());
    expect(rows.every((row) => row.partitionKey === messageId)).toBe(true);
    expect(await rowsOf(settings.eventsTable)).toHaveLength(2);
  });

  it('keeps a delivery and an engagement report that share an id as two rows, whichever comes first', async () => {
    // The seed document's two samples share both the id and the messageId.
    const messageId = seedDeliveryReport.data.messageId;
    const stored = [];
    for (const order of [
      [seedDeliveryReport, seedEngagementReport],
      [seedEngagementReport, seedDeliveryReport],
    ]) {
      const { store } = recordingStore();
      const { context } = recordingContext();
      for (const event of order) expect(await ingestEvent(event, context, { store })).toBe('stored');
      stored.push((await store.messageEvents(messageId)).map((event) => event.kind).sort());
    }
    expect(stored).toEqual([
      ['delivery', 'engagement'],
      ['delivery', 'engagement'],
    ]);
  });

  it('keeps events whose over-long ids share a long prefix as separate rows, named by digests', async () => {
    const { store } = recordingStore();
    const { context } = recordingContext();
    const messageId = randomUUID();
    const prefix = 'i'.repeat(MAX_STRING_PROPERTY_LENGTH + 100);
    const [delivery] = sampleMessageEvents(messageId);
    for (const suffix of ['a', 'b']) expect(await ingestEvent({ ...delivery!, id: prefix + suffix }, context, { store })).toBe('stored');
    expect(await ingestEvent({ ...delivery!, id: `${prefix}a` }, context, { store })).toBe('duplicate');
    const ids = (await store.messageEvents(messageId)).map((event) => event.eventId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^sha256-[0-9a-f]{64}$/);
  });

  it('never overwrites a stored row (append-only): the first write of an event id wins', async () => {
    const { store, settings } = recordingStore();
    const [delivery] = sampleMessageEvents();
    const { context } = recordingContext();
    await ingestEvent(delivery, context, { store });
    const altered = { ...delivery!, data: { ...delivery!.data, status: 'Failed' } };
    expect(await ingestEvent(altered, context, { store })).toBe('duplicate');
    const [row] = await rowsOf(settings.eventsTable, delivery!.data.messageId);
    expect(row!.status).toBe('Delivered');
  });
});

describe('invariant 3: one insert into the message partition plus one per index the event feeds (expiry included)', () => {
  // Events of today, as they come; a late one (of days ago) also marks its day for the statistics roll-up.
  const now = () => new Date().toISOString();
  const delivery = (data: Record<string, unknown>) => ({ ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId: randomUUID(), deliveryAttemptTimeStamp: now(), ...data } });
  const engagement = (data: Record<string, unknown>) => ({ ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, messageId: randomUUID(), userActionTimeStamp: now(), ...data } });
  // The documented counts (README, "How events are stored").
  const cases: { what: string; event: () => unknown; requests: number }[] = [
    { what: 'a delivery report with an Internet Message-ID', event: () => delivery({ internetMessageId: '<a@b.example>' }), requests: 5 },
    { what: 'a delivery report without one (Suppressed)', event: () => delivery({ status: 'Suppressed' }), requests: 4 },
    { what: 'an engagement report that names the recipient', event: () => engagement({ recipient: 'a@b.example' }), requests: 4 },
    { what: 'an engagement report that names no recipient', event: () => engagement({}), requests: 3 },
    { what: 'a delivery report that comes days late', event: () => delivery({ status: 'Suppressed', deliveryAttemptTimeStamp: '2020-09-18T00:22:20Z' }), requests: 5 },
  ];

  for (const { what, event, requests: expected } of cases) {
    it(`makes ${expected} insert request(s) for ${what}, and as many for its redelivery`, async () => {
      const { store, requests } = recordingStore();
      const { context } = recordingContext();
      await ingestEvent(delivery({ internetMessageId: '<warm@up.example>' }), context, { store: store }); // creates the tables
      requests.length = 0;
      const events = Array.from({ length: 10 }, event);
      for (const raw of events) await ingestEvent(raw, context, { store: store });
      await ingestEvent(events[0], context, { store: store });
      expect(requests).toHaveLength((events.length + 1) * expected);
      expect(requests.every(isInsert)).toBe(true);
    });
  }

  it('issues the inserts of one event at once, not one after another', async () => {
    const { context } = recordingContext();
    const { count, clientOptions } = roundTripCounter();
    const tracking = createEventStore(isolatedSettings(), { clientOptions });
    await ingestEvent(delivery({ internetMessageId: '<warm@up.example>' }), context, { store: tracking });
    count.reset();
    await ingestEvent(delivery({ internetMessageId: '<a@b.example>' }), context, { store: tracking });
    expect(count).toMatchObject({ requests: 5, mostInFlight: 5, roundTrips: 1 });
  });

  it('creates each missing table once per process, however many first writes find it missing', async () => {
    const { store, requests } = recordingStore();
    const { context } = recordingContext();
    const events = Array.from({ length: 8 }, () => engagement({}));
    await Promise.all(events.map((event) => ingestEvent(event, context, { store: store })));
    expect(requests.filter(isCreateTable)).toHaveLength(2); // the events table and the index table
    requests.length = 0;
    await ingestEvent(engagement({}), context, { store: store });
    expect(requests).toHaveLength(3);
  });
});

describe('invariant 4: nothing lost', () => {
  it('fails the invocation when storage is down, so that Event Grid retries', async () => {
    const deadPort = await freePort();
    const store = createEventStore(readSettings({ EmailEventsStorage: azuriteConnectionString(deadPort) }), {
      clientOptions: { retryOptions: { maxRetries: 0 } },
    });
    const { context, logs } = recordingContext();
    await expect(ingestEvent(sampleMessageEvents()[0], context, { store })).rejects.toThrow();
    await expect(ingestEvent('not an event', context, { store })).rejects.toThrow();
    expect(logs.filter((line) => line.level === 'error')).toHaveLength(2);
    expect(JSON.stringify(logs)).not.toMatch(/AccountKey|Eby8vdM02/);
  });

  it('quarantines an event that can never be stored, whole and with the reason, and succeeds', async () => {
    const { store, settings } = recordingStore();
    const { context, logs } = recordingContext('emailEngagementReport');
    const unknownType = { ...seedDeliveryReport, id: randomUUID(), eventType: 'Microsoft.Communication.SMSReceived' };
    const noMessageId = { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId: '' } };
    const notAnObject = [1, 'two', { three: 3 }];
    for (const raw of [unknownType, noMessageId, notAnObject]) {
      expect(await ingestEvent(raw, context, { store })).toBe('quarantined');
      expect(await ingestEvent(structuredClone(raw), context, { store })).toBe('quarantined');
    }
    const quarantined = await rowsOf(settings.quarantineTable);
    expect(quarantined.map((row) => row.reason).sort()).toEqual(['not-an-object', 'unknown-event-type', 'unusable-message-id']);
    const byReason = new Map(quarantined.map((row) => [row.reason, row]));
    expect(JSON.parse(rawJsonOfQuarantineEntity(byReason.get('unknown-event-type')!))).toEqual(unknownType);
    expect(JSON.parse(rawJsonOfQuarantineEntity(byReason.get('not-an-object')!))).toEqual(notAnObject);
    expect(byReason.get('unusable-message-id')).toMatchObject({ functionName: 'emailEngagementReport', eventId: noMessageId.id, detail: 'The messageId is empty.' });
    expect(await rowsOf(settings.eventsTable)).toHaveLength(0);
    expect(logs.filter((line) => line.level === 'warning')).toHaveLength(6);
  });

  it('logs an unknown event type capped and redacted: a 1,000,000-character one is no 1,000,000-character line, an address or a token is not quoted', async () => {
    const { store } = recordingStore();
    const huge = 'Contoso.'.repeat(125_000);
    const address = `Alice.Smith.${randomUUID().slice(0, 8)}@Fabrikam.example`;
    const token = `Bearer eyJ${randomUUID().replace(/-/g, '')}`;
    for (const eventType of [huge, address, token]) {
      const { context, logs } = recordingContext();
      expect(await ingestEvent({ ...seedDeliveryReport, id: randomUUID(), eventType }, context, { store })).toBe('quarantined');
      expect(logs.map((line) => line.level)).toEqual(['warning']);
      const logged = JSON.stringify(logs);
      expect(logged.length).toBeLessThan(1_000);
      expect(logged).not.toContain(address);
      expect(logged).not.toContain(token.slice('Bearer '.length));
      expect(logs[0]!.args[1]).toMatchObject({ reason: 'unknown-event-type' });
    }
  });

  it('logs an accepted event whose message id is an address without the address', async () => {
    const { store } = recordingStore();
    const { context, logs } = recordingContext();
    const messageId = `Zed.${randomUUID().slice(0, 8)}@Fabrikam.example`;
    expect(await ingestEvent({ ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId } }, context, { store })).toBe('stored');
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain(messageId);
  });

  it('stores clicked links without query values, in the events and the quarantine table, unless told to keep them whole', async () => {
    const link = 'https://contoso.com/reset?utm_campaign=pw&token=s3cret-reset-token';
    const messageId = randomUUID();
    const click = { ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, messageId, engagementType: 'click', engagementContext: link } };
    const badClick = { ...click, id: randomUUID(), data: { ...click.data, messageId: 'a/b' } };
    const redacting = recordingStore();
    const { context, logs } = recordingContext('emailEngagementReport');
    for (const event of [click, badClick]) await ingestEvent(event, context, { store: redacting.store });
    const stored = JSON.stringify([await rowsOf(redacting.settings.eventsTable), await rowsOf(redacting.settings.quarantineTable)]);
    expect(stored).toContain('https://contoso.com/reset?utm_campaign=pw&token=REDACTED');
    expect(stored).not.toContain('s3cret');
    expect(JSON.stringify(logs)).not.toContain('s3cret');

    const keeping = recordingStore();
    for (const event of [click, badClick]) await ingestEvent(event, context, { store: keeping.store, redactLinks: false });
    const [row] = await rowsOf(keeping.settings.eventsTable);
    expect(row!.engagementContext).toBe(link);
    const [quarantinedRow] = await rowsOf(keeping.settings.quarantineTable);
    expect(JSON.parse(rawJsonOfQuarantineEntity(quarantinedRow!))).toEqual(badClick);
  });

  it('keeps a large quarantined event whole across several properties', async () => {
    const { store, settings } = recordingStore();
    const { context } = recordingContext();
    const large = { ...seedDeliveryReport, id: randomUUID(), eventType: 'Contoso.Unknown', data: { blob: 'x'.repeat(200_000) } };
    await ingestEvent(large, context, { store });
    const [row] = await rowsOf(settings.quarantineTable);
    expect(JSON.parse(rawJsonOfQuarantineEntity(row!))).toEqual(large);
  });

  it('fits the largest quarantined event, with long ids and types, into one entity', async () => {
    const { store, settings } = recordingStore();
    const { context } = recordingContext();
    const huge = { id: 'i'.repeat(100_000), eventType: 't'.repeat(100_000), data: { blob: 'x'.repeat(1_000_000) } };
    expect(await ingestEvent(huge, context, { store })).toBe('quarantined');
    const [row] = await rowsOf(settings.quarantineTable);
    const kept = rawJsonOfQuarantineEntity(row!);
    expect(kept.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(row!.rawLength).toBe(JSON.stringify(huge).length);
  });
  it('keeps an event nested 50,000 deep whole in quarantine, and stores a deep event that has a message id', async () => {
    const { store, settings } = recordingStore();
    const { context } = recordingContext();
    const text = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    expect(await ingestEvent(JSON.parse(text), context, { store: store })).toBe('quarantined');
    const [row] = await rowsOf(settings.quarantineTable);
    expect(row).toMatchObject({ reason: 'not-an-object', rawLength: text.length });
    expect(rawJsonOfQuarantineEntity(row!)).toBe(text);
    const messageId = randomUUID();
    // Built afresh for the redelivery: structuredClone recurses too.
    const noId = () => ({ ...seedDeliveryReport, id: undefined, data: { ...seedDeliveryReport.data, messageId, extra: JSON.parse(text) } });
    expect(await ingestEvent(noId(), context, { store: store })).toBe('stored');
    expect(await ingestEvent(noId(), context, { store: store })).toBe('duplicate');
    expect(await rowsOf(settings.eventsTable, messageId)).toHaveLength(1);
  });
});

describe('invariant 5: kept as sent', () => {
  it('stores full-precision UTC times, unknown statuses as sent, and over-long strings cut with a marker', async () => {
    const { store, settings } = recordingStore();
    const { context, logs } = recordingContext();
    const messageId = randomUUID();
    const long = (letter: string) => letter.repeat(MAX_STRING_PROPERTY_LENGTH * 2);
    const event = {
      ...seedDeliveryReport,
      id: randomUUID(),
      subject: long('s'),
      data: {
        sender: long('a'),
        recipient: long('b'),
        messageId,
        internetMessageId: long('c'),
        status: 'OutForDelivery',
        deliveryStatusDetails: { statusMessage: long('d'), recipientMailServerHostName: long('e') },
        deliveryAttemptTimestamp: '2024-02-29T23:59:59.9999999-01:00',
      },
    };
    expect(await ingestEvent(event, context, { store })).toBe('stored');
    const [row] = await rowsOf(settings.eventsTable, messageId);
    expect(row!.occurredAt).toBe('2024-03-01T00:59:59.9999999Z');
    expect(row!.status).toBe('OutForDelivery');
    for (const field of ['subject', 'sender', 'recipient', 'internetMessageId', 'statusMessage', 'recipientMailServerHostName']) {
      const value = row![field] as string;
      expect(value).toHaveLength(MAX_STRING_PROPERTY_LENGTH);
      expect(value.endsWith(TRUNCATION_MARKER)).toBe(true);
    }
    expect(String(row!.truncatedFields).split(',').sort()).toEqual(
      ['internetMessageId', 'recipient', 'recipientMailServerHostName', 'sender', 'statusMessage', 'subject'],
    );
    expect(logs.some((line) => line.level === 'warning' && String(line.args[0]).includes('cut'))).toBe(true);
  });
});

describe('invariant 5: text outside ASCII is kept as sent (Azurite garbles it unless bodies are ASCII)', () => {
  it('stores non-ASCII text exactly, up to the string limit and with line separators, and indexes it', async () => {
    const { store, settings } = recordingStore();
    const { context } = recordingContext();
    const address = `ünï.${randomUUID()}@exämple.com`;
    const statusMessages = [
      // Cut to the limit: 4-byte characters straddle Azurite's body chunks, which once made it 400.
      '😀'.repeat(MAX_STRING_PROPERTY_LENGTH),
      // Three-byte characters and both line separators, which Azurite refused in a transaction.
      `行\u2028${'漢字'.repeat(20_000)}\u2029end`,
    ];
    for (const statusMessage of statusMessages) {
      const messageId = randomUUID();
      const event = { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, recipient: address, deliveryStatusDetails: { statusMessage } } };
      expect(await ingestEvent(event, context, { store })).toBe('stored');
      const [stored] = await store.messageEvents(messageId);
      expect(stored!.kind === 'delivery' && stored!.statusMessage).toBe(fitStringProperty(statusMessage).value);
    }
    const page = await recipientMessagesPage(store, { address: normalizeAddress(address)!, limit: 10 });
    expect(page!.messages.map((message) => message.statusMessage).sort()).toEqual(statusMessages.map((text) => fitStringProperty(text).value).sort());
    expect(page!.messages.every((message) => message.recipient === address)).toBe(true);
    expect(await rowsOf(settings.eventsTable)).toHaveLength(2);
  });
});

describe('the connection string never reaches the logs', () => {
  it('logs structured fields only', async () => {
    const { store } = recordingStore();
    const { context, logs } = recordingContext();
    await ingestEvent(sampleMessageEvents()[0], context, { store });
    expect(logs).toHaveLength(1);
    expect(logs[0]!.args[1]).toMatchObject({ result: 'stored', eventType: 'Microsoft.Communication.EmailDeliveryReportReceived' });
    expect(JSON.stringify(logs)).not.toContain(connectionString());
  });
});

describe('reads', () => {
  it("are one query on the message's partition, with the id as a quoted value, never a scan", async () => {
    const { store, requests } = recordingStore();
    const { context } = recordingContext();
    const messageId = `it's-${randomUUID()}`;
    for (const event of sampleMessageEvents(messageId)) await ingestEvent(event, context, { store });
    requests.length = 0;
    expect(await store.messageEvents(messageId)).toHaveLength(2);
    expect(requests).toHaveLength(1);
    const filter = new URL(requests[0]!.url).searchParams.get('$filter');
    expect(filter).toBe(`PartitionKey eq 'it''s-${messageId.slice(5)}'`);
  });
});
