/**
 * The statistics reducer (src/stats/tally.ts) and the roll-up's pure half (src/stats/summaries.ts):
 * the same facts in any order, any number of times, give the same counts; each recipient of a
 * message counts once, by its latest report; shards add up; a day's messages (src/stats/dayMessages.ts)
 * add up to the day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayMessageEntries } from '../src/stats/dayMessages.js';
import type { StatsFact } from '../src/stats/facts.js';
import { addShards, daySummaries, toShardSummaryRow } from '../src/stats/summaries.js';
import { addCounts, emptyCounts, tally, type Tallied } from '../src/stats/tally.js';

const byDay = (fact: StatsFact) => fact.day;
const sorted = (tallied: Tallied[]) => [...tallied].sort((a, b) => `${a.bucket}|${a.sender}`.localeCompare(`${b.bucket}|${b.sender}`));

function fact(partial: Partial<StatsFact> & Pick<StatsFact, 'message' | 'event' | 'kind' | 'occurredAt'>): StatsFact {
  return { day: partial.occurredAt!.slice(0, 10), shard: '0', messageId: null, sender: 'news@contoso.com', recipient: 'r1', status: null, engagementType: null, userAgentRule: null, ...partial };
}

const day = fc.constantFrom('2026-11-26', '2026-11-27', '2026-11-28');
const time = fc.tuple(day, fc.integer({ min: 0, max: 86_399 })).map(([d, s]) => new Date(Date.parse(`${d}T00:00:00Z`) + s * 1000).toISOString().replace('.000Z', 'Z'));
const factArbitrary: fc.Arbitrary<StatsFact> = fc
  .record({
    message: fc.constantFrom('m1', 'm2', 'm3'),
    event: fc.string({ minLength: 1, maxLength: 6 }),
    kind: fc.constantFrom('delivery' as const, 'engagement' as const),
    occurredAt: time,
    sender: fc.constantFrom('news@contoso.com', 'billing@contoso.com'),
    recipient: fc.option(fc.constantFrom('r1', 'r2'), { nil: null }),
    status: fc.constantFrom('Delivered', 'Failed', 'Bounced', 'Expanded', null),
    engagementType: fc.constantFrom('view', 'click'),
    userAgentRule: fc.constantFrom(null, 'link-scanner' as const, 'apple-mail-privacy-protection' as const),
  })
  .map((f) => ({ ...f, day: f.occurredAt.slice(0, 10), shard: f.message === 'm3' ? '1' : '0', messageId: `id-${f.message}` }));
// An event is one fact: a redelivery repeats it, never changes it.
const facts = fc.uniqueArray(factArbitrary, { selector: (f) => `${f.message}|${f.event}`, maxLength: 40 });

describe('tally', () => {
  it('gives the same counts for the same facts in any order, any number of times', () => {
    fc.assert(
      fc.property(facts, fc.func(fc.integer()), fc.array(fc.nat(), { maxLength: 20 }), (list, rank, repeats) => {
        const shuffled = [...list, ...repeats.flatMap((i) => (list.length ? [list[i % list.length]!] : []))].sort((a, b) => rank(a.event) - rank(b.event));
        expect(sorted(tally(shuffled, byDay))).toEqual(sorted(tally(list, byDay)));
      }),
    );
  });

  it('counts each recipient of a message once, on the day of its latest report', () => {
    fc.assert(
      fc.property(facts, (list) => {
        const recipients = new Set(list.filter((f) => f.kind === 'delivery').map((f) => `${f.message}|${f.recipient}`));
        const all = tally(list, byDay).filter((t) => t.sender === null);
        expect(all.reduce((sum, t) => sum + t.counts.recipients, 0)).toBe(recipients.size);
        for (const t of all) expect(Object.values(t.counts.statuses).reduce((a, b) => a + b, 0)).toBe(t.counts.recipients);
      }),
    );
  });

  it('counts shards apart and adds them up to the same counts', () => {
    fc.assert(
      fc.property(facts, (list) => {
        const whole = tally(list, byDay).filter((t) => t.sender === null);
        const byShard = ['0', '1'].flatMap((shard) => tally(list.filter((f) => f.shard === shard), byDay).filter((t) => t.sender === null));
        for (const { bucket, counts } of whole) {
          const summed = byShard.filter((t) => t.bucket === bucket).reduce((sum, t) => addCounts(sum, t.counts), emptyCounts());
          expect(summed).toEqual(counts);
        }
      }),
    );
  });

  it('counts a failed attempt followed by a delivery once, as delivered, on the day of the delivery', () => {
    const failed = fact({ message: 'm', event: 'a', kind: 'delivery', occurredAt: '2026-11-27T23:59:00Z', status: 'Failed' });
    const delivered = fact({ message: 'm', event: 'b', kind: 'delivery', occurredAt: '2026-11-28T00:10:00Z', status: 'Delivered' });
    for (const list of [[failed, delivered], [delivered, failed, delivered]]) {
      const all = tally(list, byDay).filter((t) => t.sender === null);
      expect(all.map((t) => [t.bucket, t.counts.recipients, t.counts.statuses])).toEqual([['2026-11-28', 1, { Delivered: 1 }]]);
    }
  });

  it('splits opens and clicks into human and machine, unique per recipient of a message', () => {
    const delivered = fact({ message: 'm', event: 'd', kind: 'delivery', occurredAt: '2026-11-27T10:00:00Z', status: 'Delivered' });
    const list = [
      delivered,
      fact({ message: 'm', event: 'e1', kind: 'engagement', engagementType: 'view', occurredAt: '2026-11-27T10:00:02Z' }), // seconds after: machine
      fact({ message: 'm', event: 'e2', kind: 'engagement', engagementType: 'view', occurredAt: '2026-11-27T11:00:00Z' }),
      fact({ message: 'm', event: 'e3', kind: 'engagement', engagementType: 'view', occurredAt: '2026-11-27T12:00:00Z' }),
      fact({ message: 'm', event: 'e4', kind: 'engagement', engagementType: 'click', occurredAt: '2026-11-27T12:00:00Z', userAgentRule: 'link-scanner' }),
      fact({ message: 'm', event: 'e5', kind: 'engagement', engagementType: 'view', occurredAt: '2026-11-27T12:00:00Z', recipient: null }), // the only recipient's
    ];
    const [all] = tally(list, byDay).filter((t) => t.sender === null);
    expect(all!.counts.opens).toEqual({ total: 4, unique: 2, human: { total: 3, unique: 2 }, machine: { total: 1, unique: 1 } });
    expect(all!.counts.clicks).toEqual({ total: 1, unique: 1, human: { total: 0, unique: 0 }, machine: { total: 1, unique: 1 } });
  });
});

describe('daySummaries', () => {
  it('writes a row for every sender even for a day with nothing, and per sender only for those with counts', () => {
    expect(daySummaries([], '2026-11-27', 'now')).toEqual([{ day: '2026-11-27', sender: null, rolledAt: 'now', counts: emptyCounts(), hours: {} }]);
    const delivered = fact({ message: 'm', event: 'd', kind: 'delivery', occurredAt: '2026-11-27T10:00:00Z', status: 'Delivered' });
    const summaries = daySummaries([delivered], '2026-11-27', 'now');
    expect(summaries.map((s) => [s.sender, s.counts.recipients, Object.keys(s.hours)])).toEqual([
      [null, 1, ['10']],
      ['news@contoso.com', 1, ['10']],
    ]);
  });

  it('leaves a recipient to the next day when its latest report lies there', () => {
    const failed = fact({ message: 'm', event: 'a', kind: 'delivery', occurredAt: '2026-11-27T23:59:00Z', status: 'Failed' });
    const delivered = fact({ message: 'm', event: 'b', kind: 'delivery', occurredAt: '2026-11-28T00:10:00Z', status: 'Delivered' });
    expect(daySummaries([failed, delivered], '2026-11-27', 'now')[0]!.counts.recipients).toBe(0);
    expect(daySummaries([failed, delivered], '2026-11-28', 'now')[0]!.counts.statuses).toEqual({ Delivered: 1 });
  });
});

describe('addShards', () => {
  it("adds a day's shards up to the counts of the whole day, per sender and for every sender, and says how many shards were counted", () => {
    fc.assert(
      fc.property(facts, (list) => {
        const day = '2026-11-27';
        const rows = ['0', '1'].flatMap((shard) => daySummaries(list.filter((f) => f.shard === shard), day, `t${shard}`).map((summary) => toShardSummaryRow(summary, shard)));
        const added = addShards(rows, day);
        const whole = daySummaries(list, day, 't0');
        for (const summary of whole) {
          const found = added.find((entry) => entry.summary.sender === summary.sender);
          if (summary.sender !== null && summary.counts.recipients + summary.counts.opens.total + summary.counts.clicks.total === 0) continue;
          expect(found?.summary.counts).toEqual(summary.counts);
          expect(found?.summary.hours).toEqual(summary.hours);
          expect(found?.shards).toBe(2);
          if (summary.sender === null) expect(found?.summary.rolledAt).toBe('t0'); // the older of its shards' counts
        }
      }),
    );
  });
});

describe('dayMessageEntries', () => {
  it("lists each message that counts on a day once, and the day's messages add up to the day's counts, in any order", () => {
    fc.assert(
      fc.property(facts, fc.func(fc.integer()), (list, rank) => {
        const day = '2026-11-27';
        // What the list reads: the day's facts and the day after's.
        const read = list.filter((f) => f.day === day || f.day === '2026-11-28').sort((a, b) => rank(a.event) - rank(b.event));
        const entries = dayMessageEntries(read, day);
        expect(new Set(entries.map((entry) => entry.message.messageId)).size).toBe(entries.length);
        expect(entries.map((entry) => entry.digest)).toEqual(entries.map((entry) => entry.digest).sort());
        const summed = entries.reduce((sum, { message: { recipients, statuses, opens, clicks } }) => addCounts(sum, { recipients, statuses, opens, clicks }), emptyCounts());
        const whole = tally(list, byDay).find((t) => t.sender === null && t.bucket === day)?.counts ?? emptyCounts();
        expect(summed).toEqual(whole);
        for (const entry of entries) expect(entry.message.recipients + entry.message.opens.total + entry.message.clicks.total).toBeGreaterThan(0);
      }),
    );
  });

  it('lists a message on the day its recipient counts: a failure superseded the next day is not listed on its own day', () => {
    const failed = fact({ message: 'm', messageId: 'id-m', event: 'a', kind: 'delivery', occurredAt: '2026-11-27T23:59:00Z', status: 'Failed' });
    const delivered = fact({ message: 'm', messageId: 'id-m', event: 'b', kind: 'delivery', occurredAt: '2026-11-28T00:10:00Z', status: 'Delivered' });
    expect(dayMessageEntries([failed, delivered], '2026-11-27')).toEqual([]);
    expect(dayMessageEntries([delivered], '2026-11-28')).toEqual([
      { digest: 'm', message: expect.objectContaining({ messageId: 'id-m', sender: 'news@contoso.com', lastEventAt: '2026-11-28T00:10:00Z', recipients: 1, statuses: { Delivered: 1 } }) },
    ]);
    // Facts without a message id (a row that lacks it) are not listed.
    expect(dayMessageEntries([{ ...delivered, messageId: null }], '2026-11-28')).toEqual([]);
  });
});
