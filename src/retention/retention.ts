/**
 * Retention and erasure against storage: delete what has expired, or what a person asked to erase,
 * and apply each erasure again once Event Grid can no longer redeliver what it erased.
 *
 * Deletes run in this order: lookup index rows, then the message's event rows, then its expiry rows;
 * and every delete of a row already gone counts as done. So a run that stops anywhere (a timeout, a
 * crash, a storage outage) leaves the message still findable through its expiry row, and the next run
 * deletes what is left without deleting anything twice.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import type { EventStore } from '../storage/eventStore.js';
import { EXPIRY_PARTITION, RECIPIENT_PARTITION, expiryPartitionsBefore, fromGroupEntity, groupRange, indexWritesFor, recipientPartitionKey } from '../storage/indexEntities.js';
import { messageDigest } from '../storage/tailKeys.js';
import { toStoredEntity, type StoredEvent } from '../storage/tableEntities.js';
import { addressPattern, findAddressByDigest, isFindableInText } from './addressText.js';
import { ERASURE_REAPPLY_AFTER_MS, addRow, addressErasure, dayOf, erasedFactRecipients, hasExpired, retentionCutoff, rowsOfMessage, type FactRecipient, type RowsByPartition } from './policy.js';
import { eraseSuppression } from '../suppression/store.js';
import { expireFacts } from '../stats/factRetention.js';

const ERASURE_LOG_PARTITION = 'erasure|log';
const ERASURE_PENDING_PARTITION = 'erasure|pending';

/** Partitions deleted from at the same time: an address with thousands of messages must not send thousands of requests at once. */
const PARTITIONS_AT_ONCE = 16;

/** Applies `apply` to each partition's rows, PARTITIONS_AT_ONCE partitions at a time; adds up the rows each says it changed. */
async function perPartition<T>(rows: Map<string, T[]>, apply: (partitionKey: string, rows: T[]) => Promise<number>): Promise<number> {
  const partitions = [...rows];
  let changed = 0;
  for (let start = 0; start < partitions.length; start += PARTITIONS_AT_ONCE) {
    const counts = await Promise.all(partitions.slice(start, start + PARTITIONS_AT_ONCE).map(([partitionKey, partitionRows]) => apply(partitionKey, partitionRows)));
    for (const count of counts) changed += count;
  }
  return changed;
}

const deleteAll = (store: EventStore, table: 'events' | 'index', rows: RowsByPartition): Promise<number> =>
  perPartition(rows, (partitionKey, rowKeys) => store.deleteRows(table, partitionKey, rowKeys));

/**
 * Overwrites the recipient of these statistics facts (erasedFactRecipients), by partition, where the
 * fact is there; says how many were. Run before the events that lead to the facts are deleted, so that a
 * pass that stops first leaves them for the next.
 */
function rewriteFacts(store: EventStore, facts: readonly FactRecipient[]): Promise<number> {
  const byPartition = new Map<string, FactRecipient[]>();
  for (const fact of facts) addRow(byPartition, fact.partitionKey, fact);
  return perPartition(byPartition, (partitionKey, entities) => store.mergeRows('index', partitionKey, entities.map(({ rowKey, recipient }) => ({ partitionKey, rowKey, recipient }))));
}

/** Deletes every row of a message, given its events; says how many rows went, and how many of them were event rows. */
async function deleteMessageRows(store: EventStore, events: readonly StoredEvent[]): Promise<{ rows: number; eventRows: number }> {
  const rows = rowsOfMessage(events);
  const lookups = await deleteAll(store, 'index', rows.lookups);
  const eventRows = await deleteAll(store, 'events', rows.events);
  return { rows: lookups + eventRows + (await deleteAll(store, 'index', rows.expiry)), eventRows };
}

/** The events a group row keeps, for deleting their rows: when they were received is not known there. */
const fromGroupRows = (rows: readonly Record<string, unknown>[]): StoredEvent[] => rows.map((row) => ({ event: fromGroupEntity(row), receivedAt: null }));

