/** The re-index command's core against Azurite: rebuilds lost index rows, idempotently. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ingestEvent } from '../src/ingest.js';
import { createEventStore } from '../src/storage/eventStore.js';
import { internetMessageLookup, recipientMessagesPage, recipientOverview } from '../src/storage/lookups.js';
import { reindex } from '../src/storage/reindex.js';
import { seedDeliveryReport, seedEngagementReport } from '../scripts/sampleEvents.js';
import { isolatedSettings, recordingContext, rowsOf, tableClient } from './helpers.js';

describe('reindex', () => {
  it('rebuilds every index from the events table, and a second run changes nothing', async () => {
    const settings = isolatedSettings();
    const store = createEventStore(settings);
    const address = `reindex.${randomUUID().slice(0, 8)}@contoso.example`;
    const events = Array.from({ length: 30 }, (_, n) => {
      const messageId = randomUUID();
      return [
        { ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, recipient: address, internetMessageId: `<${n}@contoso.example>`, deliveryAttemptTimeStamp: `2026-11-27T10:00:${String(n).padStart(2, '0')}Z` } },
        { ...seedEngagementReport, id: randomUUID(), data: { ...seedEngagementReport.data, messageId, recipient: address } },
      ];
    }).flat();
    const { context } = recordingContext();
    for (const event of events) await ingestEvent(event, context, { store: store });
    const answers = async () =>
      JSON.stringify([await recipientOverview(store, address), await recipientMessagesPage(store, { address, limit: 10 }), await internetMessageLookup(store, '7@contoso.example')]);
    const before = await answers();
    // Statistics facts are rebuilt as well (a late one's marker names the hour it came, so it is left out here).
    const indexRowsOf = async () => (await rowsOf(settings.indexTable)).filter((row) => !String(row.partitionKey).startsWith('statsdirty|')).length;
    const indexRows = await indexRowsOf();
    expect(indexRows).toBe(30 * (4 + 2 + 2)); // group and tail rows, Message-ID row; an expiry row per day of the message; a statistics fact per event

    await tableClient(settings.indexTable).deleteTable();
    expect(await recipientOverview(store, address)).toBeUndefined();
    const progress: number[] = [];
    expect((await reindex(store, { pageSize: 25, onProgress: ({ events: done }) => progress.push(done) })).events).toBe(60);
    expect(progress).toEqual([25, 50, 60]);
    expect(await answers()).toBe(before);
    expect((await reindex(store)).events).toBe(60);
    expect(await answers()).toBe(before);
    expect(await indexRowsOf()).toBe(indexRows);
  });
});
