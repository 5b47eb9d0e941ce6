/**
 * Pure decisions of retention and erasure: when a message has expired, and which rows hold it. `now`
 * is always passed in, so that tests (and a re-application a day later) can say what time it is.
 */
import { compareTimestamps } from '../events/timestamps.js';
import { indexWritesFor, recipientPartitionOf } from '../storage/indexEntities.js';
import { rowKeyFor, type StoredEvent } from '../storage/tableEntities.js';
import { erasedRecipientKey, factKeysOf } from '../stats/facts.js';
import { eraseAddressFromEvent, eraseAddressFromText } from './addressText.js';
import { retentionTime } from './retentionTime.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Event Grid retries a delivery for up to 24 hours; an erasure is applied again once that has passed. */
export const ERASURE_REAPPLY_AFTER_MS = 25 * 60 * 60 * 1000;

/** The instant before which a message's newest event makes it expired, or undefined when retention is off (0 days). */
export function retentionCutoff(now: Date, days: number): string | undefined {
  return days === 0 ? undefined : new Date(now.getTime() - days * DAY_MS).toISOString();
}

/**
 * Whether every event of a message is older than the cutoff, by the events' retention times (their own
 * times, unless later than when they were received). An event with neither keeps no message alive; a
 * message with no events left has nothing to keep.
 */
export function hasExpired(events: readonly StoredEvent[], cutoff: string): boolean {
  return events.every(({ event, receivedAt }) => {
    const time = retentionTime(event.occurredAt, receivedAt);
    return time === null || compareTimestamps(time, cutoff) < 0;
  });
}

/** Row keys to delete, by partition. */
export type RowsByPartition = Map<string, string[]>;

/** Files a row (its key, or what is done to it) under its partition. */
export function addRow<T>(rows: Map<string, T[]>, partitionKey: string, row: T): void {
  const keys = rows.get(partitionKey);
  if (keys) keys.push(row);
  else rows.set(partitionKey, [row]);
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
 * (An event whose receipt is not known, in an index row, was filed for retention under a day no row
 * records; that expiry row is deleted when retention reaches it and finds the message gone.)
 */
export function rowsOfMessage(events: readonly StoredEvent[]): MessageRows {
  const rows: MessageRows = { events: new Map(), lookups: new Map(), expiry: new Map() };
  for (const { event, receivedAt } of events) {
    addRow(rows.events, event.messageId, rowKeyFor(event));
    const time = retentionTime(event.occurredAt, receivedAt);
    const writes = indexWritesFor(event, time ?? '');
    for (const entity of writes.recipient ?? []) addRow(rows.lookups, entity.partitionKey, entity.rowKey);
    if (writes.internetMessageId) addRow(rows.lookups, writes.internetMessageId.partitionKey, writes.internetMessageId.rowKey);
    if (time !== null) addRow(rows.expiry, writes.expiry.partitionKey, writes.expiry.rowKey);
  }
  // A key may repeat (every recipient's report names the message's Message-ID row): deleteRows takes each once.
  return rows;
}

/** A fact's recipient to overwrite (a merge of that one property, into the fact row if it is there). */
export interface FactRecipient {
  partitionKey: string;
  rowKey: string;
  recipient: string;
}

/**
 * The merges that make the statistics facts of these (erased) events unconfirmable: each fact that
 * names a recipient gets erasedRecipientKey of the erasure's salt instead, so a recipient's facts in a
 * message keep one key between them, and other recipients keep theirs apart. The keys are derived from
 * the events as ingest derived them (factKeysOf), so no fact is read; an event whose day is not known
 * (no time, and read from an index row that does not say when it came) is left out. One merge per fact.
 */
export function erasedFactRecipients(stored: readonly StoredEvent[], salt: string): FactRecipient[] {
  const merges = new Map<string, FactRecipient>();
  for (const { event, receivedAt } of stored) {
    if (event.occurredAt === null && receivedAt === null) continue;
    const { partitionKey, rowKey, recipient } = factKeysOf(event, receivedAt ?? '');
    if (recipient === undefined) continue;
    merges.set(`${partitionKey}/${rowKey}`, { partitionKey, rowKey, recipient: erasedRecipientKey(event.messageId, recipient, salt) });
  }
  return [...merges.values()];
}

/** What erasing an address does to one message that it was named in. */
export interface AddressErasure {
  /** Row keys of the message's events that are the address's: filed under it, or whose recipient names it. */
  erasedEvents: string[];
  /** The erased events' statistics facts, their recipient made unconfirmable (erasedFactRecipients). */
  facts: FactRecipient[];
  /** The other events whose text named the address, with it replaced by the marker. */
  rewritten: StoredEvent[];
  /**
   * Lookup rows that no event leads to once the erased events are gone (the Message-ID's row where only
   * they carried it), outside the address's own partition, which goes whole.
   */
  orphanLookups: RowsByPartition;
}

/**
 * Erasing the address (its partition key, and a pattern that finds it in text where known) from one
 * message's stored events, with the erasure's salt for its facts. Keys of the rewritten events stay
 * (no key field is rewritten), so their index rows are replaced in place.
 */
export function addressErasure(stored: readonly StoredEvent[], partitionKey: string, pattern: RegExp | undefined, salt: string): AddressErasure {
  const erasure: AddressErasure = { erasedEvents: [], facts: [], rewritten: [], orphanLookups: new Map() };
  const kept: StoredEvent[] = [];
  const gone: StoredEvent[] = [];
  for (const { event, receivedAt } of stored) {
    const recipient = event.recipient ?? '';
    if (recipientPartitionOf(event) === partitionKey || (pattern && eraseAddressFromText(recipient, pattern) !== recipient)) {
      erasure.erasedEvents.push(rowKeyFor(event));
      gone.push({ event, receivedAt });
      continue;
    }
    const erased = pattern && eraseAddressFromEvent(event, pattern);
    if (erased) erasure.rewritten.push({ event: erased, receivedAt });
    kept.push(erased ? { event: erased, receivedAt } : { event, receivedAt });
  }
  erasure.facts = erasedFactRecipients(gone, salt);
  const left = rowsOfMessage(kept).lookups;
  for (const [lookupPartition, rowKeys] of rowsOfMessage(stored).lookups) {
    if (lookupPartition === partitionKey) continue;
    for (const rowKey of rowKeys) if (!left.get(lookupPartition)?.includes(rowKey)) addRow(erasure.orphanLookups, lookupPartition, rowKey);
  }
  return erasure;
}

/** The day (YYYY-MM-DD) of an instant. */
export const dayOf = (instant: string) => instant.slice(0, 10);
