/**
 * Erasure's rewrite of statistics facts, pure (src/stats/facts.ts, src/retention/policy.ts): the fact
 * keys erasure derives are the keys ingest writes; an erased recipient's facts in a message share one
 * salted key, distinct from the other recipients', and no replacement is the digest of any address.
 * Against storage: test/retention.test.ts.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EmailEvent } from '../src/events/emailEvent.js';
import { normalizeEvent } from '../src/events/normalize.js';
import { addressErasure, erasedFactRecipients } from '../src/retention/policy.js';
import { recipientPartitionKey } from '../src/storage/indexEntities.js';
import type { StoredEvent } from '../src/storage/tableEntities.js';
import { ERASED_RECIPIENT_PREFIX, erasedRecipientKey, factKeysOf, recipientKey, statsWritesFor } from '../src/stats/facts.js';
import { seedDeliveryReport, seedEngagementReport } from '../scripts/sampleEvents.js';

const RECEIVED = '2026-11-28T12:00:00Z';

function event(raw: unknown): EmailEvent {
  const normalized = normalizeEvent(raw);
  if (normalized.outcome !== 'accepted') throw new Error('the report is an email event');
  return normalized.event;
}
const delivery = (messageId: string, recipient: string, at = '2026-11-27T10:00:00Z') =>
  event({ ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, recipient, deliveryAttemptTimeStamp: at } });
const engagement = (messageId: string, recipient: string | undefined, at = '2026-11-27T11:00:00Z') =>
  event({ ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, messageId, recipient, userActionTimeStamp: at } });
/** An event without a time of its own. */
const timeless = (e: EmailEvent): EmailEvent => ({ ...e, occurredAt: null });
const stored = (events: EmailEvent[], receivedAt: string | null = RECEIVED): StoredEvent[] => events.map((e) => ({ event: e, receivedAt }));

describe('factKeysOf', () => {
  it('gives the keys and recipient of the fact row ingest writes, from the event alone', () => {
    const messageId = randomUUID();
    for (const e of [delivery(messageId, ' Alice@Contoso.com '), engagement(messageId, 'bob@contoso.com'), engagement(messageId, undefined), timeless(delivery(messageId, 'c@contoso.com'))]) {
      const [fact] = statsWritesFor(e, RECEIVED);
      const keys = factKeysOf(e, RECEIVED);
      expect({ partitionKey: keys.partitionKey, rowKey: keys.rowKey }).toEqual({ partitionKey: fact!.partitionKey, rowKey: fact!.rowKey });
      expect(keys.recipient).toBe(fact!.recipient);
    }
    expect(factKeysOf(delivery(messageId, ' Alice@Contoso.com '), RECEIVED).recipient).toBe(recipientKey(messageId, 'alice@contoso.com'));
    // An event without a time lies on the day it came.
    expect(factKeysOf(timeless(delivery(messageId, 'c@contoso.com')), RECEIVED).partitionKey).toMatch(/^stats\|2026-11-28\|[0-9a-f]$/);
  });
});

describe('erasedFactRecipients', () => {
  const messageId = randomUUID();
  const alice = [delivery(messageId, 'alice@contoso.com'), engagement(messageId, 'Alice@Contoso.com'), engagement(messageId, 'alice@contoso.com', '2026-11-28T09:00:00Z')];
  const bob = [delivery(messageId, 'bob@contoso.com'), engagement(messageId, 'bob@contoso.com')];
  const anonymous = engagement(messageId, undefined);

  it("gives one merge per fact that names a recipient: a recipient's facts share a key, other recipients get others, none is a digest of the address", () => {
    const merges = erasedFactRecipients(stored([...alice, ...bob, anonymous]), 'salt-1');
    expect(merges).toHaveLength(5);
    const keyOf = (e: EmailEvent) => merges.find((merge) => merge.rowKey === factKeysOf(e, RECEIVED).rowKey)?.recipient;
    expect(new Set(alice.map(keyOf)).size).toBe(1);
    expect(new Set(bob.map(keyOf)).size).toBe(1);
    expect(keyOf(alice[0]!)).not.toBe(keyOf(bob[0]!));
    expect(keyOf(anonymous)).toBeUndefined(); // its fact has no recipient, and a merge must not give it one
    for (const merge of merges) {
      expect(merge.recipient.startsWith(ERASED_RECIPIENT_PREFIX)).toBe(true);
      expect([recipientKey(messageId, 'alice@contoso.com'), recipientKey(messageId, 'bob@contoso.com')]).not.toContain(merge.recipient);
    }
    // Partitions: where ingest put each fact (the days of the events' own times).
    expect(new Set(merges.map((merge) => merge.partitionKey.split('|')[1]))).toEqual(new Set(['2026-11-27', '2026-11-28']));
  });

  it('gives the same keys for the same salt (a re-application), and others for another', () => {
    const once = erasedFactRecipients(stored(alice), 'salt-1');
    expect(erasedFactRecipients(stored(alice), 'salt-1')).toEqual(once);
    // The same events read again later (received at another time) lie where they lay.
    expect(erasedFactRecipients(stored(alice, '2026-12-01T00:00:00Z'), 'salt-1')).toEqual(once);
    const other = erasedFactRecipients(stored(alice), 'salt-2');
    expect(other.map(({ partitionKey, rowKey }) => ({ partitionKey, rowKey }))).toEqual(once.map(({ partitionKey, rowKey }) => ({ partitionKey, rowKey })));
    expect(other[0]!.recipient).not.toBe(once[0]!.recipient);
  });

  it('leaves out an event whose day is not known (no time, and not when it came), and repeats no fact', () => {
    const noTime = timeless(delivery(messageId, 'alice@contoso.com'));
    expect(erasedFactRecipients(stored([noTime], null), 's')).toEqual([]);
    expect(erasedFactRecipients(stored([noTime], RECEIVED), 's')).toHaveLength(1);
    expect(erasedFactRecipients(stored([alice[0]!, alice[0]!]), 's')).toHaveLength(1);
  });

  it('never gives the digest of any address, and keeps recipients of a message apart', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uniqueArray(fc.emailAddress(), { minLength: 2, maxLength: 4 }), fc.string(), fc.emailAddress(), (id, addresses, salt, guess) => {
        const replaced = addresses.map((address) => erasedRecipientKey(id, recipientKey(id, address), salt));
        expect(new Set(replaced).size).toBe(addresses.length);
        for (const key of replaced) expect(key).not.toBe(recipientKey(id, guess));
      }),
    );
  });
});

describe('addressErasure', () => {
  it("rewrites the facts of the address's events only", () => {
    const messageId = randomUUID();
    const events = [delivery(messageId, 'alice@contoso.com'), engagement(messageId, 'alice@contoso.com'), delivery(messageId, 'bob@contoso.com'), engagement(messageId, undefined)];
    const erasure = addressErasure(stored(events), recipientPartitionKey('alice@contoso.com'), undefined, 'salt');
    expect(erasure.facts.map((fact) => fact.rowKey).sort()).toEqual(events.slice(0, 2).map((e) => factKeysOf(e, RECEIVED).rowKey).sort());
    expect(erasure.facts).toEqual(erasedFactRecipients(stored(events.slice(0, 2)), 'salt'));
  });
});
