import type { InvocationContext, Timer } from '@azure/functions';
import { registerTimerFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';
import { STATISTICS_SCHEDULE_SETTING, appSettings } from '../settings.js';

/** Stops well before Flex Consumption's 30 minutes, and before the next run is due; the next run carries on. */
const RUN_BUDGET_MS = 8 * 60_000;

/** Timer: counts the last days' (and late facts') statistics into summary rows, so that reads grow with days, not events. */
export async function rollUpStatistics(_timer: Timer, context: InvocationContext): Promise<void> {
  const { rollUpStatistics: runRollUp } = await import('../stats/rollUp.js');
  const run = await runRollUp(await eventStore(), { now: new Date(), budgetMs: RUN_BUDGET_MS, retentionDays: appSettings().retentionDays });
  context.info(run.complete ? 'Statistics rolled up.' : 'Statistics roll-up stopped at its time budget; the next run carries on.', { ...run });
}

registerTimerFunction('rollUpStatistics', { schedule: appSettings().statisticsSchedule, handler: rollUpStatistics }, STATISTICS_SCHEDULE_SETTING);