/**
 * Erases a message: its rows, derived from its events, after its statistics facts' recipients are
 * made unconfirmable with the erasure's salt (they stay, counted as before). Returns the rows deleted,
 * the facts rewritten and the index partitions its events had rows in.
 *
 * `knownPartitions` (those an earlier pass found) are cleared of the message as well: an event
 * redelivered while that pass ran can have written its index rows after they were deleted, and its
 * event row before, so that no event leads to them any more. An address partition's group rows of the
 * message say which rows that event wrote; a Message-ID partition holds one row, keyed by the message.
 */
async function deleteMessage(store: EventStore, messageId: string, salt: string, knownPartitions: readonly string[] = []): Promise<{ rows: number; facts: number; partitions: string[] }> {
  const events = await store.storedEvents(messageId);
  const partitions = [...rowsOfMessage(events).lookups.keys()];
  let facts = await rewriteFacts(store, erasedFactRecipients(events, salt));
  let rows = (await deleteMessageRows(store, events)).rows;
  for (const partitionKey of knownPartitions) {
    if (partitionKey.startsWith(`${RECIPIENT_PARTITION}|`)) {
      const left: Record<string, unknown>[] = [];
      for await (const page of store.indexRows(partitionKey, { range: groupRange(messageDigest(messageId)) })) left.push(...page);
      const leftEvents = fromGroupRows(left);
      facts += await rewriteFacts(store, erasedFactRecipients(leftEvents, salt));
      rows += (await deleteMessageRows(store, leftEvents)).rows;
    } else {
      rows += await store.deleteRows('index', partitionKey, [messageId]);
    }
  }
  return { rows, facts, partitions };
}

/** What erasing an address did: rows deleted, rows rewritten, facts rewritten, and the messages it was named in. */
interface RecipientErased {
  rows: number;
  rewritten: number;
  facts: number;
  messageIds: string[];
}

/**
 * Erases an address from one message: makes its events' statistics facts unconfirmable (first: the
 * events lead to them), deletes its events and the lookup rows only they led to, and replaces the
 * address in the text of the others' events (their rows and index rows). Index rows are rewritten
 * before event rows, so that a pass that stops half-way leaves the event that still names the address
 * for the next pass to find.
 * The address's suppression entry goes too (README, "Suppression": erasure takes the address off
 * the list, here and, through the sync, in ACS).
 */
async function eraseFromMessage(store: EventStore, messageId: string, partitionKey: string, pattern: RegExp | undefined, salt: string): Promise<{ rows: number; rewritten: number; facts: number }> {
  const erasure = addressErasure(await store.storedEvents(messageId), partitionKey, pattern, salt);
  const facts = await rewriteFacts(store, erasure.facts);
  const indexRows = erasure.rewritten.flatMap(({ event, receivedAt }) => indexWritesFor(event, receivedAt ?? '').recipient ?? []);
  await store.replaceRows('index', indexRows);
  await store.replaceRows('events', erasure.rewritten.map(toStoredEntity));
  const lookups = await deleteAll(store, 'index', erasure.orphanLookups);
  const events = await store.deleteRows('events', messageId, erasure.erasedEvents);
  return { rows: lookups + events, rewritten: erasure.rewritten.length, facts };
}

/**
 * Erases an address: every event that names it (found through its index partition), the address in
 * the text of the other events of those messages, the lookup rows that led only to what went, and the
 * address's own index partition, last, so that a pass that stops half-way is finished by the next.
 * Other recipients of the same messages keep their rows.
 *
 * `address` is the address in clear where the caller knows it; a re-application knows it only by its
 * partition's digest and reads it back from the messages' text. `knownMessages` (the messages an
 * earlier pass found) are read whole as well: an event of one of them redelivered while that pass ran
 * can have landed after its index rows were read and deleted, and then no index row leads to it.
 */
