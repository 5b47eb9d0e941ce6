/**
 * A day's messages (GET /api/messages?day=, docs/statistics.md) against real Azurite: each message of
 * the day once, counted as the day's statistics count it, so that the list adds up to the day's
 * numbers; paged over the 16 shards with tokens bound to the day and the filters; filtered by sender
 * and by status; bad parameters are 400s naming them.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ingestEvent } from '../src/ingest.js';
import { normalizeEvent } from '../src/events/normalize.js';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { createEventStore, type EventStore } from '../src/storage/eventStore.js';
import { readDayMessages, type DayMessagesQuery } from '../src/stats/dayMessageList.js';
import type { DayMessage } from '../src/stats/dayMessages.js';
import { readStatistics } from '../src/stats/statistics.js';
import { addCounts, emptyCounts } from '../src/stats/tally.js';
import { seedDeliveryReport, seedEngagementReport } from '../scripts/sampleEvents.js';
import { isolatedSettings, recordingContext, recordingStore } from './helpers.js';
import { call } from './http.js';

const NOW = new Date('2026-11-29T12:00:00Z');

function delivery(messageId: string, recipient: string, status: string, at: string, sender = 'news@contoso.com') {
  return { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, sender, messageId, recipient, status, deliveryAttemptTimeStamp: at } };
}
function open(messageId: string, recipient: string, at: string, sender = 'news@contoso.com') {
  return { ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, sender, messageId, recipient, engagementType: 'view', userActionTimeStamp: at, userAgent: 'Mozilla/5.0 (Windows NT 10.0) Outlook/16.0' } };
}

async function store(target: EventStore, events: unknown[]) {
  await Promise.all(
    events.map(async (raw) => {
      const normalized = normalizeEvent(raw, { redactLinks: true });
      if (normalized.outcome !== 'accepted') throw new Error('not accepted');
      await target.append(normalized.event, new Date(Date.parse(normalized.event.occurredAt!) + 60_000).toISOString());
    }),
  );
}

/** Every page of a day's messages, following the tokens. */
async function allPages(target: EventStore, query: DayMessagesQuery) {
  const pages: DayMessage[][] = [];
  let from = query.from;
  do {
    const page = await readDayMessages(target, { ...query, ...(from ? { from } : {}) });
    pages.push(page.messages);
    from = page.next;
  } while (from !== undefined && pages.length < 100);
  return pages;
}

const summed = (messages: DayMessage[]) => messages.reduce((sum, { recipients, statuses, opens, clicks }) => addCounts(sum, { recipients, statuses, opens, clicks }), emptyCounts());

