/**
 * Retention and erasure against real Azurite (README, "Retention and erasure"): exactly the expired
 * messages go, with every index row of them; a run stopped half-way is finished by the next; the cost
 * grows with what is deleted; an erased address stays erased after a redelivery and the re-application.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ingestEvent } from '../src/ingest.js';
import type { Caller } from '../src/auth/caller.js';
import { applyRetention, eraseMessage, eraseRecipient } from '../src/retention/retention.js';
import { createEventStore, type EventStore } from '../src/storage/eventStore.js';
import { recipientMessagesPage, recipientOverview, internetMessageLookup } from '../src/storage/lookups.js';
import { recipientPartitionKey } from '../src/storage/indexEntities.js';
import type { Settings } from '../src/settings.js';
import { seedDeliveryReport, seedEngagementReport } from '../scripts/sampleEvents.js';
import { failingStore, isDelete, isolatedSettings, recordingContext, rowsOf, tableClient } from './helpers.js';
import { normalizeEvent } from '../src/events/normalize.js';
import { toEventEntity } from '../src/storage/tableEntities.js';
import { call } from './http.js';
import { decodePercentEscapes } from '../src/events/percentEscapes.js';
import { sha256 } from '../src/sha256.js';
import { ERASED_RECIPIENT_PREFIX, factKeysOf, recipientKey } from '../src/stats/facts.js';
import { readStatistics } from '../src/stats/statistics.js';

const NOW = new Date('2026-11-29T12:00:00Z');
/** Who erases in these tests: a person, as the people's door passes them on. */
const BY: Caller = { kind: 'user', id: '00000000-0000-4000-8000-0000000000e1', name: 'Erin Eraser', roles: ['EmailStatus.Change'] };
const domain = () => `${randomUUID().slice(0, 8)}.example`;

function delivery(messageId: string, recipient: string, at: string, extra: Record<string, unknown> = {}) {
  return { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, recipient, deliveryAttemptTimeStamp: at, ...extra } };
}
function engagement(messageId: string, recipient: string | undefined, at: string, extra: Record<string, unknown> = {}) {
  return { ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, messageId, recipient, userActionTimeStamp: at, ...extra } };
}

async function ingestAll(events: unknown[], store?: EventStore) {
  const { context } = recordingContext();
  for (const event of events) await ingestEvent(event, context, { store: store });
}

/** Every row of the app's three tables, as `table/partition/row` lines with the message they name. */
async function allRows(settings: Settings) {
  const rows = await Promise.all([settings.eventsTable, settings.indexTable, settings.quarantineTable].map((table) => rowsOf(table)));
  return rows.flat();
}

/**
 * Statistics rows: facts and markers (which retention deletes with their days, test/factRetention.test.ts)
 * and summaries (which it leaves, and may write: it counts a day the roll-up missed before its facts go).
 */
const isStatistics = (row: Record<string, unknown>) => /^stats[a-z]*\|/.test(String(row.partitionKey));

/** Every row but the statistics. */
const rowsBesideStatistics = async (settings: Settings) => (await allRows(settings)).filter((row) => !isStatistics(row));

async function mailbox(settings: Settings) {
  const store = createEventStore(settings);
  const shared = `shared@${domain()}`;
  const [expired, revived, fresh] = [randomUUID(), randomUUID(), randomUUID()];
  await ingestAll(
    [
      delivery(expired, shared, '2026-09-01T10:00:00.1234567Z', { internetMessageId: `<${expired}@x>` }),
      delivery(expired, `other@${domain()}`, '2026-09-01T10:00:01Z'),
      engagement(expired, shared, '2026-09-02T10:00:00Z'),
      engagement(expired, undefined, '2026-09-03T10:00:00Z'),
      delivery(revived, shared, '2026-09-01T11:00:00Z'),
      engagement(revived, shared, '2026-11-20T11:00:00Z'), // a click inside the window keeps it
      delivery(fresh, shared, '2026-11-28T11:00:00Z', { internetMessageId: `<${fresh}@x>` }),
    ],
    store,
  );
  await store.quarantine({ reason: 'unknown-event-type', detail: 'old', eventType: 'X', eventId: 'q1', functionName: 'f', receivedAt: '2026-09-01T00:00:00Z', raw: { old: true } });
  await store.quarantine({ reason: 'unknown-event-type', detail: 'new', eventType: 'X', eventId: 'q2', functionName: 'f', receivedAt: '2026-11-28T00:00:00Z', raw: { new: true } });
  return { store, shared, expired, revived, fresh };
}

/** The rows that name a message, beside its statistics facts (which keep its id, and stay by design). */
const names = (rows: Record<string, unknown>[], messageId: string) => rows.filter((row) => (row.partitionKey === messageId || row.messageId === messageId) && !isStatistics(row));

