/**
 * `npm run reindex`: rebuilds the lookup indexes from the events table, with progress. Idempotent and
 * safe while events arrive. It reads the same settings as the app (EmailEventsStorage and friends,
 * EmailEventsTable), so it runs against an Azure account too; with none set it uses the local Azurite
 * of `npm start` on its port (AZURITE_PORT, default 10002), and when none runs there, starts one for
 * the run over the same data (.azurite/). The settings are checked before any Azurite starts.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PortSettingError, azuriteConnectionString, localAzuritePort, portIsFree, startAzurite, type RunningAzurite } from './azurite.js';
import { errorFacts } from '../src/errors.js';
import { STORAGE_SETTING, namesOwnStorage, readSettings } from '../src/settings.js';
import { createEventStore } from '../src/storage/eventStore.js';
import { reindex } from '../src/storage/reindex.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * npm start's Azurite when it runs on `port` (undefined: nothing to stop), else one started for the run.
 * A second Azurite over the same .azurite/ on another port would re-index a copy the app never reads.
 */
async function azuriteForTheRun(port: number): Promise<RunningAzurite | undefined> {
  if (!(await portIsFree(port))) {
    console.log(`Using the Azurite running on port ${port}.`);
    return undefined;
  }
  const azurite = await startAzurite({ location: join(root, '.azurite'), port });
  console.log(`Azurite started for the run on port ${port}, data in .azurite/`);
  return azurite;
}

async function main(): Promise<void> {
  const azuritePort = localAzuritePort();
  const ownStorage = namesOwnStorage(process.env);
  if (!ownStorage) process.env[STORAGE_SETTING] = azuriteConnectionString(azuritePort);
  const settings = readSettings(process.env);
  const azurite = ownStorage ? undefined : await azuriteForTheRun(azuritePort);
  try {
    console.log(`Re-indexing ${settings.eventsTable} into ${settings.indexTable}…`);
    const done = await reindex(createEventStore(settings), {
      onProgress: ({ events, elapsedMs }) => console.log(`  ${events} event(s) re-indexed (${Math.round(events / (elapsedMs / 1000 || 1))}/s)`),
    });
    console.log(`Done: ${done.events} event(s) in ${(done.elapsedMs / 1000).toFixed(1)} s.`);
  } finally {
    await azurite?.stop();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof PortSettingError || (error instanceof Error && error.name === 'SettingsError');
  // Storage errors can quote request URLs: say what failed, not the error's message.
  console.error(known ? (error as Error).message : `Re-indexing failed (${JSON.stringify(errorFacts(error))}); nothing was lost, and running it again carries on.`);
  process.exitCode = 1;
});
