/**
 * The suppression list against real Azurite: entries made on ingest (no read, one request a bounce,
 * any order, any number of times), changes by hand with who, when and why, the address overview, and
 * the list over real HTTP (paging, filters, CSV), each answer checked against the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDeliveryReport } from '../scripts/sampleEvents.js';
import { roundTripCounter } from '../scripts/roundTrips.js';
import { ingestEvent } from '../src/ingest.js';
import { createEventStore } from '../src/storage/eventStore.js';
import { readSettings } from '../src/settings.js';
import { suppressionPage } from '../src/suppression/store.js';
import { serveApp } from './appInstance.js';
import { connectionString, isolatedTableName, recordingContext, recordingStore } from './helpers.js';
import { call } from './http.js';
import { expectMatchesOpenApi } from './openApiContract.js';

const domain = () => `${randomUUID().slice(0, 8)}.example`;

function delivery(recipient: string, status: string, at: string, messageId = randomUUID()) {
  return {
    ...seedDeliveryReport,
    id: randomUUID(),
    data: { ...seedDeliveryReport.data, messageId, recipient, status, deliveryAttemptTimeStamp: at, deliveryStatusDetails: { statusMessage: `${status}: 550 5.1.1 at ${at}` } },
  };
}

async function ingestAll(events: unknown[], store?: ReturnType<typeof createEventStore>) {
  const { context } = recordingContext();
  for (let start = 0; start < events.length; start += 16) await Promise.all(events.slice(start, start + 16).map((event) => ingestEvent(event, context, { store })));
}

describe('entries made on ingest', () => {
  it('suppresses a bounced address with one more request, no read, and the same entry in any order, any number of times', async () => {
    const address = `Sam@${domain()}`;
    const events = [delivery(address, 'Bounced', '2026-11-27T09:15:02.4410003Z'), delivery(address, 'Delivered', '2026-11-26T09:00:00Z'), delivery(address, 'Bounced', '2026-11-28T09:15:02.1Z')];
    const { store, requests } = recordingStore();
    // Once the tables are there (the first write to a fresh table creates it).
    const warmUp = delivery(`warm-up@${domain()}`, 'Delivered', '2026-11-01T00:00:00Z');
    await ingestAll([warmUp], store);
    requests.length = 0;
    await ingestAll([events[0]], store);
    // The event row, the address transaction, the expiry row, the statistics fact and (a report older than
    // yesterday) its late-fact marker; and the suppression transaction.
    expect(requests.map((request) => request.method)).toEqual(['POST', 'POST', 'POST', 'POST', 'POST', 'POST']);
    expect(requests.filter((request) => request.method === 'GET')).toEqual([]);
    await ingestAll([events[2], events[1], events[0], events[2]], store);
    const first = await suppressionPage(store, { limit: 10 }, false);

    const { store: other } = recordingStore();
    await ingestAll([events[1], events[2], events[0], warmUp], other);
    await ingestAll([events[0], events[1]], other);
    expect(await suppressionPage(other, { limit: 10 }, false)).toEqual(first);
    expect(first.entries).toEqual([
      {
        address,
        state: 'suppressed',
        reason: 'Bounced',
        firstSeenAt: '2026-11-27T09:15:02.4410003Z',
        lastSeenAt: '2026-11-28T09:15:02.1Z',
        count: 2,
        messageId: events[2]!.data.messageId,
        statusMessage: 'Bounced: 550 5.1.1 at 2026-11-28T09:15:02.1Z',
        updatedAt: '2026-11-28T09:15:02.1Z',
        sync: { state: 'off', syncedAt: null, lastAttemptAt: null, lastError: null, nextAttemptAt: null },
      },
    ]);
  });
});

describe('an entry over HTTP', () => {
  it('is read in any case, added by hand and reactivated with who, when and why, and suppressed again by a later bounce', async () => {
    const address = `Kim@${domain()}`;
    await ingestAll([delivery(address, 'Bounced', '2026-11-27T09:00:00Z')]);
    const read = await call('getSuppression', { address: `  ${address.toUpperCase()} ` });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ address, state: 'suppressed', reason: 'Bounced', count: 1, changes: [{ kind: 'bounce', at: '2026-11-27T09:00:00Z', status: 'Bounced' }] });

    const reactivated = await call('reactivateSuppression', { address }, { reason: 'The mailbox works again (ticket 4711).' });
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toMatchObject({ state: 'reactivated', count: 1 });
    expect(reactivated.body.changes[0]).toMatchObject({ kind: 'reactivate', by: { kind: 'local' }, note: 'The mailbox works again (ticket 4711).' });
    expect(Date.parse(reactivated.body.changes[0].at)).toBeGreaterThan(Date.now() - 60_000);
    // Reactivating what is not suppressed records nothing.
    expect((await call('reactivateSuppression', { address }, { reason: 'again' })).body.changes).toHaveLength(2);

    const later = new Date(Date.now() + 60_000).toISOString();
    await ingestAll([delivery(address, 'Bounced', later)]);
    expect((await call('getSuppression', { address })).body).toMatchObject({ state: 'suppressed', count: 1, firstSeenAt: later, changes: [{ kind: 'bounce' }, { kind: 'reactivate' }, { kind: 'bounce' }] });

    const other = `lee@${domain()}`;
    const added = await call('addSuppression', { address: other }, {}, { body: JSON.stringify({ note: 'Asked not to be mailed, by phone.' }) });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ address: other, state: 'suppressed', reason: 'Manual', count: 0, messageId: null, changes: [{ kind: 'add', by: { kind: 'local' }, note: 'Asked not to be mailed, by phone.' }] });
    const overview = await call('getRecipient', { address: other });
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({ address: other, messages: { total: 0 }, suppression: { state: 'suppressed', reason: 'Manual' } });
    expect((await call('getRecipient', { address })).body.suppression).toMatchObject({ state: 'suppressed', reason: 'Bounced' });
  });

  it('answers 400 naming the parameter, and 404 for an address never on the list', async () => {
    const address = `nobody@${domain()}`;
    expect((await call('getSuppression', { address })).status).toBe(404);
    expect((await call('reactivateSuppression', { address }, { reason: 'x' })).status).toBe(404);
    expect((await call('getRecipient', { address })).status).toBe(404);
    const cases: [string, Record<string, string>, Record<string, string>, string | undefined, string][] = [
      ['addSuppression', { address }, {}, undefined, 'body'],
      ['addSuppression', { address }, {}, 'not json', 'body'],
      ['addSuppression', { address }, {}, '{}', 'note'],
      ['addSuppression', { address }, {}, JSON.stringify({ note: 'x'.repeat(1001) }), 'note'],
      ['addSuppression', { address }, {}, JSON.stringify({ note: 'a\u0000b' }), 'note'],
      ['addSuppression', { address: 'no-at-sign' }, {}, JSON.stringify({ note: 'x' }), 'address'],
      ['addSuppression', { address: '' }, {}, JSON.stringify({ note: 'x' }), 'address'],
      ['reactivateSuppression', { address }, {}, undefined, 'reason'],
      ['reactivateSuppression', { address }, { reason: '  ' }, undefined, 'reason'],
      ['getSuppression', { address: 'a\u0001b@x' }, {}, undefined, 'address'],
      ['listSuppressions', {}, { limit: '0' }, undefined, 'limit'],
      ['listSuppressions', {}, { state: 'gone' }, undefined, 'state'],
      ['listSuppressions', {}, { reason: 'Lost' }, undefined, 'reason'],
      ['listSuppressions', {}, { since: 'yesterday' }, undefined, 'since'],
      ['listSuppressions', {}, { since: '2026-11-02T00:00:00Z', until: '2026-11-01T00:00:00Z' }, undefined, 'since'],
      ['listSuppressions', {}, { format: 'xml' }, undefined, 'format'],
      ['listSuppressions', {}, { pageToken: 'abc.def' }, undefined, 'pageToken'],
    ];
    for (const [name, params, query, body, parameter] of cases) {
      const answer = await call(name, params, query, body === undefined ? {} : { body });
      expect([name, answer.status, answer.headers['content-type'], answer.body.parameter]).toEqual([name, 400, 'application/problem+json', parameter]);
    }
  });
});

describe('the list over HTTP', () => {
  const table = isolatedTableName();
  let app: Awaited<ReturnType<typeof serveApp>>;
  const addresses: string[] = [];
  const lines: string[] = [];
  const at = (n: number) => `2026-10-01T00:${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.${String(n).padStart(7, '0')}Z`;

  beforeAll(async () => {
    app = await serveApp({ EmailEventsStorage: connectionString(), EmailEventsTable: table, EmailEventsSuppressOn: 'Bounced,Failed' }, (line) => lines.push(line));
    const events: unknown[] = [];
    // 130 addresses, newest last; some bounce twice (their older bounce lies far down the list), some fail.
    for (let n = 0; n < 130; n++) {
      const address = `user${n}@${domain()}`;
      addresses.push(address);
      events.push(delivery(address, n % 5 === 0 ? 'Failed' : 'Bounced', at(2 * n + 10)));
      if (n % 3 === 0) events.push(delivery(address, 'Bounced', at(n)));
      if (n % 7 === 0) events.push(delivery(address, 'Delivered', at(2 * n + 11)));
    }
    await ingestAll(events, createEventStore(readSettings({ EmailEventsStorage: connectionString(), EmailEventsTable: table, EmailEventsSuppressOn: 'Bounced,Failed' })));
  });
  afterAll(() => app.close());

  async function get(query: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(`${app.baseUrl}/api/suppressions?${new URLSearchParams(query)}`, { headers });
    const type = response.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await response.json() : await response.text();
    expectMatchesOpenApi('/api/suppressions', 'GET', response.status, type.split(';')[0]!, body);
    return { status: response.status, body: body as any, link: response.headers.get('link') };
  }

  async function walk(query: Record<string, string>) {
    const entries: any[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await get({ ...query, ...(token ? { pageToken: token } : {}) });
      expect(status).toBe(200);
      entries.push(...body.entries);
      token = body.nextPageToken;
      pages++;
    } while (token);
    return { entries, pages };
  }

  it('walks every entry once, newest change first, a page of 50 in two round trips', async () => {
    const newestFirst = [...addresses].reverse();
    const all = await walk({ limit: '1000' });
    expect(all.pages).toBe(1);
    expect(all.entries.map((entry) => entry.address)).toEqual(newestFirst);
    expect(all.entries.filter((entry) => entry.count === 2)).toHaveLength(44);
    for (const limit of [7, 50]) {
      const paged = await walk({ limit: String(limit) });
      expect(paged.pages).toBe(Math.ceil(130 / limit));
      expect(paged.entries).toEqual(all.entries);
    }
    const { count, clientOptions } = roundTripCounter();
    const counted = createEventStore(readSettings({ EmailEventsStorage: connectionString(), EmailEventsTable: table }), { clientOptions });
    let after: string | undefined;
    for (let page = 0; page < 3; page++) {
      count.reset();
      const result = await suppressionPage(counted, { limit: 50, state: 'suppressed', after }, false);
      expect(count.roundTrips).toBeLessThanOrEqual(2);
      after = result.next;
    }
  });

  it('filters by reason, state and time, and reactivated entries leave the default list', async () => {
    // The reason is what began the entry: those that bounced before they failed stay Bounced.
    const failed = await walk({ reason: 'failed' });
    expect(failed.entries.map((entry) => entry.address)).toEqual(addresses.filter((_, n) => n % 5 === 0 && n % 3 !== 0).reverse());
    expect(failed.entries.every((entry) => entry.reason === 'Failed')).toBe(true);
    const window = await walk({ since: at(2 * 100 + 10), until: at(2 * 109 + 10), limit: '3' });
    expect(window.entries.map((entry) => entry.address)).toEqual(addresses.slice(100, 110).reverse());

    const reactivated = addresses[120]!;
    const response = await fetch(`${app.baseUrl}/api/suppressions/${encodeURIComponent(reactivated)}?reason=${encodeURIComponent('Fixed')}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    // The request line names neither the address nor the reason someone typed.
    expect(lines.filter((line) => line.startsWith('DELETE'))).toEqual([expect.stringMatching(/^DELETE \/api\/suppressions\/\{address\}\?… → 200 /)]);
    expect((await walk({})).entries.map((entry) => entry.address)).not.toContain(reactivated);
    expect((await walk({ state: 'reactivated' })).entries.map((entry) => entry.address)).toEqual([reactivated]);
    expect((await walk({ state: 'all', limit: '1000' })).entries[0].address).toBe(reactivated);
  });

  it('answers CSV for format=csv or Accept: text/csv, with the next page in the Link header', async () => {
    const first = await get({ format: 'csv', limit: '2', reason: 'Failed' });
    expect(first.status).toBe(200);
    const lines = first.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('email,state,reason,firstSeenAt,lastSeenAt,count,messageId,statusMessage,updatedAt,syncState');
    expect(lines.slice(1).map((line: string) => line.split(',')[0])).toEqual([addresses[125], addresses[115]]);
    expect(first.link).toMatch(/^<\/api\/suppressions\?format=csv&limit=2&pageToken=[^>]+&state=suppressed&reason=Failed>; rel="next"$/);
    const next = await fetch(`${app.baseUrl}${first.link!.slice(1, first.link!.indexOf('>'))}`);
    expect((await next.text()).split('\r\n')[1]!.split(',')[0]).toBe(addresses[110]);
    const byAccept = await get({ limit: '1' }, { accept: 'text/csv' });
    expect(byAccept.body.split('\r\n')).toHaveLength(3);
  });
});
