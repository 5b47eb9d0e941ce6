/**
 * The time that decides when an event's data expires. Pure.
 *
 * An event's own time (attempt or action time) decides, as long as it is no later than when the app
 * received the event (plus a little clock skew between ACS and the app): an open stamped 2099 must
 * not keep its message for ever. An event dated in the past is data about the past, and expires by its
 * own time: that only deletes sooner.
 */
import { compareTimestamps } from '../events/timestamps.js';

/** How far ACS's clock may run ahead of the app's before an event's time is not believed for retention. */
export const CLOCK_SKEW_MS = 60 * 60 * 1000;

/**
 * The event's time, or when it was received where it has none or where its time is later than that
 * (plus CLOCK_SKEW_MS). Null only when neither is known.
 */
export function retentionTime(occurredAt: string | null, receivedAt: string | null): string | null {
  if (receivedAt === null || occurredAt === null) return occurredAt ?? receivedAt;
  const received = Date.parse(receivedAt);
  if (Number.isNaN(received)) return occurredAt;
  return compareTimestamps(occurredAt, new Date(received + CLOCK_SKEW_MS).toISOString()) > 0 ? receivedAt : occurredAt;
}
