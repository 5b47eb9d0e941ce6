/**
 * Statistics against real Azurite (docs/statistics.md): facts written on ingest, counted live and by
 * the roll-up alike; a 30-day read costs a fixed number of requests once the days are rolled up; a late
 * report is counted on its own day; retention and erasure leave statistics; bad ranges are 400s
 * naming the parameter; the views flag likely machine opens and clicks.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ingestEvent } from '../src/ingest.js';
import { normalizeEvent } from '../src/events/normalize.js';
import { applyRetention, eraseRecipient } from '../src/retention/retention.js';
import type { EventStore } from '../src/storage/eventStore.js';
import { rollUpStatistics } from '../src/stats/rollUp.js';
import { readStatistics } from '../src/stats/statistics.js';
import type { StatsQuery } from '../src/stats/report.js';
import { seedDeliveryReport, seedEngagementReport } from '../scripts/sampleEvents.js';
import { recordingContext, recordingStore, rowsOf } from './helpers.js';
import { call } from './http.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const SCANNER = 'Mozilla/5.0 (compatible; Barracuda Sentinel)';
const PERSON = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Outlook/16.0';

function delivery(messageId: string, recipient: string, status: string, at: string, sender = 'news@contoso.com') {
  return { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, sender, messageId, recipient, status, deliveryAttemptTimeStamp: at } };
}
function engagement(messageId: string, recipient: string | undefined, type: 'view' | 'click', at: string, userAgent = PERSON, sender = 'news@contoso.com') {
  return { ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, sender, messageId, recipient, engagementType: type, userActionTimeStamp: at, userAgent } };
}

/** Stores events as ingest does, each received a minute after its own time unless said otherwise. */
async function store(target: EventStore, events: unknown[], receivedAt?: string) {
  for (const raw of events) {
    const normalized = normalizeEvent(raw, { redactLinks: true });
    if (normalized.outcome !== 'accepted') throw new Error('not accepted');
    const at = receivedAt ?? new Date(Date.parse(normalized.event.occurredAt!) + 60_000).toISOString();
    await target.append(normalized.event, at);
  }
}

const query = (extra: Partial<StatsQuery> = {}): StatsQuery => ({ from: '2026-11-25', to: '2026-11-29', granularity: 'day', ...extra });
const day = (body: Awaited<ReturnType<typeof readStatistics>>, start: string) => body.buckets.find((bucket) => bucket.start === start)!;
/** What the answer says, without when it was made or where each bucket came from. */
const counts = (body: Awaited<ReturnType<typeof readStatistics>>) => ({ totals: body.totals, buckets: body.buckets.map(({ source: _s, rolledUpAt: _r, ...rest }) => rest) });

async function mailbox() {
  const recording = recordingStore();
  const [m1, m2, m3] = [randomUUID(), randomUUID(), randomUUID()];
  await store(recording.store, [
    // 27th: two recipients delivered, one bounced; one of them failed first and was delivered later.
    delivery(m1, 'a@fabrikam.com', 'Failed', '2026-11-27T10:00:00Z'),
    delivery(m1, 'a@fabrikam.com', 'Delivered', '2026-11-27T10:30:00Z'),
    delivery(m1, 'b@fabrikam.com', 'Delivered', '2026-11-27T10:00:00.5Z'),
    delivery(m1, 'c@fabrikam.com', 'Bounced', '2026-11-27T10:00:01Z'),
    engagement(m1, 'b@fabrikam.com', 'view', '2026-11-27T10:00:03Z'), // seconds after delivery: a machine
    engagement(m1, 'b@fabrikam.com', 'view', '2026-11-27T14:00:00Z'),
    engagement(m1, 'b@fabrikam.com', 'view', '2026-11-27T15:00:00Z'),
    engagement(m1, 'a@fabrikam.com', 'click', '2026-11-27T16:00:00Z', SCANNER),
    // 28th: another sender's message, and an open the next day of the 27th's message.
    delivery(m2, 'd@fabrikam.com', 'Delivered', '2026-11-28T08:00:00Z', 'billing@contoso.com'),
    engagement(m2, 'd@fabrikam.com', 'click', '2026-11-28T09:00:00Z', PERSON, 'billing@contoso.com'),
    engagement(m1, 'b@fabrikam.com', 'view', '2026-11-28T07:00:00Z'),
    // Today: one delivered so far.
    delivery(m3, 'e@fabrikam.com', 'Delivered', '2026-11-29T09:00:00Z'),
  ]);
  return { ...recording, m1, m2, m3 };
}

