/**
 * The suppression list's reads and writes against the index table: an address's entry, one page of the
 * list, a change by hand, and erasure. The decisions are the pure ones of policy.ts and state.ts.
 */
import type { AppendResult, EventStore } from '../storage/eventStore.js';
import { changeOf, changeRows, type SuppressionChange } from './policy.js';
import {
  ALL_SHARD_PARTITIONS,
  addressDigest,
  addressRange,
  changeKey,
  digestOfListKey,
  isSyncRowKey,
  listRange,
  listRowKey,
  outboxRowKey,
  partitionOfDigest,
} from './keys.js';
import { newestChange, suppressionEntry, syncRecordOf, type SuppressionEntry } from './state.js';

export interface AddressHistory {
  changes: SuppressionChange[];
  /** The sync row, as stored. */
  sync: Record<string, unknown> | undefined;
}

function historyOf(rows: readonly Record<string, unknown>[]): AddressHistory {
  const history: AddressHistory = { changes: [], sync: undefined };
  for (const row of rows) {
    if (isSyncRowKey(String(row.rowKey))) history.sync = row;
    else history.changes.push(changeOf(row));
  }
  return history;
}

export const entryOf = (history: AddressHistory, syncConfigured: boolean): SuppressionEntry | undefined =>
  suppressionEntry(history.changes, history.sync && syncRecordOf(history.sync), syncConfigured);

/** Every row of an address in the list: its changes and its sync row (one query). */
export async function addressHistory(store: EventStore, normalizedAddress: string): Promise<AddressHistory> {
  const digest = addressDigest(normalizedAddress);
  const rows: Record<string, unknown>[] = [];
  for await (const page of store.indexRows(partitionOfDigest(digest), { range: addressRange(digest) })) rows.push(...page);
  return historyOf(rows);
}

/** Records a change by hand: its history row, its place in the list and its outbox row, in one transaction. */
export function recordChange(store: EventStore, normalizedAddress: string, change: SuppressionChange): Promise<AppendResult> {
  return store.insertIndexRowsTogether(changeRows(normalizedAddress, change));
}

export interface SuppressionListQuery {
  limit: number;
  /** Only entries in this state; undefined: both. */
  state?: 'suppressed' | 'reactivated';
  /** Only entries of this reason (Manual, or a status), matched case-insensitively. */
  reason?: string;
  /** Only entries whose newest change is at or after `since` and at or before `until` (UTC). */
  since?: string;
  until?: string;
  /** The list position of the previous page's last entry. */
  after?: string;
}

export interface SuppressionPage {
  entries: SuppressionEntry[];
  /** The position of the page's last entry, when more follow. */
  next?: string;
}

type Range = { from: string; fromExclusive?: boolean; to: string };

/** The first rows of a shard within the range (past empty pages, which Table Storage may send), and whether more follow. */
async function shardRows(store: EventStore, partitionKey: string, range: Range, pageSize: number): Promise<{ rows: Record<string, unknown>[]; more: boolean }> {
  let continuationToken: string | undefined;
  for (;;) {
    const page = await store.indexPage(partitionKey, { range, pageSize, ...(continuationToken ? { continuationToken } : {}) });
    if (page.rows.length > 0 || page.next === undefined) return { rows: page.rows, more: page.next !== undefined };
    continuationToken = page.next;
  }
}

/** Addresses read by one query (Table Storage allows 15 comparisons in a filter: the partition key and 7 ranges). */
const ADDRESSES_PER_QUERY = 7;
/**
 * Queries in flight at once: a page of 50 needs about 20, so it takes one round trip; a page of 1,000
 * takes a few, rather than opening some 300 sockets at once.
 */
const QUERIES_AT_ONCE = 32;

/** The histories of addresses (by digest), read with queries of 7 addresses each, up to 32 at once. */
async function histories(store: EventStore, digests: readonly string[]): Promise<Map<string, AddressHistory>> {
  const byPartition = new Map<string, string[]>();
  for (const digest of digests) {
    const partitionKey = partitionOfDigest(digest);
    byPartition.set(partitionKey, [...(byPartition.get(partitionKey) ?? []), digest]);
  }
  const queries = [...byPartition].flatMap(([partitionKey, group]) =>
    Array.from({ length: Math.ceil(group.length / ADDRESSES_PER_QUERY) }, (_, i) => () =>
      store.indexRowsInRanges(partitionKey, group.slice(i * ADDRESSES_PER_QUERY, (i + 1) * ADDRESSES_PER_QUERY).map(addressRange)),
    ),
  );
  const rows: Record<string, unknown>[] = [];
  for (let start = 0; start < queries.length; start += QUERIES_AT_ONCE) {
    for (const found of await Promise.all(queries.slice(start, start + QUERIES_AT_ONCE).map((query) => query()))) rows.push(...found);
  }
  const rowsByDigest = new Map<string, Record<string, unknown>[]>(digests.map((digest) => [digest, []]));
  for (const row of rows) rowsByDigest.get(String(row.rowKey).split('|')[1] ?? '')?.push(row);
  return new Map([...rowsByDigest].map(([digest, rows]) => [digest, historyOf(rows)]));
}