describe('applyRetention', () => {
  it('deletes exactly the messages whose newest event is older than the window, with their index rows, and old quarantine rows', async () => {
    const settings = isolatedSettings();
    const { store, shared, expired, revived, fresh } = await mailbox(settings);
    const before = await allRows(settings);
    const run = await applyRetention(store, { now: NOW, days: 30 });
    expect(run).toMatchObject({ messages: 1, quarantined: 1, complete: true });
    const after = await allRows(settings);
    expect(names(after, expired)).toEqual([]);
    // Nothing else went but the expired message's rows, the old quarantine row and expiry rows of days before the window.
    const gone = before.filter((row) => !after.some((kept) => kept.partitionKey === row.partitionKey && kept.rowKey === row.rowKey));
    const factOfSeptember = (row: Record<string, unknown>) => /^stats(dirty)?\|/.test(String(row.partitionKey)) && /2026-09/.test(`${row.partitionKey}|${row.rowKey}`);
    expect(gone.every((row) => names([row], expired).length === 1 || String(row.partitionKey).startsWith('expiry|2026-09') || row.detail === 'old' || factOfSeptember(row))).toBe(true);
    expect(names(after, revived).filter((row) => !String(row.partitionKey).startsWith('expiry|'))).toHaveLength(names(before, revived).filter((row) => !String(row.partitionKey).startsWith('expiry|')).length);
    expect(names(after, fresh)).toEqual(names(before, fresh));
    expect(after.filter((row) => row.detail === 'new')).toHaveLength(1);
    const address = await recipientOverview(store, shared);
    expect(address?.messages.total).toBe(2);
    expect(await internetMessageLookup(store, `${expired}@x`)).toBeUndefined();
    expect((await internetMessageLookup(store, `${fresh}@x`))?.messages).toHaveLength(1);
    // A second run finds nothing more to do.
    expect(await applyRetention(store, { now: NOW, days: 30 })).toMatchObject({ messages: 0, quarantined: 0, rows: 0 });
    expect(await allRows(settings)).toEqual(after);
  });

  it('keeps everything with 0 days', async () => {
    const settings = isolatedSettings();
    const { store } = await mailbox(settings);
    const before = await allRows(settings);
    expect(await applyRetention(store, { now: NOW, days: 0 })).toMatchObject({ messages: 0, rows: 0 });
    expect(await allRows(settings)).toEqual(before);
  });

  it('is finished by the next run when storage fails half-way, deleting nothing that should stay', async () => {
    const reference = isolatedSettings();
    const clean = await mailbox(reference);
    await applyRetention(clean.store, { now: NOW, days: 30 });

    const settings = isolatedSettings();
    const { store, expired, revived, fresh } = await mailbox(settings);
    const before = await allRows(settings);
    let failures = 0;
    for (const failAfter of [1, 3, 6]) {
      let deletes = 0;
      const failing = failingStore(settings, (request) => isDelete(request) && ++deletes > failAfter);
      await applyRetention(failing, { now: NOW, days: 30 }).catch(() => failures++);
    }
    expect(failures).toBe(3);
    await applyRetention(store, { now: NOW, days: 30 });
    const after = await allRows(settings);
    expect(names(after, expired)).toEqual([]);
    const kept = (rows: Record<string, unknown>[], messageId: string) =>
      names(rows, messageId)
        .filter((row) => !String(row.partitionKey).startsWith('expiry|2026-09'))
        .map((row) => `${row.partitionKey}/${row.rowKey}`)
        .sort();
    expect(kept(after, revived)).toEqual(kept(before, revived));
    expect(kept(after, fresh)).toEqual(kept(before, fresh));
    // Statistics rows stay by design, and how many there are depends on the shards the random ids fall in.
    const tally = (rows: Record<string, unknown>[]) =>
      rows
        .filter((row) => !isStatistics(row))
        .map((row) => String(row.partitionKey).split('|')[0]!.replace(/^[0-9a-f-]{36}$/, 'message'))
        .sort();
    expect(tally(after)).toEqual(tally(await allRows(reference)));
  });

  it('makes as many storage requests whether it keeps 0 or 100 other messages', async () => {
    // The same expired messages both times: their facts' partitions, which retention deletes, follow their ids.
    const expired = Array.from({ length: 5 }, () => randomUUID());
    const count = async (kept: number) => {
      const settings = isolatedSettings();
      const store = createEventStore(settings);
      const events = [];
      for (const [n, messageId] of expired.entries()) events.push(delivery(messageId, `old${n}@${domain()}`, '2026-08-01T00:00:00Z'));
      for (let n = 0; n < kept; n++) events.push(delivery(randomUUID(), `new${n}@${domain()}`, '2026-11-27T00:00:00Z'));
      await ingestAll(events, store);
      let requests = 0;
      const counted = createEventStore(settings, {
        clientOptions: { additionalPolicies: [{ position: 'perCall', policy: { name: 'count', sendRequest: (request, next) => (requests++, next(request)) } }] },
      });
      const run = await applyRetention(counted, { now: NOW, days: 30 });
      expect(run.messages).toBe(5);
      return requests;
    };
    expect(await count(100)).toBe(await count(0));
  });
});

