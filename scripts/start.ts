/**
 * `npm start`: Azurite with its data under .azurite/ (unless EmailEventsStorage names another account),
 * then `func start` where Azure Functions Core Tools is on PATH, else the project's local host, on
 * http://127.0.0.1:7071 (PORT moves it; HOST=0.0.0.0 opens it to the network). Ctrl-C stops everything it started. Every problem at start-up
 * is one line on stderr and exit code 1, and stops whatever had been started; the settings and the
 * ports are checked first, so a bad one starts nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// Only what does not need the built app is imported here; the rest is loaded once the build is found.
import {
  AZURITE_PORT_SETTING,
  AZURITE_TABLE_PORT,
  PortSettingError,
  azuriteConnectionString,
  localAzuritePort,
  portIsFree,
  portSetting,
  startAzurite,
  type RunningAzurite,
} from './azurite.js';
import { silenceTestModeWarnings } from './testModeWarnings.js';

import type { PlatformUser } from './localSignIn.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

class StartError extends Error {}

/** What npm start has started, so that one shutdown path stops it all, whenever it comes. */
let azurite: RunningAzurite | undefined;
let host: Server | undefined;
let func: ChildProcess | undefined;
let stopped: Promise<void> | undefined;

/** Stops everything started so far, once however many paths ask at the same time, then exits. */
async function stopEverything(exitCode: number): Promise<never> {
  stopped ??= (async () => {
    host?.close();
    host?.closeAllConnections();
    if (func && func.exitCode === null && func.signalCode === null) {
      const exited = new Promise((done) => func!.once('exit', done));
      func.kill('SIGINT');
      await exited;
    }
    await azurite?.stop();
  })();
  await stopped;
  process.exit(exitCode);
}

const portInUse = (port: number) => `Port ${port} is in use: stop what uses it, or set PORT to another port.`;

/**
 * The app's port is checked before Azurite starts: finding it taken only when the app listens would
 * mean starting Azurite over .azurite/ for nothing. It is probed as the app listens: on `host`, or
 * under func start on every interface.
 */
async function checkPortIsFree(port: number, host?: string): Promise<void> {
  if (!(await portIsFree(port, host === undefined ? { everyInterface: true } : { host }))) throw new StartError(portInUse(port));
}

/** Where the local host listens unless HOST says otherwise: this machine only, since it checks no function key. */
const LOOPBACK = '127.0.0.1';

/**
 * The address the local host listens on (HOST): the loopback address by default, as Core Tools' own
 * local runs do, because the local host checks no function key and would open the admin routes (erasure,
 * retention) to anyone on the network. HOST=0.0.0.0 listens on every IPv4 interface.
 */
function listenHost(): string {
  const host = process.env.HOST;
  if (host === undefined || host === '') return LOOPBACK;
  if (isIP(host) === 0) throw new StartError(`Setting HOST must be an IP address to listen on: ${LOOPBACK} (the default, this machine only) or 0.0.0.0 (every interface).`);
  return host;
}

/** The local host's base URL, for the lines npm start prints; an address of every interface is reached as localhost. */
function baseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? 'localhost' : isIP(host) === 6 ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

function hasFunc(): boolean {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', ['func'], { stdio: 'ignore' }).status === 0;
}

/** Core Tools' settings file, created from the example on first use. */
function localSettingsValues(): Record<string, string> {
  const file = join(root, 'local.settings.json');
  if (!existsSync(file)) {
    copyFileSync(join(root, 'local.settings.example.json'), file);
    console.log('Created local.settings.json from local.settings.example.json.');
  }
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> }).Values ?? {};
  } catch {
    throw new StartError('local.settings.json is not valid JSON: fix it, or delete it to start again from local.settings.example.json.');
  }
}

/** The app's settings module, loaded once the build is known to be there. */
type SettingsModule = typeof import('../src/settings.js');
const loadSettingsModule = (): Promise<SettingsModule> => import('../src/settings.js');

async function startLocalAzurite(settings: SettingsModule, withBlobAndQueue: boolean, tablePort = AZURITE_TABLE_PORT): Promise<void> {
  // func start's host needs Blob and Queue too (AzureWebJobsStorage); the local host only tables.
  const ports = withBlobAndQueue ? [tablePort - 2, tablePort - 1, tablePort] : [tablePort];
  for (const port of ports) {
    if (!(await portIsFree(port))) {
      // Under func start Azurite cannot move: UseDevelopmentStorage=true looks for it on its default ports.
      const elsewhere = withBlobAndQueue
        ? `or point ${settings.STORAGE_SETTING} and ${settings.FALLBACK_STORAGE_SETTING} at a storage account of your own (${AZURITE_PORT_SETTING} moves Azurite only for the local host)`
        : `set ${AZURITE_PORT_SETTING} to another port for npm start's Azurite (AZURITE_PORT=10012 npm start), or set ${settings.STORAGE_SETTING} to the storage account to use`;
      throw new StartError(`Port ${port} (Azurite) is in use: stop what uses it, ${elsewhere}.`);
    }
  }
  const location = join(root, '.azurite');
  mkdirSync(location, { recursive: true });
  azurite = await startAzurite({ location, port: tablePort, withBlobAndQueue });
  console.log(`Azurite on http://127.0.0.1:${ports.join(', ')}, data in .azurite/`);
}

