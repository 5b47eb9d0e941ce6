import type { InvocationContext, Timer } from '@azure/functions';
import type { SuppressionListClient } from '../suppression/armClient.js';
import { registerTimerFunction } from '../registry.js';
import { eventStore } from './onFirstUse.js';
import { SUPPRESSION_SYNC_SCHEDULE_SETTING, appSettings } from '../settings.js';

/**
 * Timer: carries the suppression list's changes into the ACS email domain's list that
 * EmailEventsSuppressionList names (nothing when it names none). Each run that found work logs what it
 * did and how far behind the sync is (the oldest change it found still to carry).
 */
/** Made on the first run and kept, so that its credential's token is reused until it expires. */
let listClient: Promise<SuppressionListClient> | undefined;

export async function syncSuppressionList(_timer: Timer, context: InvocationContext): Promise<void> {
  const { storage, suppression } = appSettings();
  const list = suppression.list;
  if (list === undefined) return;
  listClient ??= (async () => {
    const { appCredential, createSuppressionListClient } = await import('../suppression/armClient.js');
    const credential = await appCredential(storage.kind === 'identity' ? storage.clientId : undefined);
    return createSuppressionListClient(list, { endpoint: suppression.armEndpoint, credential });
  })().catch((error: unknown) => {
    listClient = undefined;
    throw error;
  });
  const { syncSuppressions } = await import('../suppression/sync.js');
  const run = await syncSuppressions(await eventStore(), await listClient, { now: new Date() });
  // An idle run (every minute) says nothing; one that found work, or was asked to wait, says what it did.
  if (run.outbox === 0 && run.throttledUntil === null) return;
  const log = run.failed > 0 || run.throttledUntil !== null ? context.warn.bind(context) : context.info.bind(context);
  log(run.throttledUntil !== null ? 'Suppression sync waits: ARM asked it to (429).' : 'Suppression sync ran.', { ...run });
}

registerTimerFunction('syncSuppressionList', { schedule: appSettings().suppression.syncSchedule, handler: syncSuppressionList }, SUPPRESSION_SYNC_SCHEDULE_SETTING);