describe('erasure', () => {
  it('DELETE /api/recipients/{address} removes the address from every lookup and message view, and leaves the other recipients whole', async () => {
    const address = `Erase.Me@${domain()}`;
    const other = `stays@${domain()}`;
    const [shared, own] = [randomUUID(), randomUUID()];
    const events = [
      delivery(shared, address, '2026-11-27T10:00:00Z', { internetMessageId: `<${shared}@x>` }),
      delivery(shared, other, '2026-11-27T10:00:01Z', { internetMessageId: `<${shared}@x>` }),
      engagement(shared, address, '2026-11-27T11:00:00Z'),
      engagement(shared, other, '2026-11-27T11:00:01Z'),
      // A click that names no recipient, whose link holds the address (kept: a path, and a campaign value).
      engagement(shared, undefined, '2026-11-27T12:00:00Z', { engagementType: 'click', engagementContext: `https://contoso.com/p/${address}?utm_term=${encodeURIComponent(address)}` }),
      delivery(own, address, '2026-11-28T10:00:00Z'),
    ];
    await ingestAll(events);
    const otherBefore = (await call('getRecipient', { address: other })).body;
    const erased = await call('eraseRecipient', { address: address.toUpperCase() });
    expect(erased.status).toBe(204);
    expect(JSON.stringify(erased.logs)).not.toContain('erase.me');
    expect((await call('getRecipient', { address })).status).toBe(404);
    expect((await call('listRecipientMessages', { address })).status).toBe(404);
    expect((await call('getMessageStatus', { messageId: own })).status).toBe(404);
    const message = (await call('getMessageStatus', { messageId: shared })).body;
    expect(decodePercentEscapes(JSON.stringify(message)).toLowerCase()).not.toContain('erase.me');
    expect(message.engagement.links).toEqual([{ url: 'https://contoso.com/p/[erased]?utm_term=[erased]', clicks: 1 }]);
    expect(message.recipients.map((entry: { recipient: string }) => entry.recipient)).toEqual([other]);
    expect(message.engagement.views).toBe(1);
    expect((await call('getRecipient', { address: other })).body).toEqual(otherBefore);
    expect((await call('eraseRecipient', { address })).status).toBe(204); // nothing left: still 204
  });

  it('erases, when applied again, an event redelivered while the erasure ran, which no index row leads to', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const address = `racing@${domain()}`;
    const other = `stays@${domain()}`;
    const messageId = randomUUID();
    const report = delivery(messageId, address, '2026-11-28T10:00:00Z');
    await ingestAll([report, delivery(messageId, other, '2026-11-28T10:00:00Z')], store);
    expect(await eraseRecipient(store, address, NOW, BY)).toBeGreaterThan(0);
    // The redelivery's event row landed after the erasure had read and deleted the index rows, its
    // index rows before: what is left is the event row alone.
    const normalized = normalizeEvent(report);
    if (normalized.outcome !== 'accepted') throw new Error('the report is an email event');
    await tableClient(settings.eventsTable).createEntity(toEventEntity(normalized.event));
    expect((await store.messageEvents(messageId)).map((event) => event.recipient).sort()).toEqual([address, other].sort());
    expect(await recipientOverview(store, address)).toBeUndefined();
    expect(await applyRetention(store, { now: new Date(NOW.getTime() + 26 * 3600_000), days: 0 })).toMatchObject({ erasuresReapplied: 1, rows: 1 });
    expect((await store.messageEvents(messageId)).map((event) => event.recipient)).toEqual([other]);
  });

  it("erases, when applied again, a message's index rows that a redelivery wrote back while the erasure ran", async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const address = `orphan@${domain()}`;
    const messageId = randomUUID();
    const report = delivery(messageId, address, '2026-11-28T10:00:00Z', { internetMessageId: `<${messageId}@contoso.com>` });
    await ingestAll([report, engagement(messageId, address, '2026-11-28T11:00:00Z')], store);
    expect(await eraseMessage(store, messageId, NOW, BY)).toBeGreaterThan(0);
    // The redelivery's event row landed before the erasure deleted event rows, its index rows after
    // the erasure had deleted those: what is left is index rows that no event leads to.
    const normalized = normalizeEvent(report);
    if (normalized.outcome !== 'accepted') throw new Error('the report is an email event');
    await store.appendIndexRows(normalized.event, NOW.toISOString());
    expect((await recipientMessagesPage(store, { address, limit: 10 }))?.messages.map((message) => message.messageId)).toEqual([messageId]);
    expect(await store.messageEvents(messageId)).toEqual([]);
    await applyRetention(store, { now: new Date(NOW.getTime() + 26 * 3600_000), days: 0 });
    expect(await recipientOverview(store, address)).toBeUndefined();
    expect(await internetMessageLookup(store, `${messageId}@contoso.com`)).toBeUndefined();
    expect((await rowsOf(settings.indexTable)).filter((row) => row.messageId === messageId && !isStatistics(row))).toEqual([]);
  });

  it('stays erased after a late redelivery of the erased events, once the erasure is applied again', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const address = `late@${domain()}`;
    const messageId = randomUUID();
    const events = [delivery(messageId, address, '2026-11-28T10:00:00Z'), engagement(messageId, address, '2026-11-28T11:00:00Z')];
    await ingestAll(events, store);
    expect(await eraseRecipient(store, address, NOW, BY)).toBeGreaterThan(0);
    await ingestAll(events, store); // Event Grid retries for up to 24 hours
    expect((await recipientOverview(store, address))?.messages.total).toBe(1);
    expect(await applyRetention(store, { now: new Date(NOW.getTime() + 12 * 3600_000), days: 0 })).toMatchObject({ erasuresReapplied: 0 });
    const redelivered = (await rowsOf(settings.eventsTable, messageId)).length + (await rowsOf(settings.indexTable, recipientPartitionKey(address))).length;
    // Its summary counts what the re-application deleted: the redelivered rows.
    expect(await applyRetention(store, { now: new Date(NOW.getTime() + 26 * 3600_000), days: 0 })).toMatchObject({ erasuresReapplied: 1, rows: redelivered });
    expect(await recipientOverview(store, address)).toBeUndefined();
    expect(await store.messageEvents(messageId)).toEqual([]);
    expect(await applyRetention(store, { now: new Date(NOW.getTime() + 50 * 3600_000), days: 0 })).toMatchObject({ erasuresReapplied: 0 });
    // The record says when, what kind, who asked and how many rows, and names the address only by a digest.
    const records = (await rowsOf(settings.indexTable)).filter((row) => String(row.partitionKey).startsWith('erasure|'));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      partitionKey: 'erasure|log',
      kind: 'recipient',
      requestedAt: NOW.toISOString(),
      requestedByKind: 'user',
      requestedById: BY.id,
      requestedByName: BY.name,
      rows: expect.any(Number),
      reappliedRows: expect.any(Number),
    });
    expect(JSON.stringify(records)).not.toContain('late@');
  });

  it('DELETE /api/messages/{messageId} erases a message from every view, idempotently, and refuses what cannot be an id', async () => {
    const address = `m@${domain()}`;
    const messageId = randomUUID();
    await ingestAll([delivery(messageId, address, '2026-11-28T10:00:00Z', { internetMessageId: `<${messageId}@x>` }), engagement(messageId, address, '2026-11-28T11:00:00Z')]);
    expect((await call('eraseMessage', { messageId })).status).toBe(204);
    expect((await call('getMessageStatus', { messageId })).status).toBe(404);
    expect((await call('getRecipient', { address })).status).toBe(404);
    expect((await call('getInternetMessage', { internetMessageId: `${messageId}@x` })).status).toBe(404);
    expect((await call('eraseMessage', { messageId })).status).toBe(204);
    expect((await call('eraseMessage', { messageId: 'a/b' })).body).toMatchObject({ status: 400, parameter: 'messageId' });
    expect((await call('eraseRecipient', { address: ' ' })).body).toMatchObject({ status: 400, parameter: 'address' });
  });
});

