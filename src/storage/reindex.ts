/**
 * Rebuilds every lookup index from the events table: reads every event row a page at a time and
 * writes its index rows again. The writes are the same idempotent inserts ingest makes, so running it
 * twice, or while events arrive, changes nothing that was right and adds what was missing.
 */
import type { EventStore } from './eventStore.js';

export interface ReindexProgress {
  events: number;
  elapsedMs: number;
}

export interface ReindexOptions {
  /** Events read per page (at most 1000). */
  pageSize?: number;
  /** Events whose index rows are written at the same time. */
  concurrency?: number;
  /** Called after every page. */
  onProgress?: (progress: ReindexProgress) => void;
}

export async function reindex(store: EventStore, { pageSize = 1000, concurrency = 32, onProgress }: ReindexOptions = {}): Promise<ReindexProgress> {
  const started = performance.now();
  // An event without a time is filed for retention under the day it is re-indexed.
  const receivedAt = new Date().toISOString();
  let events = 0;
  for await (const page of store.allEvents(pageSize)) {
    for (let start = 0; start < page.length; start += concurrency) {
      await Promise.all(page.slice(start, start + concurrency).map((event) => store.appendIndexRows(event, receivedAt)));
    }
    events += page.length;
    onProgress?.({ events, elapsedMs: performance.now() - started });
  }
  return { events, elapsedMs: performance.now() - started };
}
