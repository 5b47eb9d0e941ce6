/**
 * Statistics facts follow event retention (docs/statistics.md, "Retention and erasure"): the facts and
 * late-fact markers of the days before the window go, each day once its summaries are whole, so that
 * its numbers stay as they were; the roll-up never counts such a day again; days inside the window keep
 * their facts. Against real Azurite.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../src/events/normalize.js';
import { applyRetention } from '../src/retention/retention.js';
import { createEventStore, type EventStore } from '../src/storage/eventStore.js';
import { readDayMessages } from '../src/stats/dayMessageList.js';
import { factHorizon } from '../src/stats/horizon.js';
import { rollUpStatistics } from '../src/stats/rollUp.js';
import { readStatistics } from '../src/stats/statistics.js';
import { seedDeliveryReport, seedEngagementReport } from '../scripts/sampleEvents.js';
import { failingStore, isolatedSettings, rowsOf } from './helpers.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const DAYS = 30;
/** The window's first day with 30 days at NOW: facts of days before it go. */
const HORIZON = '2026-10-30';

function delivery(messageId: string, recipient: string, status: string, at: string, sender = 'news@contoso.com') {
  return { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, sender, messageId, recipient, status, deliveryAttemptTimeStamp: at } };
}
function open(messageId: string, recipient: string, at: string, userAgent = 'Mozilla/5.0 (Windows NT 10.0) Outlook/16.0') {
  return { ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, sender: 'news@contoso.com', messageId, recipient, engagementType: 'view', userActionTimeStamp: at, userAgent } };
}

/** Stores events as the app does, received `lateBy` ms after their own time. */
async function store(target: EventStore, events: unknown[], lateBy = 60_000) {
  for (const raw of events) {
    const normalized = normalizeEvent(raw, { redactLinks: true });
    if (normalized.outcome !== 'accepted') throw new Error('not accepted');
    await target.append(normalized.event, new Date(Date.parse(normalized.event.occurredAt!) + lateBy).toISOString());
  }
}

/** A month of mail either side of the horizon: two old days, one of them with a late report, and a day inside the window. */
function mail() {
  const events: unknown[] = [];
  for (const [day, count] of [['2026-10-01', 6], ['2026-10-02', 4], ['2026-11-20', 5]] as const) {
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      events.push(delivery(id, `r${i}@fabrikam.example`, i % 3 ? 'Delivered' : 'Bounced', `${day}T0${i}:00:00Z`, i % 2 ? 'billing@contoso.com' : 'news@contoso.com'));
      if (i % 2 === 0) events.push(open(id, `r${i}@fabrikam.example`, `${day}T0${i}:30:00Z`), open(id, `r${i}@fabrikam.example`, `${day}T0${i}:00:05Z`, 'Mozilla/5.0'));
    }
  }
  return events;
}

/** The numbers of each day of October and November, for every sender and for one, without where they came from. */
async function numbers(target: EventStore) {
  const read = async (sender?: string) =>
    (await readStatistics(target, { from: '2026-10-01', to: '2026-11-29', granularity: 'day', ...(sender ? { sender } : {}) }, NOW)).buckets.map(({ source: _source, rolledUpAt: _rolledUpAt, ...counts }) => counts);
  return { all: await read(), billing: await read('billing@contoso.com') };
}

const factRows = async (table: string) => (await rowsOf(table)).filter((row) => /^stats(dirty)?\|/.test(String(row.partitionKey)));
const daysOf = (rows: Record<string, unknown>[]) => [...new Set(rows.map((row) => (String(row.partitionKey).startsWith('stats|') ? String(row.partitionKey).split('|')[1] : String(row.day))))].sort();

describe('factHorizon', () => {
  it('is the day of the retention cutoff, and there is none when retention is off', () => {
    expect(factHorizon(NOW, DAYS)).toBe(HORIZON);
    expect(factHorizon(new Date('2026-11-29T00:00:00Z'), 1)).toBe('2026-11-28');
    expect(factHorizon(NOW, 0)).toBeUndefined();
  });
});