describe('a retention run that deletes many messages at once', () => {
  it('counts every row it deletes', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const events = Array.from({ length: 25 }, () => {
      const messageId = randomUUID();
      const recipient = `r@${domain()}`;
      return [delivery(messageId, recipient, '2026-08-01T00:00:00Z', { internetMessageId: `<${messageId}@x>` }), engagement(messageId, recipient, '2026-08-02T00:00:00Z')];
    }).flat();
    const { context } = recordingContext();
    await Promise.all(events.map((event) => ingestEvent(event, context, { store: store })));
    // The facts and markers of those days go too, counted apart; the two days' summaries stay.
    const facts = (await allRows(settings)).filter(isStatistics);
    const rows = (await allRows(settings)).length - facts.length;
    expect(await applyRetention(store, { now: NOW, days: 30, concurrency: 16 })).toMatchObject({ messages: 25, rows, statsFactRows: facts.length, statsDaysRolledUp: 2 });
    const left = await allRows(settings);
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((row) => /^stats(shard|day|hour)\|/.test(String(row.partitionKey)))).toBe(true);
  });
});

describe('an erasure that fails half-way', () => {
  it('is finished by its re-application, even when nobody asks again', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const address = `halfway@${domain()}`;
    const events = Array.from({ length: 3 }, () => randomUUID()).flatMap((messageId) => [delivery(messageId, address, '2026-11-28T10:00:00Z'), engagement(messageId, address, '2026-11-28T11:00:00Z')]);
    await ingestAll(events, store);
    let deletes = 0;
    // The outage comes after the event rows' deletes.
    const failing = failingStore(settings, (request) => isDelete(request) && ++deletes > 3);
    await expect(eraseRecipient(failing, address, NOW, BY)).rejects.toThrow();
    expect((await recipientOverview(store, address))?.messages.total).toBeGreaterThan(0); // the address partition is still there
    expect(await applyRetention(store, { now: new Date(NOW.getTime() + 26 * 3600_000), days: 0 })).toMatchObject({ erasuresReapplied: 1, erasuresFailed: 0 });
    expect(await recipientOverview(store, address)).toBeUndefined();
    expect((await rowsOf(settings.eventsTable)).filter((row) => row.recipient === address)).toEqual([]);
  });
});

