/**
 * How far back statistics facts are kept: the days of the retention window, as events are. A day
 * before the horizon keeps only its summaries (aggregates, kept for ever): retention deletes its facts
 * once it is rolled up, and the roll-up never counts it again, since facts of it that come back (a
 * re-index of an old event of a message that lives on, a replayed dead-letter) are only part of it.
 */
import { retentionCutoff } from '../retention/policy.js';

/** The first day (YYYY-MM-DD) whose facts are kept, or undefined when retention is off (0 days). */
export function factHorizon(now: Date, retentionDays: number): string | undefined {
  return retentionCutoff(now, retentionDays)?.slice(0, 10);
}
