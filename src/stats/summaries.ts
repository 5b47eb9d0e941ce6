/**
 * Pure mapping between roll-up results and their rows: one row per sender (and one for every sender),
 * per day and shard, in the partition of the sender, keyed by day, so that a range of days of one
 * sender is one query whatever the events in it.
 *
 * - `statsday|all`: every sender. The roll-up writes this row for every shard of every day it counts,
 *   events or none, so it also says which days are counted.
 * - `statsday|s|<digest of the sender>`: one sender. The sender is the customer's own sending address
 *   (a MailFrom address of a verified domain), not recipient data; it is kept in clear in the row, and
 *   keys carry its digest, since an address may hold characters a key may not.
 *
 * A row holds the day's counts and each hour's, as JSON. Statistics hold no recipient address, so
 * retention and erasure leave them.
 */
import { shortDigest } from '../sha256.js';
import type { EventEntity } from '../storage/tableEntities.js';
import type { StatsFact } from './facts.js';
import { emptyCounts, tally, type Counts } from './tally.js';

export const SUMMARY_PARTITION = 'statsday';

export const summaryPartitionKey = (sender: string | null) => (sender === null ? `${SUMMARY_PARTITION}|all` : `${SUMMARY_PARTITION}|s|${shortDigest(sender)}`);

/** The summary rows of the days from `from` to `to`, both included: [from, to). */
export const summaryRange = (from: string, to: string) => ({ from: `${from}|`, to: `${to}}` });

export interface DaySummary {
  day: string;
  shard: string;
  sender: string | null;
  rolledAt: string;
  counts: Counts;
  /** Counts by hour (`00`–`23`), for the hours that have any. */
  hours: Record<string, Counts>;
}

export function toSummaryRow(summary: DaySummary): EventEntity {
  return {
    partitionKey: summaryPartitionKey(summary.sender),
    rowKey: `${summary.day}|${summary.shard}`,
    ...(summary.sender === null ? {} : { sender: summary.sender }),
    rolledAt: summary.rolledAt,
    counts: JSON.stringify(summary.counts),
    hours: JSON.stringify(summary.hours),
  };
}

/** The summary a row holds, or undefined for a row that is not one. */
export function fromSummaryRow(row: Record<string, unknown>): DaySummary | undefined {
  const [day, shard] = String(row.rowKey).split('|');
  if (day === undefined || shard === undefined || typeof row.counts !== 'string' || typeof row.hours !== 'string') return undefined;
  return {
    day,
    shard,
    sender: typeof row.sender === 'string' ? row.sender : null,
    rolledAt: String(row.rolledAt),
    counts: JSON.parse(row.counts) as Counts,
    hours: JSON.parse(row.hours) as Record<string, Counts>,
  };
}

/** The hour (`00`–`23`) a fact is counted in; an event without a time, in the first hour of the day it came. */
export const hourOf = (fact: StatsFact) => fact.occurredAt?.slice(11, 13) ?? '00';

/**
 * The summaries of one day and shard, from the facts of that day and shard and of the day after (a
 * later report of a recipient there supersedes one of this day): one for every sender, always, and
 * one for each sender with counts.
 */
export function daySummaries(facts: readonly StatsFact[], day: string, shard: string, rolledAt: string): DaySummary[] {
  const summaries = new Map<string | null, DaySummary>([[null, { day, shard, sender: null, rolledAt, counts: emptyCounts(), hours: {} }]]);
  const summaryOf = (sender: string | null) => {
    let summary = summaries.get(sender);
    if (!summary) summaries.set(sender, (summary = { day, shard, sender, rolledAt, counts: emptyCounts(), hours: {} }));
    return summary;
  };
  for (const { sender, counts } of tally(facts, (fact) => (fact.day === day ? day : undefined))) summaryOf(sender).counts = counts;
  for (const { bucket, sender, counts } of tally(facts, (fact) => (fact.day === day ? hourOf(fact) : undefined))) summaryOf(sender).hours[bucket] = counts;
  return [...summaries.values()];
}