/**
 * The rows of the events and index tables whose text holds the address as a parser reads it (escapes
 * decoded, any case), and not as the end of a longer address (`malice@…` for `alice@…`).
 */
async function rowsNaming(settings: Settings, address: string) {
  const rows = (await Promise.all([settings.eventsTable, settings.indexTable].map((table) => rowsOf(table)))).flat();
  const standing = new RegExp(`(?<![a-z0-9._+-])${address.toLowerCase().replace(/[.+]/g, '\\$&')}`);
  return rows.filter((row) => standing.test(decodePercentEscapes(JSON.stringify(row)).toLowerCase()));
}

describe('erasure of an address, in the text of the messages that named it', () => {
  it("leaves no row holding the address: not a click that names no recipient, nor another recipient's status message, in event and index rows", async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const host = domain();
    const alice = `Alice.Smith@${host}`;
    const [bob, list] = [`bob@${domain()}`, `team@${domain()}`];
    const messageId = randomUUID();
    const link = `https://contoso.com/p/alice.smith@${host}?utm_term=${encodeURIComponent(alice.toUpperCase())}&utm_source=mail`;
    await ingestAll(
      [
        delivery(messageId, alice, '2026-11-27T10:00:00Z', { internetMessageId: `<${messageId}@x>` }),
        delivery(messageId, bob, '2026-11-27T10:00:01Z', { internetMessageId: `<${messageId}@x>` }),
        delivery(messageId, list, '2026-11-27T10:00:02Z', { status: 'Expanded', deliveryStatusDetails: { statusMessage: `forwarded to ${alice.toLowerCase()}, and to malice.smith@${host}` } }),
        engagement(messageId, undefined, '2026-11-27T11:00:00Z', { engagementType: 'click', engagementContext: link }),
        engagement(messageId, bob, '2026-11-27T11:00:01Z', { engagementType: 'click', engagementContext: 'https://contoso.com/p/bob' }),
      ],
      store,
    );
    expect((await rowsNaming(settings, alice)).length).toBeGreaterThan(4);
    await eraseRecipient(store, alice.toLowerCase(), NOW, BY);
    expect(await rowsNaming(settings, alice)).toEqual([]);
    const events = await store.messageEvents(messageId);
    const click = events.find((event) => event.kind === 'engagement' && event.recipient === null);
    expect(click).toMatchObject({ engagementContext: 'https://contoso.com/p/[erased]?utm_term=[erased]&utm_source=mail' });
    // Another address that holds hers (malice.smith@…) is another person's, and stays.
    expect(events.find((event) => event.recipient === list)).toMatchObject({ statusMessage: `forwarded to [erased], and to malice.smith@${host}` });
    expect(JSON.stringify(await recipientOverview(store, list))).toContain('forwarded to [erased]');
    expect(events.map((event) => event.recipient).sort()).toEqual([bob, bob, list, null].sort());
    expect((await internetMessageLookup(store, `${messageId}@x`))?.messages).toHaveLength(1);
    // Applying it again (as the re-application does) changes nothing more.
    const before = await allRows(settings);
    expect(await eraseRecipient(store, alice, NOW, BY)).toBe(0);
    expect((await allRows(settings)).filter((row) => !String(row.partitionKey).startsWith('erasure|'))).toEqual(before.filter((row) => !String(row.partitionKey).startsWith('erasure|')));
  });

  it('rewrites, when applied again, text that named the address in an event of its messages that came after the erasure', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const alice = `late.click@${domain()}`;
    const messageId = randomUUID();
    await ingestAll([delivery(messageId, alice, '2026-11-28T10:00:00Z'), delivery(messageId, `other@${domain()}`, '2026-11-28T10:00:00Z')], store);
    await eraseRecipient(store, alice, NOW, BY);
    // A click that names no recipient, with her address percent-encoded in upper case, arrives after the erasure.
    await ingestAll([engagement(messageId, undefined, '2026-11-28T12:00:00Z', { engagementType: 'click', engagementContext: `https://contoso.com/u/${encodeURIComponent(alice.toUpperCase())}` })], store);
    expect(await rowsNaming(settings, alice)).toHaveLength(1);
    expect(await applyRetention(store, { now: new Date(NOW.getTime() + 26 * 3600_000), days: 0 })).toMatchObject({ erasuresReapplied: 1 });
    expect(await rowsNaming(settings, alice)).toEqual([]);
    expect((await store.messageEvents(messageId)).find((event) => event.kind === 'engagement')).toMatchObject({ engagementContext: 'https://contoso.com/u/[erased]' });
  });

  it('leaves no lookup row that nothing leads to: the Message-ID rows of messages only the address carried go, through retention runs too', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const alice = `only@${domain()}`;
    const [alone, withClick] = [randomUUID(), randomUUID()];
    await ingestAll(
      [
        delivery(alone, alice, '2026-09-01T10:00:00Z', { internetMessageId: `<${alone}@x>` }),
        delivery(withClick, alice, '2026-09-01T10:00:00Z', { internetMessageId: `<${withClick}@x>` }),
        engagement(withClick, undefined, '2026-09-02T10:00:00Z'),
      ],
      store,
    );
    await eraseRecipient(store, alice, NOW, BY);
    expect(await internetMessageLookup(store, `${alone}@x`)).toBeUndefined();
    expect(await internetMessageLookup(store, `${withClick}@x`)).toBeUndefined();
    const lookupRows = async () => (await rowsOf(settings.indexTable)).filter((row) => !/^(expiry|erasure)\|/.test(String(row.partitionKey)) && !isStatistics(row));
    expect(await lookupRows()).toEqual([]);
    for (const days of [30, 30]) await applyRetention(store, { now: NOW, days });
    expect((await rowsBesideStatistics(settings)).filter((row) => !String(row.partitionKey).startsWith('erasure|'))).toEqual([]);
  });
});

