/**
 * Pure decisions of retention and erasure: when a message has expired, and which rows hold it. `now`
 * is always passed in, so that tests (and a re-application a day later) can say what time it is.
 */
import type { EmailEvent } from '../events/emailEvent.js';
import { compareTimestamps } from '../events/timestamps.js';
import { indexWritesFor } from '../storage/indexEntities.js';
import { rowKeyFor } from '../storage/tableEntities.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Event Grid retries a delivery for up to 24 hours; an erasure is applied again once that has passed. */
export const ERASURE_REAPPLY_AFTER_MS = 25 * 60 * 60 * 1000;

/** The instant before which a message's newest event makes it expired, or undefined when retention is off (0 days). */
export function retentionCutoff(now: Date, days: number): string | undefined {
  return days === 0 ? undefined : new Date(now.getTime() - days * DAY_MS).toISOString();
}

/**
 * Whether every event of a message is older than the cutoff, by the events' own times. An event
 * without a time keeps no message alive; a message with no events left has nothing to keep.
 */
export function hasExpired(events: readonly Pick<EmailEvent, 'occurredAt'>[], cutoff: string): boolean {
  return events.every((event) => event.occurredAt === null || compareTimestamps(event.occurredAt, cutoff) < 0);
}

/** Row keys to delete, by partition. */
export type RowsByPartition = Map<string, string[]>;

export function addRow(rows: RowsByPartition, partitionKey: string, rowKey: string): void {
  const keys = rows.get(partitionKey);
  if (keys) keys.push(rowKey);
  else rows.set(partitionKey, [rowKey]);
}

export interface MessageRows {
  /** The message's own rows in the events table (one partition). */
  events: RowsByPartition;
  /** Its rows in the lookup indexes (address partitions, the Internet Message-ID's). */
  lookups: RowsByPartition;
  /** Its rows in the expiry index: deleted last, so that a run that stops half-way leaves the message findable. */
  expiry: RowsByPartition;
}

/**
 * Every row that holds a message, derived from its events: the same rows ingest wrote for them.
 * (An event without a time was filed for retention under the day it came, which no row records;
 * that expiry row is deleted when retention reaches it and finds the message gone.)
 */
export function rowsOfMessage(events: readonly EmailEvent[]): MessageRows {
  const rows: MessageRows = { events: new Map(), lookups: new Map(), expiry: new Map() };
  for (const event of events) {
    addRow(rows.events, event.messageId, rowKeyFor(event));
    const writes = indexWritesFor(event, event.occurredAt ?? '');
    for (const entity of writes.recipient ?? []) addRow(rows.lookups, entity.partitionKey, entity.rowKey);
    if (writes.internetMessageId) addRow(rows.lookups, writes.internetMessageId.partitionKey, writes.internetMessageId.rowKey);
    if (event.occurredAt !== null) addRow(rows.expiry, writes.expiry.partitionKey, writes.expiry.rowKey);
  }
  // A key may repeat (every recipient's report names the message's Message-ID row): deleteRows takes each once.
  return rows;
}

/** The day (YYYY-MM-DD) of an instant. */
export const dayOf = (instant: string) => instant.slice(0, 10);
