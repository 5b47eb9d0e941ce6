/**
 * The read behind GET /api/stats: the day rows of the range (one query of every sender's, which also
 * says which days the roll-up has counted, and one of the sender's, or of the hours), and, for days it
 * has not counted yet (today before the roll-up's first run, or when it has not run), the live facts of
 * those days, counted as the roll-up counts them. With the roll-up running, a range costs one or two
 * queries of a row per day, whatever the events in it.
 */
import type { EventStore } from '../storage/eventStore.js';
import { FACT_PARTITION, SHARDS, addDays, fromStatsFactRow, type StatsFact } from './facts.js';
import { bucketStarts, daysOf, statisticsBody, type BucketCounts, type StatisticsBody, type StatsQuery } from './report.js';
import { dayRange, daySummaryPartitionKey, fromDayRow, hourOf, hourSummaryPartitionKey } from './summaries.js';
import { addCounts, emptyCounts, tally } from './tally.js';

async function dayRows(store: EventStore, partitionKey: string, query: StatsQuery) {
  const found: ReturnType<typeof fromDayRow>[] = [];
  for await (const page of store.indexRows(partitionKey, { range: dayRange(query.from, query.to) })) for (const row of page) found.push(fromDayRow(row));
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
  const hourly = query.granularity === 'hour';
  // Every sender's day rows say which days are counted; the sender's own (day or hour) rows hold the counts.
  const [everySender, counted] = await Promise.all([
    dayRows(store, daySummaryPartitionKey(null), query),
    sender === null && !hourly ? undefined : dayRows(store, hourly ? hourSummaryPartitionKey(sender) : daySummaryPartitionKey(sender), query),
  ]);
  const rolled = new Map(everySender.filter((row) => row.shards === SHARDS.length).map((row) => [row.day, row.rolledAt]));

  const buckets = new Map<string, BucketCounts>();
  const bucket = (start: string, source: BucketCounts['source'], rolledUpAt: string | null) => {
    let known = buckets.get(start);
    if (!known) buckets.set(start, (known = { counts: emptyCounts(), source, rolledUpAt }));
    return known;
  };
  for (const start of bucketStarts(query)) {
    const rolledUpAt = rolled.get(start.slice(0, 10));
    if (rolledUpAt !== undefined) bucket(start, 'rollup', rolledUpAt);
  }
  for (const summary of counted ?? everySender) {
    const rolledUpAt = rolled.get(summary.day);
    if (rolledUpAt === undefined) continue;
    if (!hourly) addCounts(bucket(summary.day, 'rollup', rolledUpAt).counts, summary.counts);
    else for (const [hour, counts] of Object.entries(summary.hours)) addCounts(bucket(hourStart(summary.day, hour), 'rollup', rolledUpAt).counts, counts);
  }

  const today = now.toISOString().slice(0, 10);
  const liveDays = daysOf(query.from, query.to < today ? query.to : today).filter((day) => !rolled.has(day));
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
    const bucketOf = (fact: StatsFact) => (!live.has(fact.day) ? undefined : hourly ? hourStart(fact.day, hourOf(fact)) : fact.day);
    for (const tallied of tally(facts, bucketOf)) if (tallied.sender === sender) addCounts(bucket(tallied.bucket, 'live', null).counts, tallied.counts);
  }
  return statisticsBody(query, buckets, now.toISOString());
}