async function runFunc(port: number, azuritePort: number): Promise<number> {
  if (azuritePort !== AZURITE_TABLE_PORT) {
    throw new StartError(`Setting ${AZURITE_PORT_SETTING} works only with the local host: under func start, UseDevelopmentStorage=true looks for Azurite on ${AZURITE_TABLE_PORT}.`);
  }
  const settings = await loadSettingsModule();
  // Core Tools gives the worker these values, except where the environment already sets one.
  const values = { ...localSettingsValues(), ...process.env };
  settings.readSettings(values);
  // The Functions host itself needs AzureWebJobsStorage, which the example points at Azurite.
  const needsAzurite = !settings.namesOwnStorage(values) || settings.isDevelopmentStorage(values[settings.FALLBACK_STORAGE_SETTING]);
  await checkPortIsFree(port);
  if (needsAzurite) await startLocalAzurite(settings, true);
  console.log('Azure Functions Core Tools found: running func start.');
  const child = spawn('func', ['start', '--port', String(port)], { cwd: root, stdio: 'inherit', env: process.env });
  func = child;
  return new Promise<number>((done, failed) => {
    child.once('error', (error) => failed(new StartError(`func start could not run: ${error.message}`)));
    child.once('exit', (exitCode) => done(exitCode ?? 0));
  });
}

async function runLocalHost(port: number, azuritePort: number, listenOn: string): Promise<void> {
  const settings = await loadSettingsModule();
  const ownStorage = settings.namesOwnStorage(process.env);
  if (!ownStorage) process.env[settings.STORAGE_SETTING] = azuriteConnectionString(azuritePort);
  settings.readSettings(process.env);
  // Loaded only now: the entry point checks the settings, which are complete only from here on.
  // The local host serves the registrations that @azure/functions' test mode only records (testModeWarnings.ts).
  const restoreWarnings = silenceTestModeWarnings();
  try {
    await import('../src/index.js');
  } finally {
    restoreWarnings();
  }
  const { registeredFunctions } = await import('../src/registry.js');
  const { createLocalHost, routesOf } = await import('./localHost.js');
  // It reads the timers' schedules: like every setting and the port, before Azurite starts.
  const signedInAs = await localSignIn();
  const server = createLocalHost(registeredFunctions(), console.log, { signedInAs });
  host = server;
  await checkPortIsFree(port, listenOn);
  if (ownStorage) console.log(`Using the storage account that ${settings.STORAGE_SETTING} names.`);
  else await startLocalAzurite(settings, false, azuritePort);
  // Something may have taken the port since the check: then Azurite stops, as on any failure.
  await new Promise<void>((listening, failed) => {
    server.once('error', (error: NodeJS.ErrnoException) => failed(error.code === 'EADDRINUSE' ? new StartError(portInUse(port)) : error));
    server.listen(port, listenOn, listening);
  });
  const where = listenOn === LOOPBACK ? 'this machine only; HOST=0.0.0.0 opens it to the network' : 'open to the network: it checks no function key';
  console.log(`Local Functions host (Core Tools not found) listening on ${listenOn}:${port} (${where}):`);
  for (const route of routesOf(registeredFunctions())) console.log(`  ${route.name}: ${route.methods.join(',')} ${baseUrl(listenOn, port)}${route.path}`);
  if (signedInAs) console.log(`Signed in as ${signedInAs.name}, with ${signedInAs.roles.length ? `the role ${signedInAs.roles.join(', ')}` : 'no role'}: use the routes under /api/signed-in/.`);
  console.log('Press Ctrl-C to stop.');
}

/**
 * The person the local host signs in as (EmailEventsLocalSignIn), if any. The local host then stands
 * in for App Service Authentication, and says so to the app as the platform does.
 */
async function localSignIn(): Promise<PlatformUser | undefined> {
  const [{ localUserOf }, { PLATFORM_AUTH_SETTING }] = await Promise.all([import('./localSignIn.js'), import('../src/auth/caller.js')]);
  const user = localUserOf(process.env);
  if (user) process.env[PLATFORM_AUTH_SETTING] = 'True';
  return user;
}

async function main(): Promise<void> {
  // From the first step on, Ctrl-C, a SIGTERM or a closed terminal (SIGHUP) stops whatever has been
  // started by then. Later signals change nothing: Azurite is saving, and stopping it then would lose data.
  let stopping = false;
  // A closed terminal takes stdout and stderr with it; failing to write there must not cut the stop short.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const onSignal = () => {
    console.log(stopping ? 'Still stopping: waiting for what was started to save and exit.' : 'Stopping…');
    stopping = true;
    void stopEverything(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  if (!existsSync(join(here, '../src/index.js'))) {
    throw new StartError('The app is not built (dist/src/index.js is missing): run npm run build, or npm start, which builds first.');
  }
  const port = portSetting('PORT', 7071);
  const azuritePort = localAzuritePort();
  // Signing in locally is the local host's stand-in for App Service Authentication; func start has none.
  const { LOCAL_SIGN_IN_SETTING } = await import('./localSignIn.js');
  if (process.env[LOCAL_SIGN_IN_SETTING]?.trim()) console.log(`${LOCAL_SIGN_IN_SETTING} is set: running the local host, which signs you in (func start cannot).`);
  else if (hasFunc()) {
    await stopEverything(await runFunc(port, azuritePort));
  }
  await runLocalHost(port, azuritePort, listenHost());
}

main().catch(async (error: unknown) => {
  const known = error instanceof StartError || error instanceof PortSettingError || (error instanceof Error && error.name === 'SettingsError');
  console.error(known ? (error as Error).message : `Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopEverything(1);
});
