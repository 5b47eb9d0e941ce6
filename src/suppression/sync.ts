/**
 * The sync: carries the list's changes into the ACS suppression list, from the outbox that each change
 * wrote beside itself. Ingest never waits for it, and nothing is lost while ARM is away: an outbox row
 * goes only once ARM has taken its address's state.
 *
 * For each address with outbox rows, the sync reads the address's history and makes ACS agree with
 * its entry as it is now (suppressed: put; reactivated or erased: delete), so that changes that arrive
 * in any order, or are carried twice, end the same. Outbox rows are deleted only when read before the
 * history was, so a change made meanwhile is carried by the next run. ARM's 429 stops the run, and
 * no call is made before its Retry-After has passed; other failures wait longer after each attempt.
 */
import { errorFacts } from '../errors.js';
import type { EventStore } from '../storage/eventStore.js';
import type { SuppressionListClient } from './armClient.js';
import { ALL_SHARD_PARTITIONS, OUTBOX_RANGE, SYNC_STATE_PARTITION, THROTTLE_ROW, addressRange, armAddressId, digestOfOutboxKey, isSyncRowKey, syncRowKey } from './keys.js';
import { changeOf } from './policy.js';
import { newestChange, suppressionEntry, syncRecordOf, type SyncRecord } from './state.js';

export interface SyncRun {
  /** Addresses whose state ACS now has. */
  synced: number;
  /** Addresses whose call failed this time; they wait, and are tried again. */
  failed: number;
  /** Addresses skipped because their next attempt is not due yet. */
  waiting: number;
  /** Outbox rows read (up to perShard a shard): what was still to do when the run began. */
  outbox: number;
  /** The time of the oldest change still in the outbox when the run began, if any. */
  oldestChangeAt: string | null;
  /** Until when ARM asked the sync to wait (429 Retry-After), when it did. */
  throttledUntil: string | null;
  elapsedMs: number;
}

export interface SyncOptions {
  now: Date;
  /** Outbox rows read a shard a run. */
  perShard?: number;
  /** ARM calls in flight at once. */
  concurrency?: number;
  /** How long the run may start new calls. */
  budgetMs?: number;
}

const SECOND = 1000;
/** The wait after a failure other than 429: a minute, doubling with each failed attempt, at most an hour. */
export const backoffMs = (attempts: number) => Math.min(60 * SECOND * 2 ** Math.max(0, attempts - 1), 3600 * SECOND);

/** ARM's Retry-After, in seconds or as an HTTP date, as a wait in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined | null, now: Date): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * SECOND;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

function retryAfterOf(error: unknown, now: Date): number | undefined {
  const headers = (error as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers;
  return retryAfterMs(headers?.get?.('retry-after'), now);
}

export async function syncSuppressions(store: EventStore, client: SuppressionListClient, { now, perShard = 50, concurrency = 4, budgetMs = 45_000 }: SyncOptions): Promise<SyncRun> {
  const started = performance.now();
  const run: SyncRun = { synced: 0, failed: 0, waiting: 0, outbox: 0, oldestChangeAt: null, throttledUntil: null, elapsedMs: 0 };
  const finish = () => ({ ...run, elapsedMs: Math.round(performance.now() - started) });

  const throttle = (await store.indexPage(SYNC_STATE_PARTITION, { range: { from: THROTTLE_ROW, to: `${THROTTLE_ROW}~` }, pageSize: 1 })).rows[0];
  if (typeof throttle?.throttledUntil === 'string' && throttle.throttledUntil > now.toISOString()) {
    run.throttledUntil = throttle.throttledUntil;
    return finish();
  }

  const shards = await Promise.all(ALL_SHARD_PARTITIONS.map((partitionKey) => store.indexPage(partitionKey, { range: OUTBOX_RANGE, pageSize: perShard })));
  const work = new Map<string, { partitionKey: string; keys: string[] }>();
  shards.forEach((page, i) => {
    for (const row of page.rows) {
      const key = String(row.rowKey);
      const digest = digestOfOutboxKey(key);
      const item = work.get(digest) ?? { partitionKey: ALL_SHARD_PARTITIONS[i]!, keys: [] };
      item.keys.push(key);
      work.set(digest, item);
      run.outbox++;
      if (typeof row.at === 'string' && (run.oldestChangeAt === null || row.at < run.oldestChangeAt)) run.oldestChangeAt = row.at;
    }
  });

  const syncOne = async (digest: string, { partitionKey, keys }: { partitionKey: string; keys: string[] }) => {
    const rows: Record<string, unknown>[] = [];
    for await (const page of store.indexRows(partitionKey, { range: addressRange(digest) })) rows.push(...page);
    const syncRow = rows.find((row) => isSyncRowKey(String(row.rowKey)));
    const record: SyncRecord = syncRow ? syncRecordOf(syncRow) : {};
    if (record.lastError && record.nextAttemptAt && record.nextAttemptAt > now.toISOString()) {
      run.waiting++;
      return;
    }
    const changes = rows.filter((row) => !isSyncRowKey(String(row.rowKey))).map(changeOf);
    const entry = suppressionEntry(changes, record, true);
    const attemptAt = now.toISOString();
    try {
      if (entry?.state === 'suppressed') await client.add(armAddressId(digest), entry.address.trim(), `ACS Email Status: ${entry.reason} since ${entry.firstSeenAt ?? 'unknown'}`);
      else await client.remove(armAddressId(digest));
    } catch (error) {
      const facts = errorFacts(error);
      const throttled = facts.statusCode === 429;
      const attempts = (record.attempts ?? 0) + 1;
      const wait = (throttled ? retryAfterOf(error, now) : undefined) ?? backoffMs(attempts);
      const nextAttemptAt = new Date(now.getTime() + wait).toISOString();
      if (throttled) {
        run.throttledUntil = nextAttemptAt;
        await store.upsertIndexRow({ partitionKey: SYNC_STATE_PARTITION, rowKey: THROTTLE_ROW, throttledUntil: nextAttemptAt });
      }
      const lastError = facts.statusCode === undefined ? facts.error : `HTTP ${facts.statusCode}${facts.code ? ` ${facts.code}` : ''}`;
      await store.upsertIndexRow({ partitionKey, rowKey: syncRowKey(digest), lastAttemptAt: attemptAt, lastError, nextAttemptAt, attempts });
      run.failed++;
      return;
    }
    const newest = newestChange(changes);
    if (newest === undefined) {
      // Erased: nothing of the address is left to show, not even what the sync did.
      await store.deleteRows('index', partitionKey, [syncRowKey(digest)]);
    } else {
      await store.upsertIndexRow({ partitionKey, rowKey: syncRowKey(digest), syncedChange: newest.key, syncedAt: attemptAt, lastAttemptAt: attemptAt, lastError: '', nextAttemptAt: '', attempts: 0 });
    }
    await store.deleteRows('index', partitionKey, keys);
    run.synced++;
  };

  const queue = [...work];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        if (run.throttledUntil !== null || performance.now() - started > budgetMs) return;
        await syncOne(...item);
      }
    }),
  );
  return finish();
}
