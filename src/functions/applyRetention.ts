import type { InvocationContext, Timer } from '@azure/functions';
import { registerTimerFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';
import { RETENTION_SCHEDULE_SETTING, appSettings } from '../settings.js';

/**
 * Flex Consumption stops a function after 30 minutes by default; a run stops well before, and the next
 * run carries on where it stopped.
 */
const RUN_BUDGET_MS = 10 * 60_000;

/** Timer: deletes what is older than EmailEventsRetentionDays, and applies erasures again after Event Grid's retry window. */
export async function applyRetention(_timer: Timer, context: InvocationContext): Promise<void> {
  const { retentionDays } = appSettings();
  const { applyRetention: runRetention } = await import('../retention/retention.js');
  const run = await runRetention(await eventStore(), { now: new Date(), days: retentionDays, budgetMs: RUN_BUDGET_MS });
  context.info(
    run.complete ? 'Retention applied.' : 'Retention stopped at its time budget; the next run carries on.',
    { retentionDays, ...run },
  );
}

registerTimerFunction('applyRetention', { schedule: appSettings().retentionSchedule, handler: applyRetention }, RETENTION_SCHEDULE_SETTING);