describe('the erasure record', () => {
  it('keeps no digest of the address once the erasure is applied again, and its log never holds one', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const alice = `recorded@${domain()}`;
    const digest = sha256(alice);
    await ingestAll([delivery(randomUUID(), alice, '2026-11-28T10:00:00Z')], store);
    await eraseRecipient(store, alice, NOW, BY);
    const records = async () => (await rowsOf(settings.indexTable)).filter((row) => String(row.partitionKey).startsWith('erasure|'));
    const log = (await records()).filter((row) => row.partitionKey === 'erasure|log');
    expect(log).toHaveLength(1);
    expect(JSON.stringify(log)).not.toContain(digest);
    expect(log[0]).not.toHaveProperty('target');
    // The pending re-application needs it, until it is done.
    expect(JSON.stringify(await records())).toContain(digest);
    await applyRetention(store, { now: new Date(NOW.getTime() + 26 * 3600_000), days: 0 });
    expect(JSON.stringify(await records())).not.toContain(digest);
    expect(await records()).toEqual([expect.objectContaining({ partitionKey: 'erasure|log', kind: 'recipient', reappliedAt: expect.any(String) })]);
  });
});

describe('an event dated far from when it was received', () => {
  it('does not keep its message past the window: an open stamped 2099 counts from when it came', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const messageId = randomUUID();
    await ingestAll([delivery(messageId, `future@${domain()}`, '2026-09-01T10:00:00Z'), engagement(messageId, undefined, '2099-01-01T00:00:00Z')], store);
    const later = new Date(Date.now() + 100 * 24 * 3600_000);
    expect(await applyRetention(store, { now: later, days: 30 })).toMatchObject({ messages: 1 });
    expect(await rowsBesideStatistics(settings)).toEqual([]);
  });
});

/** The statistics facts of the index table. */
const factRows = async (settings: Settings) => (await rowsOf(settings.indexTable)).filter((row) => String(row.partitionKey).startsWith('stats|'));

