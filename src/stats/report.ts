/**
 * Pure shaping of GET /api/stats: counts per bucket (summed over shards), with the rates derived from
 * them, and the range's totals.
 */
import { addCounts, emptyCounts, type Counts } from './tally.js';

export type Granularity = 'day' | 'hour';

export interface StatsQuery {
  /** First and last day (UTC, YYYY-MM-DD), both included. */
  from: string;
  to: string;
  /** Normalized (trimmed, lowercased); absent for every sender. */
  sender?: string;
  granularity: Granularity;
}

export interface Rates {
  /** Delivered over the recipients counted (less Expanded ones: a distribution list whose members have their own reports). */
  deliveryRate: number | null;
  bounceRate: number | null;
  /** Unique opens (clicks) over delivered recipients; the human ones are the same without likely machine opens (clicks). */
  openRate: number | null;
  clickRate: number | null;
  humanOpenRate: number | null;
  humanClickRate: number | null;
}

export type CountsView = Counts & Rates;

export interface StatsBucket extends CountsView {
  /** The day (YYYY-MM-DD), or the hour's first instant (YYYY-MM-DDTHH:00:00Z). */
  start: string;
  /** Counted by the roll-up (`rolledUpAt` says when: the oldest of its shards), or from the live facts as read. */
  source: 'rollup' | 'live';
  rolledUpAt: string | null;
}

export interface StatisticsBody {
  from: string;
  to: string;
  granularity: Granularity;
  sender: string | null;
  /** When the answer was made. */
  generatedAt: string;
  /** The range's counts: sums of its buckets (a recipient who opens on two days is a unique open on each). */
  totals: CountsView;
  buckets: StatsBucket[];
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

function withRates(counts: Counts): CountsView {
  const delivered = counts.statuses.Delivered ?? 0;
  const attempted = counts.recipients - (counts.statuses.Expanded ?? 0);
  return {
    ...counts,
    deliveryRate: ratio(delivered, attempted),
    bounceRate: ratio(counts.statuses.Bounced ?? 0, attempted),
    openRate: ratio(counts.opens.unique, delivered),
    clickRate: ratio(counts.clicks.unique, delivered),
    humanOpenRate: ratio(counts.opens.human.unique, delivered),
    humanClickRate: ratio(counts.clicks.human.unique, delivered),
  };
}

/** The days from `from` to `to`, both included. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let time = Date.parse(`${from}T00:00:00Z`); time <= Date.parse(`${to}T00:00:00Z`); time += 86_400_000) days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

/** The buckets of a range: its days, or each day's 24 hours. */
export const bucketStarts = (query: Pick<StatsQuery, 'from' | 'to' | 'granularity'>): string[] =>
  query.granularity === 'day'
    ? daysOf(query.from, query.to)
    : daysOf(query.from, query.to).flatMap((day) => Array.from({ length: 24 }, (_, hour) => `${day}T${String(hour).padStart(2, '0')}:00:00Z`));

/** What is known of one bucket: its counts, and where they come from. */
export interface BucketCounts {
  counts: Counts;
  source: 'rollup' | 'live';
  rolledUpAt: string | null;
}

/** The body: every bucket of the range in order (an empty one as zeros), and the totals. */
export function statisticsBody(query: StatsQuery, buckets: ReadonlyMap<string, BucketCounts>, generatedAt: string): StatisticsBody {
  const totals = emptyCounts();
  const list = bucketStarts(query).map((start): StatsBucket => {
    const known = buckets.get(start) ?? { counts: emptyCounts(), source: 'live' as const, rolledUpAt: null };
    addCounts(totals, known.counts);
    return { start, source: known.source, rolledUpAt: known.rolledUpAt, ...withRates(known.counts) };
  });
  return { from: query.from, to: query.to, granularity: query.granularity, sender: query.sender ?? null, generatedAt, totals: withRates(totals), buckets: list };
}