async function deleteRecipient(store: EventStore, partitionKey: string, address: string | undefined, salt: string, knownMessages: readonly string[] = []): Promise<RecipientErased> {
  const rows: Record<string, unknown>[] = [];
  for await (const page of store.indexRows(partitionKey)) rows.push(...page);
  const messageIds = [...new Set([...rows.map((row) => String(row.messageId)), ...knownMessages])];
  let named = address;
  if (named === undefined && messageIds.length > 0) {
    const texts = [...fromGroupRows(rows), ...(await Promise.all(knownMessages.map((messageId) => store.storedEvents(messageId)))).flat()];
    named = findAddressByDigest(texts.map(({ event }) => event), partitionKey.slice(RECIPIENT_PARTITION.length + 1));
  }
  const pattern = named !== undefined && isFindableInText(named) ? addressPattern(named) : undefined;
  const erased: RecipientErased = { rows: 0, rewritten: 0, facts: 0, messageIds };
  for (let start = 0; start < messageIds.length; start += PARTITIONS_AT_ONCE) {
    for (const done of await Promise.all(messageIds.slice(start, start + PARTITIONS_AT_ONCE).map((messageId) => eraseFromMessage(store, messageId, partitionKey, pattern, salt)))) {
      erased.rows += done.rows;
      erased.rewritten += done.rewritten;
      erased.facts += done.facts;
    }
  }
  erased.rows += await store.deleteRows('index', partitionKey, rows.map((row) => String(row.rowKey)));
  // The recipient partition is named by the same digest of the address as its suppression entry.
  erased.rows += await eraseSuppression(store, partitionKey.slice(RECIPIENT_PARTITION.length + 1));
  return erased;
}

/**
 * What an erasure found (message ids, or index partitions), for its re-application: as JSON in properties
 * `found0`, `found1`… of up to 32,000 characters each (a string property holds 32,768), at most 12 of
 * them, so that the record stays well within an entity's 1 MiB. Beyond that (some 10,000 messages of
 * one address), the re-application finds the rest through the index alone.
 */
const FOUND_CHUNK = 32_000;
const MAX_FOUND_CHUNKS = 12;

function foundProperties(found: readonly string[]): Record<string, string> {
  const properties: Record<string, string> = {};
  let chunk: string[] = [];
  let chunks = 0;
  const flush = () => {
    if (chunk.length > 0 && chunks < MAX_FOUND_CHUNKS) properties[`found${chunks++}`] = JSON.stringify(chunk);
    chunk = [];
  };
  for (const value of found) {
    if (JSON.stringify([...chunk, value]).length > FOUND_CHUNK) flush();
    chunk.push(value);
  }
  flush();
  return properties;
}

function foundOf(row: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (let chunk = 0; typeof row[`found${chunk}`] === 'string'; chunk++) found.push(...(JSON.parse(String(row[`found${chunk}`])) as string[]));
  return found;
}

export type ErasureKind = 'message' | 'recipient';

/** Who asked for an erasure, as its record keeps it: the caller's kind, and a person's object id and name. */
function requestedBy(by: Caller): Record<string, string> {
  return { requestedByKind: by.kind, ...(by.id ? { requestedById: by.id } : {}), ...(by.name ? { requestedByName: by.name } : {}) };
}

/** What one pass of an erasure did, and what it found for the next. */
interface ErasurePass {
  /** Rows deleted. */
  rows: number;
  /** Events whose text was rewritten, with their index rows (other recipients' events that named an erased address). */
  rewritten: number;
  /** Statistics facts whose recipient was made unconfirmable. */
  facts: number;
  found: string[];
}

/** The salt of an erasure's fact recipients (erasedRecipientKey): random, 128 bits. */
const newSalt = () => randomBytes(16).toString('base64url');

/**
 * The salt of the pending re-application of the same erasure, when one is pending: a second request
 * within the 25 hours gives the facts of a later event of the same recipient the key its earlier
 * facts got, so that it is still counted once.
 */
async function pendingSalt(store: EventStore, kind: ErasureKind, target: string): Promise<string | undefined> {
  for await (const page of store.indexRows(ERASURE_PENDING_PARTITION)) {
    const same = page.find((row) => row.kind === kind && row.target === target && typeof row.salt === 'string');
    if (same) return String(same.salt);
  }
  return undefined;
}

/**
 * Records an erasure (when, what kind and who asked, never what: the log keeps no target) and schedules its
 * re-application after Event Grid's retry window, with the target (a message id, or an address as its
 * index partition's digest) and the salt of its facts' recipients held only until that is done; then
 * erases, then records how many rows went and how many facts were rewritten. Recorded first, so that an
 * erasure that fails half-way is finished by its re-application even when nobody asks again.
 */
