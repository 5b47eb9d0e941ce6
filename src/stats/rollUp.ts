/**
 * The roll-up: counts each day's facts into summary rows, so that a range of days reads a few rows per
 * day whatever the events in it. Every run counts today and the REROLLED_DAYS days before it (late
 * reports land there while Event Grid retries), and every day a late fact marked since; it reads each
 * day one shard at a time (and the same shard of the day after), so its memory stays one shard's, then
 * adds the day's shards up into one row per sender. Days before the horizon (horizon.ts) it never
 * counts again: retention has deleted, or is deleting, their facts.
 *
 * Counting a day again writes the same rows over the old ones: a run that stops half-way is finished
 * by the next, and a day counted twice is the same.
 */
import type { EventStore } from '../storage/eventStore.js';
import { DIRTY_PARTITION, REROLLED_DAYS, SHARDS, addDays, factPartitionKey, fromStatsFactRow, type StatsFact } from './facts.js';
import { factHorizon } from './horizon.js';
import { addShards, daySummaries, shardSummaryPartitionKey, toDayRows, toShardSummaryRow } from './summaries.js';

/** Day-and-shard pairs counted at the same time. */
const PAIRS_AT_ONCE = 4;
/** A marker is deleted once this old: a fact written with it has landed (or its event failed, and comes again with a new marker). */
const MARKER_SETTLE_MS = 60 * 60_000;

export interface RollUpRun {
  /** Day-and-shard pairs counted. */
  counted: number;
  /** Facts read. */
  facts: number;
  /** Late-fact markers deleted. */
  markers: number;
  elapsedMs: number;
  /** False when the run stopped at its time budget; the next run carries on. */
  complete: boolean;
}

export interface RollUpOptions {
  now: Date;
  budgetMs?: number;
  /** The retention window (EmailEventsRetentionDays): days before it are never counted again (horizon.ts). 0 or absent: every day. */
  retentionDays?: number;
}

async function factsOf(store: EventStore, day: string, shard: string): Promise<StatsFact[]> {
  const facts: StatsFact[] = [];
  for await (const page of store.indexRows(factPartitionKey(day, shard))) {
    for (const row of page) {
      const fact = fromStatsFactRow(row);
      if (fact) facts.push(fact);
    }
  }
  return facts;
}

/** Counts one day of one shard again and writes its shard summaries; returns the facts read. */
export async function rollUpShard(store: EventStore, day: string, shard: string, now: Date): Promise<number> {
  const [facts, later] = await Promise.all([factsOf(store, day, shard), factsOf(store, addDays(day, 1), shard)]);
  const summaries = daySummaries([...facts, ...later], day, now.toISOString());
  await Promise.all(summaries.map((summary) => store.upsertIndexRow(toShardSummaryRow(summary, shard))));
  return facts.length + later.length;
}

/** Adds a day's shard summaries up into its day and hour rows, per sender (one query of the day's shard rows). */
export async function rollUpDay(store: EventStore, day: string): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for await (const page of store.indexRows(shardSummaryPartitionKey(day))) rows.push(...page);
  await Promise.all(addShards(rows, day).flatMap(({ summary, shards }) => toDayRows(summary, shards).map((row) => store.upsertIndexRow(row))));
}

export async function rollUpStatistics(store: EventStore, { now, budgetMs = 8 * 60_000, retentionDays = 0 }: RollUpOptions): Promise<RollUpRun> {
  const started = performance.now();
  const today = now.toISOString().slice(0, 10);
  // A day before the horizon has lost (or is losing) its facts to retention: its summaries stay as they are.
  const horizon = factHorizon(now, retentionDays) ?? '';
  const pairs = new Map<string, { day: string; shard: string }>();
  const add = (day: string, shard: string) => {
    if (day >= horizon) pairs.set(`${day}|${shard}`, { day, shard });
  };
  for (let back = REROLLED_DAYS; back >= 0; back--) for (const shard of SHARDS) add(addDays(today, -back), shard);

  // A late fact changes its day, and the day before it (where a report it supersedes may lie).
  const markers: { partitionKey: string; rowKey: string; pair: string }[] = [];
  for await (const page of store.indexPartitionRange({ from: `${DIRTY_PARTITION}|`, to: `${DIRTY_PARTITION}}` }, 1000)) {
    for (const row of page) {
      const shard = String(row.partitionKey).split('|')[1] ?? '';
      const day = String(row.day);
      if (!SHARDS.includes(shard) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
      add(addDays(day, -1), shard);
      add(day, shard);
      markers.push({ partitionKey: String(row.partitionKey), rowKey: String(row.rowKey), pair: `${day}|${shard}` });
    }
  }

  const run: RollUpRun = { counted: 0, facts: 0, markers: 0, elapsedMs: 0, complete: true };
  const done = new Set<string>();
  // The last days first, which every read of today wants; then marked days, oldest first. A marker goes
  // only once its day and the day before are both counted, so a run that stops between them keeps it.
  const recent = addDays(today, -REROLLED_DAYS);
  const work = [...pairs.entries()].sort(([a], [b]) => Number(b >= recent) - Number(a >= recent) || (a < b ? -1 : 1));
  for (let start = 0; start < work.length; start += PAIRS_AT_ONCE) {
    if (performance.now() - started > budgetMs) {
      run.complete = false;
      break;
    }
    const batch = work.slice(start, start + PAIRS_AT_ONCE);
    const counts = await Promise.all(batch.map(([, { day, shard }]) => rollUpShard(store, day, shard, now)));
    for (const [i, [key]] of batch.entries()) {
      done.add(key);
      run.facts += counts[i]!;
      run.counted++;
    }
  }

  const days = [...new Set([...done].map((pair) => pair.split('|')[0]!))];
  for (let start = 0; start < days.length; start += PAIRS_AT_ONCE) await Promise.all(days.slice(start, start + PAIRS_AT_ONCE).map((day) => rollUpDay(store, day)));

  const settled = new Date(now.getTime() - MARKER_SETTLE_MS).toISOString().slice(0, 13);
  for (const marker of markers) {
    const [day, shard] = marker.pair.split('|') as [string, string];
    const received = marker.rowKey.split('|')[1] ?? '';
    const before = addDays(day, -1);
    const counted = day < horizon || (done.has(marker.pair) && (before < horizon || done.has(`${before}|${shard}`)));
    if (received < settled && counted) {
      run.markers += await store.deleteRows('index', marker.partitionKey, [marker.rowKey]);
    }
  }
  run.elapsedMs = Math.round(performance.now() - started);
  return run;
}
