/**
 * Statistics facts follow event retention: the facts and late-fact markers of the days before the
 * horizon (horizon.ts) are deleted, each day once its summaries cover all its shards (a day the roll-up
 * never counted, say while the timer was down, is counted first), so its numbers stay as they were.
 *
 * The old days' facts are found by one range query over their partitions, so the cost grows with what
 * is deleted, not with what is kept. Days go oldest first, and a day's facts only after its summaries
 * are whole: a run that stops anywhere is finished by the next, and counts nothing twice.
 */
import { addRow, type RowsByPartition } from '../retention/policy.js';
import type { EventStore } from '../storage/eventStore.js';
import { FACT_PARTITION, SHARDS, dirtyPartitionKey } from './facts.js';
import { factHorizon } from './horizon.js';
import { rollUpDay, rollUpShard } from './rollUp.js';
import { dayRange, daySummaryPartitionKey, fromDayRow } from './summaries.js';

export interface FactExpiry {
  /** Fact rows and late-fact markers deleted. */
  rows: number;
  /** Days counted first, because their summaries did not cover every shard. */
  daysRolledUp: number;
  /** False when it stopped because the run's time was up. */
  complete: boolean;
}

export interface FactExpiryOptions {
  now: Date;
  /** The retention window; 0 keeps every fact. */
  days: number;
  /** Says when the run's time is up. */
  outOfTime: () => boolean;
}

/** Whether a day's summaries cover all its shards (one point read of every sender's day row). */
async function isRolledUp(store: EventStore, day: string): Promise<boolean> {
  for await (const page of store.indexRows(daySummaryPartitionKey(null), { range: dayRange(day, day) })) {
    for (const row of page) if (fromDayRow(row).shards === SHARDS.length) return true;
  }
  return false;
}

export async function expireFacts(store: EventStore, { now, days, outOfTime }: FactExpiryOptions): Promise<FactExpiry> {
  const expiry: FactExpiry = { rows: 0, daysRolledUp: 0, complete: true };
  const horizon = factHorizon(now, days);
  if (horizon === undefined) return expiry;

  const ready = new Set<string>();
  const readyToGo = async (day: string) => {
    if (ready.has(day)) return;
    if (!(await isRolledUp(store, day))) {
      await Promise.all(SHARDS.map((shard) => rollUpShard(store, day, shard, now)));
      await rollUpDay(store, day);
      expiry.daysRolledUp++;
    }
    ready.add(day);
  };

  // Partition keys `stats|<day>|<shard>` sort by day; `statsday|…` and the like sort before `stats|`.
  for await (const page of store.indexPartitionRange({ from: `${FACT_PARTITION}|`, to: `${FACT_PARTITION}|${horizon}` }, 1000)) {
    if (outOfTime()) return { ...expiry, complete: false };
    const byPartition: RowsByPartition = new Map();
    for (const row of page) addRow(byPartition, String(row.partitionKey), String(row.rowKey));
    for (const [partitionKey, rowKeys] of byPartition) {
      await readyToGo(partitionKey.split('|')[1]!);
      expiry.rows += await store.deleteRows('index', partitionKey, rowKeys);
    }
  }

  // Markers of those days (row key `<day>|<hour received>`): the roll-up does not count such days again.
  for (const shard of SHARDS) {
    const partitionKey = dirtyPartitionKey(shard);
    for await (const page of store.indexRows(partitionKey, { range: { from: '', to: horizon } })) {
      if (page.length > 0) expiry.rows += await store.deleteRows('index', partitionKey, page.map((row) => String(row.rowKey)));
    }
  }
  return expiry;
}
