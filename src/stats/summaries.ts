/**
 * Pure mapping between roll-up results and their rows. Three kinds, all written by the roll-up only
 * (never by ingest), so none takes the load of a day's events:
 *
 * - `statsshard|<day>`, row `<sender key>|<shard>`: one shard's counts of the day, and each hour's, per
 *   sender and for every sender. A day's partition: the roll-up adds its shards up from one query.
 * - `statsday|<sender key>`, row `<day>`: the day's counts, summed over its shards, so that a range of
 *   days of one sender is one query of one row per day, whatever the events in it. The row of every
 *   sender says how many shards were counted (all 16: the day is counted) and when.
 * - `statshour|<sender key>`, row `<day>`: the day's counts per hour, apart, so that a read by day reads
 *   small rows.
 *
 * The sender key is `all`, or `s|<digest of the sender>`. The sender is the customer's own sending
 * address (a MailFrom address of a verified domain), not recipient data: it is kept in clear in the rows,
 * and keys carry its digest, since an address may hold characters a key may not. Statistics hold no
 * recipient address, so retention and erasure leave them.
 */
import { shortDigest } from '../sha256.js';
import type { EventEntity } from '../storage/tableEntities.js';
import type { StatsFact } from './facts.js';
import { addCounts, emptyCounts, tally, type Counts } from './tally.js';

const SHARD_SUMMARY_PARTITION = 'statsshard';
const DAY_SUMMARY_PARTITION = 'statsday';
const HOUR_SUMMARY_PARTITION = 'statshour';

const senderKey = (sender: string | null) => (sender === null ? 'all' : `s|${shortDigest(sender)}`);
export const daySummaryPartitionKey = (sender: string | null) => `${DAY_SUMMARY_PARTITION}|${senderKey(sender)}`;
export const hourSummaryPartitionKey = (sender: string | null) => `${HOUR_SUMMARY_PARTITION}|${senderKey(sender)}`;
export const shardSummaryPartitionKey = (day: string) => `${SHARD_SUMMARY_PARTITION}|${day}`;

/** The day rows of the days from `from` to `to`, both included: [from, to). */
export const dayRange = (from: string, to: string) => ({ from, to: `${to}~` });

/** What the roll-up counted of one day: of one shard (`shards` 1), or of the day's shards added up. */
export interface DaySummary {
  day: string;
  sender: string | null;
  /** The oldest count among the shards. */
  rolledAt: string;
  counts: Counts;
  /** Counts by hour (`00`–`23`), for the hours that have any. */
  hours: Record<string, Counts>;
}

const senderProperty = (sender: string | null) => (sender === null ? {} : { sender });

export const toShardSummaryRow = (summary: DaySummary, shard: string): EventEntity => ({
  partitionKey: shardSummaryPartitionKey(summary.day),
  rowKey: `${senderKey(summary.sender)}|${shard}`,
  ...senderProperty(summary.sender),
  rolledAt: summary.rolledAt,
  counts: JSON.stringify(summary.counts),
  hours: JSON.stringify(summary.hours),
});

/** A day's rows: its counts (with how many shards they cover), and its hours apart. */
export const toDayRows = (summary: DaySummary, shards: number): EventEntity[] => [
  { partitionKey: daySummaryPartitionKey(summary.sender), rowKey: summary.day, ...senderProperty(summary.sender), rolledAt: summary.rolledAt, shards, counts: JSON.stringify(summary.counts) },
  { partitionKey: hourSummaryPartitionKey(summary.sender), rowKey: summary.day, ...senderProperty(summary.sender), rolledAt: summary.rolledAt, hours: JSON.stringify(summary.hours) },
];

const json = <T>(value: unknown, fallback: T): T => (typeof value === 'string' ? (JSON.parse(value) as T) : fallback);
const senderOf = (row: Record<string, unknown>) => (typeof row.sender === 'string' ? row.sender : null);

/** A day row, or an hour row (its counts empty), read back; `shards` as it says. */
export function fromDayRow(row: Record<string, unknown>): DaySummary & { shards: number } {
  return {
    day: String(row.rowKey),
    sender: senderOf(row),
    rolledAt: String(row.rolledAt),
    shards: typeof row.shards === 'number' ? row.shards : 0,
    counts: json(row.counts, emptyCounts()),
    hours: json(row.hours, {}),
  };
}

/** The hour (`00`–`23`) a fact is counted in; an event without a time, in the first hour of the day it came. */
export const hourOf = (fact: StatsFact) => fact.occurredAt?.slice(11, 13) ?? '00';

/**
 * The summaries of one day and shard, from the facts of that day and shard and of the day after (a
 * later report of a recipient there supersedes one of this day): one for every sender, always, and
 * one for each sender with counts.
 */
export function daySummaries(facts: readonly StatsFact[], day: string, rolledAt: string): DaySummary[] {
  const summaries = new Map<string | null, DaySummary>([[null, { day, sender: null, rolledAt, counts: emptyCounts(), hours: {} }]]);
  const summaryOf = (sender: string | null) => {
    let summary = summaries.get(sender);
    if (!summary) summaries.set(sender, (summary = { day, sender, rolledAt, counts: emptyCounts(), hours: {} }));
    return summary;
  };
  for (const { sender, counts } of tally(facts, (fact) => (fact.day === day ? day : undefined))) summaryOf(sender).counts = counts;
  for (const { bucket, sender, counts } of tally(facts, (fact) => (fact.day === day ? hourOf(fact) : undefined))) summaryOf(sender).hours[bucket] = counts;
  return [...summaries.values()];
}

/**
 * A day's shard rows added up, per sender: counts are additive over shards, since a message's facts all
 * lie in one. Each sender's summary says how many shards of every sender were counted.
 */
export function addShards(rows: readonly Record<string, unknown>[], day: string): { summary: DaySummary; shards: number }[] {
  const bySender = new Map<string, DaySummary>();
  const shards = new Set<string>();
  for (const row of rows) {
    const [key, shard] = String(row.rowKey).split(/\|(?=[^|]*$)/) as [string, string];
    if (key === 'all') shards.add(shard);
    const sender = senderOf(row);
    const rolledAt = String(row.rolledAt);
    let summary = bySender.get(key);
    if (!summary) bySender.set(key, (summary = { day, sender, rolledAt, counts: emptyCounts(), hours: {} }));
    if (rolledAt < summary.rolledAt) summary.rolledAt = rolledAt;
    addCounts(summary.counts, json(row.counts, emptyCounts()));
    for (const [hour, counts] of Object.entries(json<Record<string, Counts>>(row.hours, {}))) summary.hours[hour] = addCounts(summary.hours[hour] ?? emptyCounts(), counts);
  }
  return [...bySender.values()].map((summary) => ({ summary, shards: shards.size }));
}