/**
 * One page of the list, newest change first.
 *
 * Round trips: the 16 shards' next list rows, read at once, merged in key order; then the histories
 * of the page's addresses (and a few more), read at once, from which each entry is derived. So a page
 * takes two round trips. An address has a list row per change, and stands at its newest: rows of an
 * address whose newest change lies on an earlier page (or outside since/until), and entries the filters
 * leave out, are passed over, and only when they leave the page short does it take another pass.
 */
export async function suppressionPage(store: EventStore, query: SuppressionListQuery, syncConfigured: boolean): Promise<SuppressionPage> {
  const window = listRange(query.since, query.until);
  const resume = query.after !== undefined && query.after >= window.from;
  const after = query.after;
  const reason = query.reason?.toLowerCase();
  const belongs = (position: string, entry: SuppressionEntry) =>
    position >= window.from &&
    position < window.to &&
    (after === undefined || position > after) &&
    (query.state === undefined || entry.state === query.state) &&
    (reason === undefined || entry.reason.toLowerCase() === reason);
  const pageSize = Math.min(1000, 2 * (query.limit + 1));
  const accepted = new Map<string, { entry: SuppressionEntry; position: string }>();
  const decided = new Set<string>();
  let range: Range = { from: resume ? after! : window.from, fromExclusive: resume, to: window.to };
  for (;;) {
    const shards = await Promise.all(ALL_SHARD_PARTITIONS.map((partitionKey) => shardRows(store, partitionKey, range, pageSize)));
    // Rows past the first shard that has more are not known to be in order yet: they wait for the next pass.
    const cutOff = shards.filter((shard) => shard.more).map((shard) => String(shard.rows.at(-1)!.rowKey));
    const horizon = cutOff.length === 0 ? undefined : cutOff.sort()[0]!;
    const keys = shards
      .flatMap((shard) => shard.rows.map((row) => String(row.rowKey)))
      .filter((key) => horizon === undefined || key <= horizon)
      .sort();
    if (keys.length === 0) break;
    // What the page still needs and as many more (up to 50): an address whose newest change lies on an
    // earlier page has older rows further down, and passing over those should not cost another pass.
    const needed = query.limit + 1 - accepted.size;
    const wanted = needed + Math.min(needed, 50);
    const digests: string[] = [];
    let read = keys.length;
    for (let i = 0; i < keys.length; i++) {
      const digest = digestOfListKey(keys[i]!);
      if (decided.has(digest) || digests.includes(digest)) continue;
      if (digests.length === wanted) {
        read = i;
        break;
      }
      digests.push(digest);
    }
    for (const [digest, history] of await histories(store, digests)) {
      decided.add(digest);
      const newest = newestChange(history.changes);
      const entry = entryOf(history, syncConfigured);
      if (newest === undefined || entry === undefined) continue;
      const position = listRowKey(newest.at, digest, newest.key);
      if (belongs(position, entry)) accepted.set(digest, { entry, position });
    }
    if (accepted.size > query.limit) break;
    if (read === keys.length && horizon === undefined) break;
    range = { from: keys[read - 1]!, fromExclusive: true, to: window.to };
  }
  const ordered = [...accepted.values()].sort((a, b) => (a.position < b.position ? -1 : 1));
  const page = ordered.slice(0, query.limit);
  return { entries: page.map(({ entry }) => entry), ...(ordered.length > query.limit ? { next: page.at(-1)!.position } : {}) };
}

/**
 * Erases the entry of an address (by its digest): its history, its list rows and its sync row; then leaves an outbox row, so
 * that the sync removes the address from the ACS list too. Returns the rows deleted.
 */
export async function eraseSuppression(store: EventStore, digest: string): Promise<number> {
  const partitionKey = partitionOfDigest(digest);
  const rows: Record<string, unknown>[] = [];
  for await (const page of store.indexRows(partitionKey, { range: addressRange(digest) })) rows.push(...page);
  if (rows.length === 0) return 0;
  const { changes } = historyOf(rows);
  const keys = [...changes.map((change) => listRowKey(change.at, digest, change.key)), ...rows.map((row) => String(row.rowKey))];
  const deleted = await store.deleteRows('index', partitionKey, keys);
  await store.upsertIndexRow({ partitionKey, rowKey: outboxRowKey(digest, changeKey('erasure', digest)) });
  return deleted;
}