/** What the statistics answer for the days of these tests, by day and by hour, without when it was counted. */
async function statisticsOf(store: EventStore) {
  const strip = (body: Awaited<ReturnType<typeof readStatistics>>) => ({ totals: body.totals, buckets: body.buckets.map(({ source: _s, rolledUpAt: _r, ...rest }) => rest) });
  return {
    days: strip(await readStatistics(store, { from: '2026-11-25', to: '2026-11-29', granularity: 'day' }, NOW)),
    hours: strip(await readStatistics(store, { from: '2026-11-27', to: '2026-11-28', granularity: 'hour' }, NOW)),
  };
}

/** Two recipients of one message, and a message of the first alone, with opens (one a machine's, seconds after delivery) and a click, over two days. */
function twoRecipients() {
  const [alice, bob] = [`fact.alice@${domain()}`, `fact.bob@${domain()}`];
  const [shared, own] = [randomUUID(), randomUUID()];
  const events = [
    delivery(shared, alice, '2026-11-27T10:00:00Z'),
    delivery(shared, bob, '2026-11-27T10:00:01Z'),
    engagement(shared, alice, '2026-11-27T10:00:03Z'),
    engagement(shared, alice, '2026-11-28T09:00:00Z'),
    engagement(shared, bob, '2026-11-27T14:00:00Z', { engagementType: 'click', engagementContext: 'https://contoso.com/p' }),
    engagement(shared, undefined, '2026-11-27T15:00:00Z'),
    delivery(own, alice, '2026-11-28T10:00:00Z', { status: 'Bounced' }),
  ];
  return { alice, bob, shared, own, events };
}