async function erase(store: EventStore, kind: ErasureKind, target: string, now: Date, by: Caller, pass: (salt: string) => Promise<ErasurePass>): Promise<number> {
  const rowKey = `${now.toISOString()}|${randomUUID()}`;
  const salt = (await pendingSalt(store, kind, target)) ?? newSalt();
  await store.upsertIndexRow({ partitionKey: ERASURE_LOG_PARTITION, rowKey, kind, requestedAt: now.toISOString(), ...requestedBy(by) });
  await store.upsertIndexRow({
    partitionKey: ERASURE_PENDING_PARTITION,
    rowKey,
    kind,
    target,
    salt,
    reapplyAfter: new Date(now.getTime() + ERASURE_REAPPLY_AFTER_MS).toISOString(),
  });
  const { rows, rewritten, facts, found } = await pass(salt);
  // For the re-application, which looks there again.
  if (found.length > 0) await store.upsertIndexRow({ partitionKey: ERASURE_PENDING_PARTITION, rowKey, ...foundProperties(found) });
  await store.upsertIndexRow({ partitionKey: ERASURE_LOG_PARTITION, rowKey, rows, rewritten, facts });
  return rows;
}

/**
 * Erases a message: every row of it, in every table, but its statistics facts, whose recipients are
 * made unconfirmable. Idempotent; returns the rows deleted now.
 */
export function eraseMessage(store: EventStore, messageId: string, now: Date, by: Caller): Promise<number> {
  return erase(store, 'message', messageId, now, by, async (salt) => {
    const { rows, facts, partitions } = await deleteMessage(store, messageId, salt);
    return { rows, rewritten: 0, facts, found: partitions };
  });
}

/**
 * Erases an address (normalized): every event and index row that names it, the address in the text of
 * the messages it was named in, and the digest of it in their statistics facts. Idempotent; returns
 * the rows deleted now.
 */
export function eraseRecipient(store: EventStore, normalizedAddress: string, now: Date, by: Caller): Promise<number> {
  const partitionKey = recipientPartitionKey(normalizedAddress);
  return erase(store, 'recipient', partitionKey, now, by, async (salt) => {
    const { rows, rewritten, facts, messageIds } = await deleteRecipient(store, partitionKey, normalizedAddress, salt);
    return { rows, rewritten, facts, found: messageIds };
  });
}

/**
 * Applies again every erasure whose re-application is due, with the salt it was made with: the facts of
 * an event that came since get the key the recipient's other facts got. (A record written before the
 * salt was kept gets a new one: its first pass rewrote no fact.) One that fails stays pending for the
 * next run, and does not stop the others or retention.
 */
async function reapplyDueErasures(store: EventStore, now: Date): Promise<{ reapplied: number; failed: number; rows: number; facts: number }> {
  const pending: Record<string, unknown>[] = [];
  for await (const page of store.indexRows(ERASURE_PENDING_PARTITION)) pending.push(...page);
  const done = { reapplied: 0, failed: 0, rows: 0, facts: 0 };
  for (const erasure of pending) {
    if (String(erasure.reapplyAfter) > now.toISOString()) continue;
    const target = String(erasure.target);
    const rowKey = String(erasure.rowKey);
    const salt = typeof erasure.salt === 'string' ? erasure.salt : newSalt();
    try {
      const found = foundOf(erasure);
      const { rows, facts } = erasure.kind === 'recipient' ? await deleteRecipient(store, target, undefined, salt, found) : await deleteMessage(store, target, salt, found);
      await store.upsertIndexRow({ partitionKey: ERASURE_LOG_PARTITION, rowKey, reappliedAt: now.toISOString(), reappliedRows: rows, reappliedFacts: facts });
      // With it goes the last trace of the target, and the salt that could tell its facts.
      await store.deleteRows('index', ERASURE_PENDING_PARTITION, [rowKey]);
      done.reapplied++;
      done.rows += rows;
      done.facts += facts;
    } catch {
      done.failed++;
    }
  }
  return done;
}

