/**
 * Pure: a day's messages, each counted as that day's statistics count it (tally.ts), so that the
 * entries of a day add up to the day's numbers. A message is listed on a day when it counts there: a
 * recipient whose latest report is that day's, or an open or click that day (the opens of yesterday's
 * mail are today's). Its facts of the day after come in too, because a recipient's later report there
 * moves the recipient to that day, as it does in the statistics.
 */
import { compareTimestamps } from '../events/timestamps.js';
import type { StatsFact } from './facts.js';
import { tally, type Counts } from './tally.js';

export interface DayMessage extends Counts {
  messageId: string;
  /** The sending address, trimmed and lowercased, as the statistics group by it. */
  sender: string | null;
  /** The time of the message's latest event of the day. */
  lastEventAt: string | null;
}

/** A listed message and its digest: where the list goes on from. */
export interface DayMessageEntry {
  digest: string;
  message: DayMessage;
}

/** Whether a message counts anywhere in a day's numbers. */
const counts = (entry: Counts) => entry.recipients > 0 || entry.opens.total > 0 || entry.clicks.total > 0;

/**
 * The entries of the messages whose facts are given (of `day` and of the day after), in digest order,
 * leaving out those that do not count on `day` and those whose facts keep no message id.
 */
export function dayMessageEntries(facts: Iterable<StatsFact>, day: string): DayMessageEntry[] {
  const byMessage = new Map<string, StatsFact[]>();
  for (const fact of facts) {
    const own = byMessage.get(fact.message);
    if (own) own.push(fact);
    else byMessage.set(fact.message, [fact]);
  }
  const entries: DayMessageEntry[] = [];
  for (const [digest, own] of [...byMessage].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ofDay = own.filter((fact) => fact.day === day);
    const messageId = own.find((fact) => fact.messageId !== null)?.messageId ?? null;
    const counted = tally(own, (fact) => (fact.day === day ? day : undefined)).find((tallied) => tallied.sender === null)?.counts;
    if (messageId === null || counted === undefined || !counts(counted)) continue;
    const lastEventAt = ofDay.map((fact) => fact.occurredAt).reduce<string | null>((latest, at) => (compareTimestamps(at, latest) > 0 ? at : latest), null);
    entries.push({ digest, message: { messageId, sender: ofDay.find((fact) => fact.sender !== null)?.sender ?? null, lastEventAt, ...counted } });
  }
  return entries;
}
