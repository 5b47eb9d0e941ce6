/**
 * `npm start`: Azurite's Table service with its data under .azurite/ (unless EmailEventsStorage names
 * another account), then `func start` where Azure Functions Core Tools is on PATH, else the project's
 * local host, on http://localhost:7071 (PORT moves the local host). Ctrl-C stops everything it started.
 * Every problem at start-up is one line on stderr and exit code 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSettings, SettingsError, STORAGE_SETTING } from '../src/settings.js';
import { azuriteConnectionString, startAzurite, type RunningAzurite } from './azurite.js';
import { createLocalHost, routesOf } from './localHost.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Azurite's default table port, where UseDevelopmentStorage=true looks. */
const AZURITE_TABLE_PORT = 10002;

class StartError extends Error {}

function portNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new StartError(`Setting ${name} must be a port number from 1 to 65535.`);
  return port;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

function hasFunc(): boolean {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', ['func'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  const entryPoint = join(root, 'dist/src/index.js');
  if (!existsSync(entryPoint)) throw new StartError('The app is not built (dist/src/index.js is missing): run npm run build, or npm start, which builds first.');
  const port = portNumber('PORT', 7071);

  const useFunc = hasFunc();
  let azurite: RunningAzurite | undefined;
  if (!process.env[STORAGE_SETTING]) {
    const location = join(root, '.azurite');
    mkdirSync(location, { recursive: true });
    // func start's host needs Blob and Queue too (AzureWebJobsStorage); the local host only tables.
    const ports = useFunc ? [AZURITE_TABLE_PORT - 2, AZURITE_TABLE_PORT - 1, AZURITE_TABLE_PORT] : [AZURITE_TABLE_PORT];
    for (const azuritePort of ports) {
      if (!(await portIsFree(azuritePort))) {
        throw new StartError(`Port ${azuritePort} (Azurite) is in use: stop what uses it, or set ${STORAGE_SETTING} to the storage account to use.`);
      }
    }
    process.env[STORAGE_SETTING] = azuriteConnectionString(AZURITE_TABLE_PORT);
    readSettings(process.env);
    azurite = await startAzurite({ location, port: AZURITE_TABLE_PORT, withBlobAndQueue: useFunc });
    console.log(`Azurite on http://127.0.0.1:${ports.join(', ')}, data in .azurite/`);
  } else {
    readSettings(process.env);
    console.log(`Using the storage account in ${STORAGE_SETTING}.`);
  }

  const stopAzurite = async () => {
    await azurite?.stop();
  };
  if (!(await portIsFree(port))) {
    await stopAzurite();
    throw new StartError(`Port ${port} is in use: stop what uses it, or set PORT to another port.`);
  }

  if (useFunc) {
    const settingsFile = join(root, 'local.settings.json');
    if (!existsSync(settingsFile)) {
      copyFileSync(join(root, 'local.settings.example.json'), settingsFile);
      console.log('Created local.settings.json from local.settings.example.json.');
    }
    console.log('Azure Functions Core Tools found: running func start.');
    const func = spawn('func', ['start', '--port', String(port)], { cwd: root, stdio: 'inherit', env: process.env });
    const stop = () => func.kill('SIGINT');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const code = await new Promise<number>((done) => func.once('exit', (exitCode) => done(exitCode ?? 0)));
    await stopAzurite();
    process.exit(code);
  }

  // Loaded only now: the entry point checks the settings, which are complete only from here on.
  await import('../src/index.js');
  const { registeredFunctions } = await import('../src/registry.js');
  const host = createLocalHost(registeredFunctions());
  await new Promise<void>((listening, failed) => {
    host.once('error', failed);
    host.listen(port, listening);
  });
  console.log(`Local Functions host (Core Tools not found) on http://localhost:${port}:`);
  for (const route of routesOf(registeredFunctions())) console.log(`  ${route.name}: ${route.methods.join(',')} http://localhost:${port}${route.path}`);
  console.log('Press Ctrl-C to stop.');

  const shutdown = async () => {
    console.log('Stopping…');
    host.close();
    host.closeAllConnections();
    await stopAzurite();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  const known = error instanceof StartError || error instanceof SettingsError;
  console.error(known ? (error as Error).message : `Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
