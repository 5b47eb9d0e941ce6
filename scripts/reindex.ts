/**
 * `npm run reindex`: rebuilds the lookup indexes from the events table, with progress. Idempotent and
 * safe while events arrive. It reads the same settings as the app (EmailEventsStorage and friends,
 * EmailEventsTable), so it runs against an Azure account too; with none set it uses the local
 * Azurite of `npm start` (data under .azurite/), starting it for the run when it is not running.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { azuriteConnectionString, portIsFree, startAzurite, type RunningAzurite } from './azurite.js';
import { errorFacts } from '../src/errors.js';
import { STORAGE_SETTING, namesOwnStorage, readSettings } from '../src/settings.js';
import { createEventStore } from '../src/storage/eventStore.js';
import { reindex } from '../src/storage/reindex.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const AZURITE_TABLE_PORT = 10002;

async function main(): Promise<void> {
  let azurite: RunningAzurite | undefined;
  if (!namesOwnStorage(process.env)) {
    process.env[STORAGE_SETTING] = azuriteConnectionString(AZURITE_TABLE_PORT);
    if (await portIsFree(AZURITE_TABLE_PORT)) {
      azurite = await startAzurite({ location: join(root, '.azurite'), port: AZURITE_TABLE_PORT });
      console.log('Azurite started for the run, data in .azurite/');
    } else {
      console.log(`Using the Azurite on port ${AZURITE_TABLE_PORT}.`);
    }
  }
  try {
    const settings = readSettings(process.env);
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
  const known = error instanceof Error && error.name === 'SettingsError';
  // Storage errors can quote request URLs: say what failed, not the error's message.
  console.error(known ? (error as Error).message : `Re-indexing failed (${JSON.stringify(errorFacts(error))}); nothing was lost, and running it again carries on.`);
  process.exitCode = 1;
});