export interface RetentionRun {
  /** Messages deleted because their newest event was older than the window. */
  messages: number;
  /** Quarantined events deleted for their age. */
  quarantined: number;
  /** Rows deleted in all: index rows and the rows that erasures applied again deleted included. */
  rows: number;
  /** Erasures applied again after Event Grid's retry window. */
  erasuresReapplied: number;
  /** Erasures whose re-application failed this time; they stay pending for the next run. */
  erasuresFailed: number;
  /** Statistics facts whose recipient the erasures applied again made unconfirmable (not counted in `rows`: they stay). */
  factsRewritten: number;
  /** Statistics facts and late-fact markers of days before the window deleted (not counted in `rows`); the days' summaries stay. */
  statsFactRows: number;
  /** Days before the window the roll-up had not counted whole, counted before their facts went. */
  statsDaysRolledUp: number;
  elapsedMs: number;
  /** False when the run stopped at its time budget; the next run carries on. */
  complete: boolean;
}

export interface RetentionOptions {
  now: Date;
  /** The retention window; 0 keeps everything (erasures are still applied again). */
  days: number;
  /** How long the run may take before it stops and leaves the rest to the next run. */
  budgetMs?: number;
  /** Messages deleted at the same time. */
  concurrency?: number;
}

/**
 * One retention run: applies due erasures again, then deletes each message whose newest event is
 * older than the window, and quarantined events older than it, then the statistics facts of the days
 * before the window (factRetention.ts; their summaries stay). It reads only the expiry index of the
 * days before the window (and what it deletes), so its cost grows with what it deletes, not with what
 * it keeps.
 */
export async function applyRetention(store: EventStore, { now, days, budgetMs = 8 * 60_000, concurrency = 8 }: RetentionOptions): Promise<RetentionRun> {
  const started = performance.now();
  const erasures = await reapplyDueErasures(store, now);
  const run: RetentionRun = { messages: 0, quarantined: 0, rows: erasures.rows, erasuresReapplied: erasures.reapplied, erasuresFailed: erasures.failed, factsRewritten: erasures.facts, statsFactRows: 0, statsDaysRolledUp: 0, elapsedMs: 0, complete: true };
  const cutoff = retentionCutoff(now, days);
  if (cutoff !== undefined) {
    // Only the days before the cutoff's day: a message filed there that lives on has a newer event, so
    // a newer expiry row, and the row here can go.
    const expired = expiryPartitionsBefore(dayOf(cutoff));
    const expire = async (row: Record<string, unknown>) => {
      const partitionKey = String(row.partitionKey);
      const rowKey = String(row.rowKey);
      if (!partitionKey.startsWith(`${EXPIRY_PARTITION}|`)) return;
      if (rowKey.startsWith('q|')) {
        const gone = await store.deleteRows('quarantine', String(row.quarantinePartitionKey), [String(row.quarantineRowKey)]);
        run.quarantined += gone;
        run.rows += gone;
      } else {
        const events = await store.storedEvents(String(row.messageId));
        if (events.length > 0 && hasExpired(events, cutoff)) {
          // A message filed under several expired days is met once per day, perhaps at the same time: it counts where its events went.
          const deleted = await deleteMessageRows(store, events);
          run.rows += deleted.rows;
          if (deleted.eventRows > 0) run.messages++;
        }
      }
      // Awaited first, then added: `run.rows += await …` would read run.rows before another expire() adds to it.
      const expiryRow = await store.deleteRows('index', partitionKey, [rowKey]);
      run.rows += expiryRow;
    };
    pages: for await (const page of store.indexPartitionRange(expired, 1000)) {
      for (let start = 0; start < page.length; start += concurrency) {
        if (performance.now() - started > budgetMs) {
          run.complete = false;
          break pages;
        }
        await Promise.all(page.slice(start, start + concurrency).map(expire));
      }
    }
    if (run.complete) {
      const facts = await expireFacts(store, { now, days, outOfTime: () => performance.now() - started > budgetMs });
      run.statsFactRows = facts.rows;
      run.statsDaysRolledUp = facts.daysRolledUp;
      run.complete = facts.complete;
    }
  }
  run.elapsedMs = Math.round(performance.now() - started);
  return run;
}