describe('erasure of the statistics facts', () => {
  it('ingest writes each fact where erasure looks for it: the keys factKeysOf derives from the stored event', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const { shared, own, events } = twoRecipients();
    await ingestAll(events, store);
    const facts = await factRows(settings);
    const stored = [...(await store.storedEvents(shared)), ...(await store.storedEvents(own))];
    expect(stored).toHaveLength(events.length);
    for (const { event, receivedAt } of stored) {
      const keys = factKeysOf(event, receivedAt!);
      const fact = facts.find((row) => row.partitionKey === keys.partitionKey && row.rowKey === keys.rowKey);
      expect(fact).toBeDefined();
      expect(fact!.recipient).toBe(keys.recipient);
    }
    expect(facts).toHaveLength(events.length);
  });

  it('eraseRecipient leaves no fact that confirms the address in any of its messages, and the statistics the same; the other recipient keeps its digest', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const { alice, bob, shared, own, events } = twoRecipients();
    await ingestAll(events, store);
    const before = await statisticsOf(store);
    const bobsBefore = (await factRows(settings)).filter((row) => row.recipient === recipientKey(shared, bob));
    expect(bobsBefore).toHaveLength(2);
    const digests = [recipientKey(shared, alice), recipientKey(own, alice)];
    expect((await factRows(settings)).filter((row) => digests.includes(String(row.recipient)))).toHaveLength(4);

    await eraseRecipient(store, alice, NOW, BY);
    const facts = await factRows(settings);
    expect(facts).toHaveLength(events.length); // rewritten, not deleted, and none made
    expect(facts.filter((row) => digests.includes(String(row.recipient)))).toEqual([]);
    expect(JSON.stringify(facts)).not.toContain(sha256(alice));
    // Her facts in the shared message share one key, another in her own message, neither anyone's digest.
    const erased = facts.filter((row) => String(row.recipient).startsWith(ERASED_RECIPIENT_PREFIX));
    expect(erased).toHaveLength(4);
    expect(new Set(erased.filter((row) => row.messageId === shared).map((row) => row.recipient)).size).toBe(1);
    expect(new Set(erased.map((row) => row.recipient)).size).toBe(2);
    expect(facts.filter((row) => row.recipient === recipientKey(shared, bob))).toEqual(bobsBefore);
    expect(await statisticsOf(store)).toEqual(before);
    // The log counts the facts it rewrote.
    const log = (await rowsOf(settings.indexTable, 'erasure|log'))[0];
    expect(log).toMatchObject({ kind: 'recipient', facts: 4 });
  });

  it('eraseMessage leaves no fact that confirms any recipient of it, each recipient apart, and the statistics the same', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const { alice, bob, shared, own, events } = twoRecipients();
    await ingestAll(events, store);
    const before = await statisticsOf(store);
    const ownFacts = (await factRows(settings)).filter((row) => row.messageId === own);

    await eraseMessage(store, shared, NOW, BY);
    const facts = await factRows(settings);
    expect(facts).toHaveLength(events.length);
    const sharedFacts = facts.filter((row) => row.messageId === shared);
    expect(sharedFacts.filter((row) => [recipientKey(shared, alice), recipientKey(shared, bob)].includes(String(row.recipient)))).toEqual([]);
    // Alice's 3, Bob's 2, each under a key of its own; the open that names nobody still names nobody.
    const keys = sharedFacts.map((row) => row.recipient);
    expect(keys.filter((key) => key === undefined)).toHaveLength(1);
    expect(new Set(keys.filter((key) => key !== undefined)).size).toBe(2);
    expect(keys.filter((key) => key !== undefined).every((key) => String(key).startsWith(ERASED_RECIPIENT_PREFIX))).toBe(true);
    expect(facts.filter((row) => row.messageId === own)).toEqual(ownFacts); // another message is not touched
    expect(await statisticsOf(store)).toEqual(before);
    expect((await rowsOf(settings.indexTable, 'erasure|log'))[0]).toMatchObject({ kind: 'message', facts: 5 });
  });

  it.each(['recipient', 'message'] as const)(
    'a %s erasure, applied again after a redelivery and a later open, leaves no confirmable digest and counts as if nothing was erased',
    async (kind) => {
      const { alice, bob, shared, events } = twoRecipients();
      const later = engagement(shared, alice, '2026-11-28T11:00:00Z'); // a new event: her second open of the day
      // What the statistics say of every event, none erased.
      const reference = createEventStore(isolatedSettings());
      await ingestAll([...events, later], reference);
      const expected = await statisticsOf(reference);

      const settings = isolatedSettings();
      const store = createEventStore(settings);
      await ingestAll(events, store);
      if (kind === 'recipient') await eraseRecipient(store, alice, NOW, BY);
      else await eraseMessage(store, shared, NOW, BY);
      // Event Grid retries her delivery report, and a later open comes: the re-application finds only
      // these two of her events, and must give their facts the key her others got.
      await ingestAll([events[0], later], store);
      const digests = [recipientKey(shared, alice), ...(kind === 'message' ? [recipientKey(shared, bob)] : [])];
      // The redelivered facts found theirs rewritten (an insert does not overwrite); the new one names her by the digest until the re-application.
      expect((await factRows(settings)).filter((row) => digests.includes(String(row.recipient)))).toHaveLength(1);
      expect(await applyRetention(store, { now: new Date(NOW.getTime() + 26 * 3600_000), days: 0 })).toMatchObject({
        erasuresReapplied: 1,
        // The two facts its events lead to again (the redelivered one takes the key it had).
        factsRewritten: 2,
      });
      const facts = await factRows(settings);
      expect(facts).toHaveLength(events.length + 1);
      expect(facts.filter((row) => digests.includes(String(row.recipient)))).toEqual([]);
      if (kind === 'recipient') expect(facts.filter((row) => row.recipient === recipientKey(shared, bob))).toHaveLength(2);
      expect(await statisticsOf(store)).toEqual(expected);
      // The salt went with the pending record.
      expect(await rowsOf(settings.indexTable, 'erasure|pending')).toEqual([]);
    },
  );

  it('a second request for the same erasure while the first is pending gives her facts the same keys', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const { alice, shared, events } = twoRecipients();
    await ingestAll(events, store);
    await eraseRecipient(store, alice, NOW, BY);
    const keys = async () => new Set((await factRows(settings)).filter((row) => row.messageId === shared && String(row.recipient).startsWith('~')).map((row) => row.recipient));
    const first = await keys();
    await ingestAll([engagement(shared, alice, '2026-11-28T11:00:00Z')], store);
    await eraseRecipient(store, alice, new Date(NOW.getTime() + 3600_000), BY);
    expect(await keys()).toEqual(first);
    expect(first.size).toBe(1);
  });
});

describe('EventStore.mergeRows', () => {
  it('merges one property into the rows that are there, in batches, and creates none: a missing row counts as done', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const partitionKey = 'stats|2026-11-27|0';
    expect(await store.mergeRows('index', partitionKey, [{ partitionKey, rowKey: 'nothing', recipient: '~x' }])).toBe(0); // no table yet
    const present = Array.from({ length: 150 }, (_, n) => ({ partitionKey, rowKey: `r${String(n).padStart(3, '0')}`, kind: 'delivery', recipient: `digest${n}` }));
    await tableClient(settings.indexTable).createTable();
    for (const row of present) await tableClient(settings.indexTable).createEntity(row);
    const merges = [...present.map(({ rowKey }) => ({ partitionKey, rowKey, recipient: '~erased' })), { partitionKey, rowKey: 'r050x', recipient: '~erased' }, { partitionKey, rowKey: 'r999', recipient: '~erased' }];
    expect(await store.mergeRows('index', partitionKey, merges)).toBe(150);
    const rows = await rowsOf(settings.indexTable, partitionKey);
    expect(rows).toHaveLength(150);
    expect(rows.every((row) => row.recipient === '~erased' && row.kind === 'delivery')).toBe(true);
  });
});