describe('retention of statistics facts', () => {
  it('deletes the facts and markers of the days before the window, and their numbers stay', async () => {
    const settings = isolatedSettings();
    const target = createEventStore(settings);
    await store(target, mail());
    // A report of the 1st that came a week late: its day's marker.
    await store(target, [delivery(randomUUID(), 'late@fabrikam.example', 'Delivered', '2026-10-01T20:00:00Z')], 7 * 86_400_000);
    // The roll-up counted those days while they were recent.
    await rollUpStatistics(target, { now: new Date('2026-10-03T00:10:00Z'), retentionDays: DAYS });
    const before = await numbers(target);
    expect(before.all.find((bucket) => bucket.start === '2026-10-01')).toMatchObject({ recipients: 7 });

    const run = await applyRetention(target, { now: NOW, days: DAYS });
    const facts = await factRows(settings.indexTable);
    expect(daysOf(facts)).toEqual(['2026-11-20']);
    expect(run).toMatchObject({ statsDaysRolledUp: 0, complete: true });
    expect(run.statsFactRows).toBeGreaterThan(0);
    expect(await numbers(target)).toEqual(before);
    // A day's messages are listed from its facts: before the window, none are left to list.
    expect((await readDayMessages(target, { day: '2026-10-01', limit: 50 })).messages).toEqual([]);
    expect((await readDayMessages(target, { day: '2026-11-20', limit: 50 })).messages).toHaveLength(5);

    // Nothing more to do, and with retention off nothing goes.
    expect(await applyRetention(target, { now: NOW, days: DAYS })).toMatchObject({ statsFactRows: 0, statsDaysRolledUp: 0 });
    expect(await applyRetention(target, { now: new Date('2027-06-01T00:00:00Z'), days: 0 })).toMatchObject({ statsFactRows: 0 });
    expect(daysOf(await factRows(settings.indexTable))).toEqual(['2026-11-20']);
  });

  it('counts a day the roll-up never counted before its facts go', async () => {
    const settings = isolatedSettings();
    const target = createEventStore(settings);
    await store(target, mail());
    // No roll-up ran: every day reads live, from the facts.
    const live = await numbers(target);
    const run = await applyRetention(target, { now: NOW, days: DAYS });
    expect(run.statsDaysRolledUp).toBe(2);
    expect(daysOf(await factRows(settings.indexTable))).toEqual(['2026-11-20']);
    expect(await numbers(target)).toEqual(live);
  });

  it('never counts a day before the window again: facts of it that come back change nothing, and go with the next run', async () => {
    const settings = isolatedSettings();
    const target = createEventStore(settings);
    const events = mail();
    await store(target, events);
    await applyRetention(target, { now: NOW, days: DAYS });
    const kept = await numbers(target);
    // A re-index of an old event of a message that lives on, and a replayed dead-letter of the 2nd, with their markers.
    await store(target, [events[0], delivery(randomUUID(), 'replayed@fabrikam.example', 'Bounced', '2026-10-02T12:00:00Z')], 30 * 86_400_000);
    expect(daysOf(await factRows(settings.indexTable))).toEqual(['2026-10-01', '2026-10-02', '2026-11-20']);
    await rollUpStatistics(target, { now: NOW, retentionDays: DAYS });
    expect(await numbers(target)).toEqual(kept);
    await applyRetention(target, { now: NOW, days: DAYS });
    expect(daysOf(await factRows(settings.indexTable))).toEqual(['2026-11-20']);
    expect(await numbers(target)).toEqual(kept);
  });

  it('is finished by the next run when storage fails half-way, with the same numbers', async () => {
    const settings = isolatedSettings();
    const target = createEventStore(settings);
    await store(target, mail());
    const live = await numbers(target);
    let failures = 0;
    for (const failAfter of [0, 2, 5]) {
      let writes = 0;
      const failing = failingStore(settings, (request) => request.method !== 'GET' && ++writes > failAfter);
      await applyRetention(failing, { now: NOW, days: DAYS }).catch(() => failures++);
    }
    expect(failures).toBe(3);
    await applyRetention(target, { now: NOW, days: DAYS });
    expect(daysOf(await factRows(settings.indexTable))).toEqual(['2026-11-20']);
    expect(await numbers(target)).toEqual(live);
  });
});