describe("a day's messages", () => {
  it('lists each message of the day once, page after page, and adds up to the day in the statistics', async () => {
    const { store: target } = recordingStore();
    const ids = Array.from({ length: 40 }, () => randomUUID());
    await store(target, [
      ...ids.flatMap((id, i) => [
        delivery(id, `r${i}@fabrikam.com`, i % 5 === 0 ? 'Bounced' : 'Delivered', `2026-11-27T${String(i % 24).padStart(2, '0')}:00:00Z`, i % 2 ? 'billing@contoso.com' : 'news@contoso.com'),
        delivery(id, `s${i}@fabrikam.com`, 'Delivered', `2026-11-27T${String(i % 24).padStart(2, '0')}:00:01Z`, i % 2 ? 'billing@contoso.com' : 'news@contoso.com'),
        ...(i % 3 === 0 ? [open(id, `s${i}@fabrikam.com`, '2026-11-28T08:00:00Z', i % 2 ? 'billing@contoso.com' : 'news@contoso.com')] : []),
      ]),
      // Another day's message is not listed on the 27th.
      delivery(randomUUID(), 'other@fabrikam.com', 'Delivered', '2026-11-26T10:00:00Z'),
    ]);

    const pages = await allPages(target, { day: '2026-11-27', limit: 7 });
    const listed = pages.flat();
    expect(pages.slice(0, -1).every((page) => page.length === 7)).toBe(true);
    expect(listed.map((message) => message.messageId).sort()).toEqual([...ids].sort());
    const stats = await readStatistics(target, { from: '2026-11-27', to: '2026-11-28', granularity: 'day' }, NOW);
    const { source: _s, rolledUpAt: _r, start: _d, deliveryRate: _1, bounceRate: _2, openRate: _3, clickRate: _4, humanOpenRate: _5, humanClickRate: _6, ...the27th } = stats.buckets[0]!;
    expect(summed(listed)).toEqual(the27th);
    expect(listed.find((message) => message.messageId === ids[5])).toMatchObject({ sender: 'billing@contoso.com', lastEventAt: '2026-11-27T05:00:01Z', recipients: 2, statuses: { Bounced: 1, Delivered: 1 } });

    // The 28th lists the messages opened that day: their opens count there, their recipients on the 27th.
    const the28th = (await allPages(target, { day: '2026-11-28', limit: 50 })).flat();
    expect(the28th.map((message) => message.messageId).sort()).toEqual(ids.filter((_, i) => i % 3 === 0).sort());
    expect(the28th.every((message) => message.recipients === 0 && message.opens.total === 1)).toBe(true);

    const bounced = (await allPages(target, { day: '2026-11-27', status: 'Bounced', limit: 3 })).flat();
    expect(bounced.map((message) => message.messageId).sort()).toEqual(ids.filter((_, i) => i % 5 === 0).sort());
    const billing = (await allPages(target, { day: '2026-11-27', sender: 'billing@contoso.com', limit: 50 })).flat();
    expect(billing.map((message) => message.messageId).sort()).toEqual(ids.filter((_, i) => i % 2).sort());
    expect((await readDayMessages(target, { day: '2026-11-25', limit: 50 })).messages).toEqual([]);
  });

  it('reads a quiet day in a few round trips, its shards in waves at once rather than one after another', async () => {
    const settings = isolatedSettings();
    let inFlight = 0;
    let roundTrips = 0;
    const waves: PipelinePolicy = {
      name: 'countRoundTrips',
      async sendRequest(request, next) {
        // A round trip begins when a request goes out while none is in flight.
        if (inFlight++ === 0) roundTrips++;
        try {
          return await next(request);
        } finally {
          inFlight--;
        }
      },
    };
    const target = createEventStore(settings, { clientOptions: { additionalPolicies: [{ policy: waves, position: 'perCall' }] } });
    const ids = Array.from({ length: 24 }, () => randomUUID());
    await store(target, ids.map((id, i) => delivery(id, `r${i}@fabrikam.com`, 'Delivered', '2026-11-27T10:00:00Z')));
    roundTrips = 0;
    const page = await readDayMessages(target, { day: '2026-11-27', limit: 50 });
    expect(page.messages.map((message) => message.messageId).sort()).toEqual([...ids].sort());
    // Waves of 2, 4, 8 and 2 shards: the day's facts, then the day after's, each wave.
    expect(roundTrips).toBeLessThanOrEqual(8);
  });

  it('lists a recipient on the day of its latest report: a failure delivered the next day moves there', async () => {
    const { store: target } = recordingStore();
    const id = randomUUID();
    await store(target, [delivery(id, 'a@fabrikam.com', 'Failed', '2026-11-27T23:59:00Z'), delivery(id, 'a@fabrikam.com', 'Delivered', '2026-11-28T00:05:00Z')]);
    expect((await readDayMessages(target, { day: '2026-11-27', limit: 50 })).messages).toEqual([]);
    expect((await readDayMessages(target, { day: '2026-11-28', limit: 50 })).messages).toMatchObject([{ messageId: id, recipients: 1, statuses: { Delivered: 1 } }]);
  });
});

describe('GET /api/messages?day=', () => {
  it('answers the documented shape, page after page, with tokens bound to the day and the filters', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const sender = `day-${randomUUID().slice(0, 8)}@contoso.com`;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const { context } = recordingContext();
    for (const id of ids) await ingestEvent(delivery(id, 'a@fabrikam.com', 'Delivered', new Date().toISOString(), sender), context);

    const first = await call('listDayMessages', {}, { day: today, sender: ` ${sender.toUpperCase()} `, limit: '2' });
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body.day).toBe(today);
    expect(first.body.messages).toHaveLength(2);
    const second = await call('listDayMessages', {}, { day: today, sender, limit: '2', pageToken: first.body.nextPageToken });
    expect(second.status).toBe(200);
    const listed = [...first.body.messages, ...second.body.messages];
    expect(listed.map((message: DayMessage) => message.messageId).sort()).toEqual([...ids].sort());
    expect(listed.every((message: DayMessage) => message.sender === sender && message.statuses.Delivered === 1)).toBe(true);
    // Nothing in the log that names the sender.
    expect(JSON.stringify([first.logs, second.logs])).not.toContain(sender.split('@')[0]);

    const otherFilter = await call('listDayMessages', {}, { day: today, sender, status: 'Bounced', pageToken: first.body.nextPageToken });
    expect(otherFilter).toMatchObject({ status: 400, body: { parameter: 'pageToken' } });
  });

  it.each([
    [{}, 'day'],
    [{ day: '2026-02-30' }, 'day'],
    [{ day: 'today' }, 'day'],
    [{ day: '2999-01-01' }, 'day'],
    [{ day: '2026-11-27', status: 'Opened' }, 'status'],
    [{ day: '2026-11-27', sender: ' ' }, 'sender'],
    [{ day: '2026-11-27', limit: '0' }, 'limit'],
    [{ day: '2026-11-27', pageToken: 'x.y' }, 'pageToken'],
  ])('answers %j with a 400 naming %s', async (parameters, parameter) => {
    const { status, body } = await call('listDayMessages', {}, parameters as Record<string, string>);
    expect(status).toBe(400);
    expect(body.parameter).toBe(parameter);
  });
});