describe('statistics', () => {
  it('counts each recipient once by its latest report, with rates, and opens and clicks split into human and machine', async () => {
    const { store: target } = await mailbox();
    const body = await readStatistics(target, query(), NOW);
    const the27th = day(body, '2026-11-27');
    expect(the27th).toMatchObject({ source: 'live', recipients: 3, statuses: { Delivered: 2, Bounced: 1 }, deliveryRate: 0.6667, bounceRate: 0.3333 });
    expect(the27th.opens).toEqual({ total: 3, unique: 1, human: { total: 2, unique: 1 }, machine: { total: 1, unique: 1 } });
    expect(the27th.clicks).toEqual({ total: 1, unique: 1, human: { total: 0, unique: 0 }, machine: { total: 1, unique: 1 } });
    expect(the27th).toMatchObject({ openRate: 0.5, humanOpenRate: 0.5, clickRate: 0.5, humanClickRate: 0 });
    expect(day(body, '2026-11-28')).toMatchObject({ recipients: 1, statuses: { Delivered: 1 }, opens: { total: 1 }, clicks: { total: 1, human: { total: 1 } } });
    expect(day(body, '2026-11-25')).toMatchObject({ recipients: 0, deliveryRate: null, openRate: null });
    expect(body.totals).toMatchObject({ recipients: 5, statuses: { Delivered: 4, Bounced: 1 } });
    expect(body.buckets.map((bucket) => bucket.start)).toEqual(['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);

    const billing = await readStatistics(target, query({ sender: 'billing@contoso.com' }), NOW);
    expect(billing.totals).toMatchObject({ recipients: 1, clicks: { total: 1 }, opens: { total: 0 } });
    const hours = await readStatistics(target, query({ from: '2026-11-27', to: '2026-11-27', granularity: 'hour' }), NOW);
    expect(hours.buckets).toHaveLength(24);
    expect(hours.buckets.find((bucket) => bucket.start === '2026-11-27T10:00:00Z')).toMatchObject({ recipients: 3, opens: { total: 1, machine: { total: 1 } } });
  });

  it('reads the same numbers from the roll-up, in two requests for 30 days of one sender, and the statistics hold no address', async () => {
    const { store: target, requests, settings } = await mailbox();
    const live = await readStatistics(target, query({ sender: 'news@contoso.com' }), NOW);
    const hourly = query({ from: '2026-11-27', to: '2026-11-28', granularity: 'hour' });
    const liveHours = await readStatistics(target, hourly, NOW);
    const run = await rollUpStatistics(target, { now: NOW });
    expect(run).toMatchObject({ complete: true, counted: 48 });
    const rolled = await readStatistics(target, query({ sender: 'news@contoso.com' }), NOW);
    // The 25th and 26th were not rolled up (the roll-up counts today and the two days before), so they are read live.
    expect(rolled.buckets.map((bucket) => bucket.source)).toEqual(['live', 'live', 'rollup', 'rollup', 'rollup']);
    expect(counts(rolled)).toEqual(counts(live));
    const rolledHours = await readStatistics(target, hourly, NOW);
    expect(rolledHours.buckets.every((bucket) => bucket.source === 'rollup')).toBe(true);
    expect(counts(rolledHours)).toEqual(counts(liveHours));

    const month = { from: '2026-10-31', to: '2026-11-29', granularity: 'day' as const, sender: 'news@contoso.com' };
    await rollUpStatistics(target, { now: new Date('2026-11-27T12:00:00Z') }); // the 25th and 26th
    for (const d of ['2026-11-24', '2026-11-21', '2026-11-18', '2026-11-15', '2026-11-12', '2026-11-09', '2026-11-06', '2026-11-03', '2026-10-31', '2026-10-28'])
      await rollUpStatistics(target, { now: new Date(`${d}T12:00:00Z`) });
    requests.length = 0;
    const body = await readStatistics(target, month, NOW);
    expect(body.buckets.every((bucket) => bucket.source === 'rollup')).toBe(true);
    expect(requests).toHaveLength(2);
    expect(body.totals).toMatchObject({ recipients: 4, statuses: { Delivered: 3, Bounced: 1 } });

    const statsRows = (await rowsOf(settings.indexTable)).filter((row) => String(row.partitionKey).startsWith('stats'));
    expect(JSON.stringify(statsRows)).not.toMatch(/fabrikam/);
    expect(JSON.stringify(statsRows)).not.toMatch(/Barracuda|Outlook/);
  });

  it('counts a late report on the day it belongs to, once the roll-up has counted that day again', async () => {
    const { store: target, m1 } = await mailbox();
    const later = new Date('2026-12-03T12:00:00Z');
    await rollUpStatistics(target, { now: NOW });
    // Received on 3 December for the 27th: the days the roll-up always counts have moved on.
    await store(target, [delivery(m1, 'f@fabrikam.com', 'Delivered', '2026-11-27T11:00:00Z')], '2026-12-03T09:00:00Z');
    const stale = await readStatistics(target, query(), later);
    expect(day(stale, '2026-11-27')).toMatchObject({ source: 'rollup', recipients: 3 });
    const run = await rollUpStatistics(target, { now: later });
    expect(run.markers).toBe(1);
    expect(day(await readStatistics(target, query(), later), '2026-11-27')).toMatchObject({ source: 'rollup', recipients: 4, statuses: { Delivered: 3, Bounced: 1 } });
    // The marker is gone: the next run counts only its usual days.
    expect((await rollUpStatistics(target, { now: later })).markers).toBe(0);
  });

  it('gives the same statistics for the same events in any order, any number of times', async () => {
    const messageId = randomUUID();
    const events = [
      delivery(messageId, 'a@fabrikam.com', 'Failed', '2026-11-27T10:00:00Z'),
      delivery(messageId, 'a@fabrikam.com', 'Delivered', '2026-11-28T00:30:00Z'),
      engagement(messageId, 'a@fabrikam.com', 'view', '2026-11-28T00:30:02Z'),
      engagement(messageId, 'a@fabrikam.com', 'click', '2026-11-28T09:00:00Z'),
    ];
    const answers = [];
    for (const order of [events, [...events].reverse(), [events[3], events[1], events[1], events[0], events[2], events[0]]]) {
      const { store: target } = recordingStore();
      await store(target, order);
      answers.push(counts(await readStatistics(target, query(), NOW)));
      await rollUpStatistics(target, { now: NOW });
      answers.push(counts(await readStatistics(target, query(), NOW)));
    }
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.totals).toMatchObject({ recipients: 1, statuses: { Delivered: 1 }, opens: { machine: { total: 1 } }, clicks: { human: { total: 1 } } });
  });

  it('is left by retention and erasure', async () => {
    const { store: target } = await mailbox();
    await rollUpStatistics(target, { now: NOW });
    const before = counts(await readStatistics(target, query(), NOW));
    await eraseRecipient(target, 'b@fabrikam.com', NOW, { kind: 'key' });
    await applyRetention(target, { now: new Date('2027-06-01T00:00:00Z'), days: 30 });
    expect(counts(await readStatistics(target, query(), NOW))).toEqual(before);
  });
});

describe('GET /api/stats', () => {
  it('answers the documented shape', async () => {
    const { status, body } = await call('getStatistics', {}, { granularity: 'day' });
    expect(status).toBe(200);
    expect(body.buckets).toHaveLength(30);
    expect(body.to).toBe(new Date().toISOString().slice(0, 10));
    const hourly = await call('getStatistics', {}, { granularity: 'hour', sender: ' News@Contoso.com ' });
    expect(hourly.status).toBe(200);
    expect(hourly.body).toMatchObject({ sender: 'news@contoso.com', granularity: 'hour' });
    expect(hourly.body.buckets).toHaveLength(24);
  });

  it.each([
    [{ from: '2026-02-30' }, 'from'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-13-01' }, 'to'],
    [{ to: '2999-01-01' }, 'to'],
    [{ from: '2026-11-20', to: '2026-11-10' }, 'from'],
    [{ from: '2024-01-01', to: '2025-01-01' }, 'from'],
    [{ from: '2026-11-01', to: '2026-11-08', granularity: 'hour' }, 'from'],
    [{ granularity: 'week' }, 'granularity'],
    [{ sender: ' ' }, 'sender'],
    [{ sender: 'a\u0000b' }, 'sender'],
  ])('answers %j with a 400 naming %s', async (parameters, parameter) => {
    const { status, body } = await call('getStatistics', {}, parameters as Record<string, string>);
    expect(status).toBe(400);
    expect(body.parameter).toBe(parameter);
  });
});

describe('machine opens and clicks in the views', () => {
  it('flags them in the message view and the address view, with the rule', async () => {
    const messageId = randomUUID();
    const address = `${randomUUID().slice(0, 8)}@fabrikam.com`;
    const { context } = recordingContext();
    for (const event of [
      delivery(messageId, address, 'Delivered', '2026-11-27T10:00:00Z'),
      engagement(messageId, address, 'view', '2026-11-27T10:00:04Z', PERSON),
      engagement(messageId, address, 'view', '2026-11-27T12:00:00Z', 'Mozilla/5.0'),
      engagement(messageId, address, 'click', '2026-11-27T13:00:00Z', PERSON),
    ])
      await ingestEvent(event, context);
    const { body } = await call('getMessageStatus', { messageId });
    expect(body.events.filter((event: any) => event.type === 'engagement').map((event: any) => [event.machine, event.machineRule])).toEqual([
      [true, 'seconds-after-delivery'],
      [true, 'apple-mail-privacy-protection'],
      [false, undefined],
    ]);
    const recipient = await call('getRecipient', { address });
    expect(recipient.body.engagement.latest).toMatchObject({ engagementType: 'click', machine: false });
    await ingestEvent(engagement(messageId, address, 'click', '2026-11-27T14:00:00Z', SCANNER), context);
    expect((await call('getRecipient', { address })).body.engagement.latest).toMatchObject({ machine: true, machineRule: 'link-scanner' });
  });
});
