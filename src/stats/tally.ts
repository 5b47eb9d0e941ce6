/**
 * The pure reducer of statistics: facts (one per event, in any order, any number of times) become
 * counts per bucket (a day or an hour) and per sender. The counting rules:
 *
 * - Each recipient of a message counts once, by its latest delivery report (the message view's rule:
 *   the latest attempt, then the more final status, then a fixed order), in the bucket of that report.
 *   So a failed attempt followed by a delivery counts once, as delivered.
 * - Every open and click counts in the bucket of its own time: `total` all of them, `unique` each
 *   recipient of a message once (engagement without a recipient once per message), each split into
 *   likely machine (engagement/machineRules.ts: the user agent, or within seconds of the recipient's
 *   delivery attempt) and likely human.
 *
 * Buckets and senders are counted apart (unique opens of a day are not the sum of its hours'), and
 * counts of different shards add up: a message's facts all lie in one shard.
 */
import { timeRule } from '../engagement/machineRules.js';
import { compareTimestamps } from '../events/timestamps.js';
import { PENDING, TIE_BREAK_STATUS_ORDER } from '../status/messageStatus.js';
import type { StatsFact } from './facts.js';

export interface SplitCounts {
  total: number;
  unique: number;
}

export interface EngagementCounts extends SplitCounts {
  human: SplitCounts;
  machine: SplitCounts;
}

export interface Counts {
  /** Recipients counted by their latest report. */
  recipients: number;
  /** Recipients by the status of their latest report (a report without one is Pending). */
  statuses: Record<string, number>;
  opens: EngagementCounts;
  clicks: EngagementCounts;
}

/** Counts of one bucket for one sender, or for every sender (`sender: null`). */
export interface Tallied {
  bucket: string;
  sender: string | null;
  counts: Counts;
}

const noEngagement = (): EngagementCounts => ({ total: 0, unique: 0, human: { total: 0, unique: 0 }, machine: { total: 0, unique: 0 } });
export const emptyCounts = (): Counts => ({ recipients: 0, statuses: {}, opens: noEngagement(), clicks: noEngagement() });

const statusRank = (status: string | null) => TIE_BREAK_STATUS_ORDER.indexOf(status ?? '');
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Whether report `a` supersedes report `b`, as the message view decides it; the event digest settles a tie. */
function supersedes(a: StatsFact, b: StatsFact): boolean {
  return (compareTimestamps(a.occurredAt, b.occurredAt) || statusRank(a.status) - statusRank(b.status) || compareText(a.event, b.event)) > 0;
}

/** One fact per event: a redelivered event is one fact; an event filed under two days (it had no time) counts on the earlier. */
function distinctFacts(facts: Iterable<StatsFact>): StatsFact[] {
  const byEvent = new Map<string, StatsFact>();
  for (const fact of facts) {
    const key = `${fact.message}|${fact.event}`;
    const seen = byEvent.get(key);
    if (!seen || fact.day < seen.day) byEvent.set(key, fact);
  }
  return [...byEvent.values()];
}

/**
 * Counts per bucket and sender. `bucketOf` names a fact's bucket from its day and time; a fact whose
 * bucket it leaves undefined is not counted (it may still be some recipient's report, or the
 * delivery attempt the time rule compares an open with).
 */
export function tally(facts: Iterable<StatsFact>, bucketOf: (fact: StatsFact) => string | undefined): Tallied[] {
  const distinct = distinctFacts(facts);
  const latest = new Map<string, StatsFact>();
  const recipientsOfMessage = new Map<string, Set<string>>();
  for (const fact of distinct) {
    if (fact.kind !== 'delivery') continue;
    const key = `${fact.message}|${fact.recipient ?? ''}`;
    const current = latest.get(key);
    if (!current || supersedes(fact, current)) latest.set(key, fact);
    const recipients = recipientsOfMessage.get(fact.message) ?? new Set<string>();
    recipients.add(key);
    recipientsOfMessage.set(fact.message, recipients);
  }

  const tallies = new Map<string, { tallied: Tallied; unique: Map<string, Set<string>> }>();
  const countsOf = (bucket: string, sender: string | null) => {
    const key = `${bucket}\u0000${sender ?? ''}\u0000${sender === null ? 'all' : 'one'}`;
    let entry = tallies.get(key);
    if (!entry) tallies.set(key, (entry = { tallied: { bucket, sender, counts: emptyCounts() }, unique: new Map() }));
    return entry;
  };
  const senders = (fact: StatsFact) => (fact.sender === null ? [null] : [null, fact.sender]);

  for (const report of latest.values()) {
    const bucket = bucketOf(report);
    if (bucket === undefined) continue;
    const status = report.status || PENDING;
    for (const sender of senders(report)) {
      const { counts } = countsOf(bucket, sender).tallied;
      counts.recipients++;
      counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
    }
  }

  /** The attempt an engagement is measured against: its recipient's latest report, or the only recipient's when it names none. */
  const attemptOf = (engagement: StatsFact): string | null => {
    if (engagement.recipient !== null) return latest.get(`${engagement.message}|${engagement.recipient}`)?.occurredAt ?? null;
    const recipients = recipientsOfMessage.get(engagement.message);
    return recipients?.size === 1 ? (latest.get([...recipients][0]!)?.occurredAt ?? null) : null;
  };

  for (const engagement of distinct) {
    if (engagement.kind !== 'engagement') continue;
    const kind = engagement.engagementType === 'view' ? 'opens' : engagement.engagementType === 'click' ? 'clicks' : undefined;
    const bucket = bucketOf(engagement);
    if (kind === undefined || bucket === undefined) continue;
    const machine = (engagement.userAgentRule ?? timeRule(engagement.occurredAt, attemptOf(engagement))) !== undefined;
    const who = `${engagement.message}|${engagement.recipient ?? ''}`;
    for (const sender of senders(engagement)) {
      const entry = countsOf(bucket, sender);
      const counts = entry.tallied.counts[kind];
      const split = machine ? counts.machine : counts.human;
      counts.total++;
      split.total++;
      for (const [name, tally] of [[kind, counts], [`${kind}|${machine}`, split]] as const) {
        const seen = entry.unique.get(name) ?? new Set<string>();
        if (!seen.has(who)) {
          seen.add(who);
          tally.unique++;
        }
        entry.unique.set(name, seen);
      }
    }
  }
  return [...tallies.values()].map((entry) => entry.tallied);
}

const addSplit = (into: SplitCounts, from: SplitCounts) => {
  into.total += from.total;
  into.unique += from.unique;
};

function addEngagement(into: EngagementCounts, from: EngagementCounts): void {
  addSplit(into, from);
  addSplit(into.human, from.human);
  addSplit(into.machine, from.machine);
}

/** Adds `from` into `into`: counts of other shards, or other days of a range. */
export function addCounts(into: Counts, from: Counts): Counts {
  into.recipients += from.recipients;
  for (const [status, count] of Object.entries(from.statuses)) into.statuses[status] = (into.statuses[status] ?? 0) + count;
  addEngagement(into.opens, from.opens);
  addEngagement(into.clicks, from.clicks);
  return into;
}
