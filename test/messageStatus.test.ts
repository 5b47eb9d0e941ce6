/** The pure status rules of GET /api/messages/{messageId}. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventIdentity, type EmailEvent } from '../src/events/emailEvent.js';
import { eventDigest, type PagePosition } from '../src/http/pageToken.js';
import { normalizeEvent } from '../src/events/normalize.js';
import { messageStatusBody, summarize } from '../src/status/messageStatus.js';
import { seedDeliveryReport, seedEngagementReport } from '../scripts/sampleEvents.js';

let nextId = 0;
function delivery(recipient: string | null, status: string | undefined, at: string): EmailEvent {
  return normalized({ ...seedDeliveryReport, id: `d${nextId++}`, data: { ...seedDeliveryReport.data, recipient: recipient ?? undefined, status, deliveryAttemptTimeStamp: at } });
}
function engagement(type: string, at: string, recipient?: string, link = ''): EmailEvent {
  return normalized({ ...seedEngagementReport, id: `e${nextId++}`, data: { ...seedEngagementReport.data, recipient, engagementType: type, engagementContext: link, userActionTimeStamp: at } });
}
function normalized(raw: unknown): EmailEvent {
  const result = normalizeEvent(raw);
  if (result.outcome !== 'accepted') throw new Error(result.detail);
  return result.event;
}

describe('summarize: status', () => {
  it('is Pending while no delivery report has arrived, even with engagement', () => {
    expect(summarize([]).status).toBe('Pending');
    expect(summarize([engagement('view', '2024-01-01T00:00:00Z')]).status).toBe('Pending');
  });

  it('is the shared status when every recipient has it, else Mixed', () => {
    const a = delivery('a@contoso.com', 'Delivered', '2024-01-01T00:00:01Z');
    const b = delivery('b@contoso.com', 'Delivered', '2024-01-01T00:00:02Z');
    const c = delivery('c@contoso.com', 'Bounced', '2024-01-01T00:00:03Z');
    expect(summarize([a, b]).status).toBe('Delivered');
    expect(summarize([a, b, c]).status).toBe('Mixed');
    expect(summarize([c]).status).toBe('Bounced');
    const silent = delivery('d@contoso.com', '', '2024-01-01T00:00:04Z');
    expect(summarize([silent]).status).toBe('Pending');
    expect(summarize([silent]).recipients[0]!.status).toBe('');
  });

  it("takes each recipient's latest attempt, by instant at full precision", () => {
    const earlier = delivery('a@contoso.com', 'Expanded', '2024-01-01T00:00:00.9999998Z');
    const later = delivery('a@contoso.com', 'Failed', '2024-01-01T01:00:00.9999999+01:00');
    for (const events of [[earlier, later], [later, earlier]]) {
      expect(summarize(events).recipients).toEqual([
        { recipient: 'a@contoso.com', status: 'Failed', statusMessage: 'Status Message', attemptedAt: '2024-01-01T00:00:00.9999999Z', views: 0, clicks: 0 },
      ]);
    }
  });

  it('breaks ties at the same instant by the fixed status order, then by event id', () => {
    const at = '2024-01-01T00:00:00.1234567Z';
    const delivered = delivery('a@contoso.com', 'Delivered', at);
    const bounced = delivery('a@contoso.com', 'Bounced', at);
    const unknown = delivery('a@contoso.com', 'Deferred', at);
    expect(summarize([delivered, bounced, unknown]).recipients[0]!.status).toBe('Bounced');
    expect(summarize([unknown, bounced, delivered]).recipients[0]!.status).toBe('Bounced');
    expect(summarize([unknown, delivered]).recipients[0]!.status).toBe('Delivered');
    const sameStatusA = { ...delivered, eventId: 'a', statusMessage: 'first' };
    const sameStatusB = { ...delivered, eventId: 'b', statusMessage: 'second' };
    expect(summarize([sameStatusB, sameStatusA]).recipients[0]!.statusMessage).toBe('second');
    expect(summarize([sameStatusA, sameStatusB]).recipients[0]!.statusMessage).toBe('second');
  });

  it('shows unknown statuses as sent, and sorts recipients by address', () => {
    const events = [delivery('z@contoso.com', 'OutForDelivery', '2024-01-01T00:00:00Z'), delivery('b@contoso.com', 'Delivered', '2024-01-01T00:00:00Z')];
    expect(summarize(events).recipients.map((entry) => [entry.recipient, entry.status])).toEqual([
      ['b@contoso.com', 'Delivered'],
      ['z@contoso.com', 'OutForDelivery'],
    ]);
  });
});

describe('summarize: engagement', () => {
  it('counts views and clicks per link, and attributes engagement without a recipient to none', () => {
    const events = [
      delivery('a@contoso.com', 'Delivered', '2024-01-01T00:00:00Z'),
      engagement('view', '2024-01-01T00:05:00.5Z'),
      engagement('View', '2024-01-01T00:04:00Z', 'a@contoso.com'),
      engagement('click', '2024-01-01T00:06:00Z', 'a@contoso.com', 'https://contoso.com/b'),
      engagement('Click', '2024-01-01T00:07:00.0000001Z', undefined, 'https://contoso.com/a'),
      engagement('click', '2024-01-01T00:06:30Z', 'a@contoso.com', 'https://contoso.com/b'),
    ];
    const summary = summarize(events);
    expect(summary.engagement).toEqual({
      views: 2,
      clicks: 3,
      firstViewedAt: '2024-01-01T00:04:00Z',
      lastEngagedAt: '2024-01-01T00:07:00.0000001Z',
      links: [
        { url: 'https://contoso.com/b', clicks: 2 },
        { url: 'https://contoso.com/a', clicks: 1 },
      ],
    });
    expect(summary.recipients[0]).toMatchObject({ recipient: 'a@contoso.com', views: 1, clicks: 2 });
  });

  it("counts an open that spells the address in another case as that recipient's, as the lookups do", () => {
    const events = [delivery('Ann@Contoso.com', 'Delivered', '2024-01-01T00:00:00Z'), engagement('view', '2024-01-01T00:05:00Z', ' ann@CONTOSO.com ')];
    expect(summarize(events).recipients[0]).toMatchObject({ recipient: 'Ann@Contoso.com', views: 1 });
  });

  it('reports no engagement as zeros and nulls', () => {
    expect(summarize([delivery('a@contoso.com', 'Delivered', '2024-01-01T00:00:00Z')]).engagement).toEqual({
      views: 0,
      clicks: 0,
      firstViewedAt: null,
      lastEngagedAt: null,
      links: [],
    });
  });

  it('takes the sender of the oldest event', () => {
    const late = { ...delivery('a@contoso.com', 'Delivered', '2024-01-02T00:00:00Z'), sender: 'late@contoso.com' };
    const early = { ...engagement('view', '2024-01-01T00:00:00Z'), sender: 'early@contoso.com' };
    expect(summarize([late, early]).sender).toBe('early@contoso.com');
  });
});

describe('invariant 2, over the pure core: the response does not depend on the order events are read in', () => {
  // Azurite returns a partition sorted by row key, and Azure Cosmos DB for Table in no set order: this
  // checks every order, which the Azurite-level test cannot. Ids come from a small pool, so delivery and
  // engagement reports share ids, as the ACS documentation's own samples do.
  const recipients = ['a@contoso.com', 'b@contoso.com', null];
  const times = ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.0Z', '2024-01-01T00:00:00.0000001Z', '2024-01-01T01:00:00+01:00', 'garbage'];
  const spec = fc.record({
    delivery: fc.boolean(),
    id: fc.constantFrom('a', 'b', 'c', 'd'),
    recipient: fc.constantFrom(...recipients),
    status: fc.constantFrom('Delivered', 'Bounced', 'Expanded', 'Deferred', '', undefined),
    type: fc.constantFrom('view', 'click'),
    link: fc.constantFrom('', 'https://contoso.com/a', 'https://contoso.com/b'),
    at: fc.constantFrom(...times),
    sender: fc.constantFrom('a@contoso.com', 'b@contoso.com'),
  });
  const scenario = fc.array(spec, { minLength: 1, maxLength: 14 }).chain((specs) =>
    fc.record({ specs: fc.constant(specs), order: fc.shuffledSubarray([...specs.keys()], { minLength: specs.length, maxLength: specs.length }), limit: fc.integer({ min: 1, max: 4 }) }),
  );

  /** Every page, following the position of each page's last event, as the API does. */
  function walk(list: EmailEvent[], limit: number) {
    const pages = [];
    let after: PagePosition | undefined;
    for (let page = 0; page <= list.length; page++) {
      const body = messageStatusBody('m', list, { limit, after }, () => 'next');
      pages.push(body);
      const last = body.events.at(-1);
      if (!body.nextPageToken || !last) break;
      after = { occurredAt: last.occurredAt, eventDigest: eventDigest({ kind: last.type, eventId: last.id }) };
    }
    return pages;
  }

  it('gives the same summary and pages for every order, and the pages hold every event once', () => {
    fc.assert(
      fc.property(scenario, ({ specs, order, limit }) => {
        // Storage keeps one row per kind and id: the first of each.
        const stored = new Map<string, EmailEvent>();
        for (const s of specs) {
          const event = s.delivery ? delivery(s.recipient, s.status, s.at) : engagement(s.type, s.at, s.recipient ?? undefined, s.link);
          const withId = { ...event, eventId: s.id, sender: s.sender };
          if (!stored.has(eventIdentity(withId))) stored.set(eventIdentity(withId), withId);
        }
        const events = [...stored.values()];
        const shuffled = order.filter((i) => i < events.length).map((i) => events[i]!);
        const pages = walk(events, limit);
        expect(walk(shuffled, limit)).toEqual(pages);
        const everything = messageStatusBody('m', events, { limit: 1000, after: undefined }, () => 'next').events;
        expect(pages.flatMap((page) => page.events)).toEqual(everything);
        expect(everything).toHaveLength(events.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('goes on after the position\'s time when the event it names is not there', () => {
    const events = [engagement('view', '2024-01-01T00:00:01Z'), engagement('view', '2024-01-01T00:00:02Z'), engagement('view', '2024-01-01T00:00:03Z')];
    const body = messageStatusBody('m', events, { limit: 10, after: { occurredAt: '2024-01-01T00:00:02Z', eventDigest: 'x'.repeat(22) } }, () => 'next');
    expect(body.events.map((event) => event.occurredAt)).toEqual(['2024-01-01T00:00:03Z']);
  });
});
