/**
 * The read behind GET /api/stats: the summary rows of the range (one query of the sender's partition,
 * one of every sender's, which also says which days the roll-up has counted), and, for days it has
 * not counted yet (today before the roll-up's first run, or when it has not run), the live facts of
 * those days, counted as the roll-up counts them. With the roll-up running, a range of any length costs
 * two queries of up to 1,000 rows (a year: 6 pages each).
 */
import type { EventStore } from '../storage/eventStore.js';
import { FACT_PARTITION, SHARDS, addDays, fromStatsFactRow, type StatsFact } from './facts.js';
import { bucketStarts, daysOf, statisticsBody, type BucketCounts, type StatisticsBody, type StatsQuery } from './report.js';
import { fromSummaryRow, hourOf, summaryPartitionKey, summaryRange, type DaySummary } from './summaries.js';
import { addCounts, emptyCounts, tally } from './tally.js';

async function summaries(store: EventStore, sender: string | null, query: StatsQuery): Promise<DaySummary[]> {
  const found: DaySummary[] = [];
  for await (const page of store.indexRows(summaryPartitionKey(sender), { range: summaryRange(query.from, query.to) })) {
    for (const row of page) {
      const summary = fromSummaryRow(row);
      if (summary) found.push(summary);
    }
  }
  return found;
}

/** Runs of consecutive days: [first, last] of each. */
function runsOf(days: readonly string[]): [string, string][] {
  const runs: [string, string][] = [];
  for (const day of days) {
    const last = runs.at(-1);
    if (last && addDays(last[1], 1) === day) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}

const hourStart = (day: string, hour: string) => `${day}T${hour}:00:00Z`;

export async function readStatistics(store: EventStore, query: StatsQuery, now: Date): Promise<StatisticsBody> {
  const sender = query.sender ?? null;
  const [everySender, oneSender] = await Promise.all([summaries(store, null, query), sender === null ? undefined : summaries(store, sender, query)]);

  // A day is counted when every shard of it is; its time is that of its oldest shard's count.
  const rolled = new Map<string, { shards: Set<string>; rolledAt: string }>();
  for (const { day, shard, rolledAt } of everySender) {
    const entry = rolled.get(day) ?? { shards: new Set<string>(), rolledAt };
    entry.shards.add(shard);
    if (rolledAt < entry.rolledAt) entry.rolledAt = rolledAt;
    rolled.set(day, entry);
  }
  const isRolled = (day: string) => rolled.get(day)?.shards.size === SHARDS.length;

  const buckets = new Map<string, BucketCounts>();
  const bucket = (start: string, source: BucketCounts['source'], rolledUpAt: string | null) => {
    let known = buckets.get(start);
    if (!known) buckets.set(start, (known = { counts: emptyCounts(), source, rolledUpAt }));
    return known;
  };
  for (const summary of oneSender ?? everySender) {
    if (!isRolled(summary.day)) continue;
    const rolledUpAt = rolled.get(summary.day)!.rolledAt;
    if (query.granularity === 'day') addCounts(bucket(summary.day, 'rollup', rolledUpAt).counts, summary.counts);
    else for (const [hour, counts] of Object.entries(summary.hours)) addCounts(bucket(hourStart(summary.day, hour), 'rollup', rolledUpAt).counts, counts);
  }
  for (const start of bucketStarts(query)) if (isRolled(start.slice(0, 10))) bucket(start, 'rollup', rolled.get(start.slice(0, 10))!.rolledAt);

  const today = now.toISOString().slice(0, 10);
  const liveDays = daysOf(query.from, query.to < today ? query.to : today).filter((day) => !isRolled(day));
  const live = new Set(liveDays);
  for (const [first, last] of runsOf(liveDays)) {
    // The day after the run as well: a later report of a recipient there supersedes one of the run's last day.
    const facts: StatsFact[] = [];
    for await (const page of store.indexPartitionRange({ from: `${FACT_PARTITION}|${first}|`, to: `${FACT_PARTITION}|${addDays(last, 2)}|` }, 1000)) {
      for (const row of page) {
        const fact = fromStatsFactRow(row);
        if (fact) facts.push(fact);
      }
    }
    const bucketOf = (fact: StatsFact) => (!live.has(fact.day) ? undefined : query.granularity === 'day' ? fact.day : hourStart(fact.day, hourOf(fact)));
    for (const tallied of tally(facts, bucketOf)) if (tallied.sender === sender) addCounts(bucket(tallied.bucket, 'live', null).counts, tallied.counts);
  }
  return statisticsBody(query, buckets, now.toISOString());
}
