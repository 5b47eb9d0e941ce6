/**
 * Azurite's Table service as a child process, for `npm start`, the tests and the benchmark.
 * Stopped with SIGINT, which lets it save on-disk data (SIGTERM loses the last seconds of writes).
 *
 * Azurite handles SIGINT once: a second SIGINT while it is saving kills it before the save. A terminal's
 * Ctrl-C sends SIGINT to its whole foreground process group, and then the parent sends its own, so
 * Azurite runs in a process group of its own (only its parent signals it) with a guard that makes every
 * SIGINT after the first harmless, and that stops it, saving, when its parent is gone.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** Azurite's well-known development account; its key is public and only opens the local emulator. */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's default table port, where UseDevelopmentStorage=true looks. */
export const AZURITE_TABLE_PORT = 10002;
/** npm start's Azurite can move (AZURITE_PORT), for example to run beside another one; npm run reindex follows it. */
export const AZURITE_PORT_SETTING = 'AZURITE_PORT';

/** A port setting (PORT, AZURITE_PORT) that is not a port: its message is the one line to show. */
export class PortSettingError extends Error {}

/** The port in setting `name`, or `fallback` when it is not set. */
export function portSetting(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new PortSettingError(`Setting ${name} must be a port number from 1 to 65535.`);
  return port;
}

/** The table port of npm start's local Azurite: npm run reindex looks for it there too. */
export const localAzuritePort = (): number => portSetting(AZURITE_PORT_SETTING, AZURITE_TABLE_PORT);

export interface RunningAzurite {
  port: number;
  connectionString: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for on-disk data; in memory when absent. */
  location?: string;
  /** The table port; defaults to a free port. */
  port?: number;
  /**
   * Also the Blob and Queue services, on the two ports below the table port (10000 and 10001 beside
   * 10002): the Functions host itself needs them for AzureWebJobsStorage under `func start`.
   */
  withBlobAndQueue?: boolean;
}

/**
 * Runs in the Azurite process before Azurite's own code (`node -e`, with Azurite's entry point as
 * argv[1], where Azurite looks for its arguments).
 */
const GUARD = `
// Azurite stops on SIGINT with a one-time listener; this one keeps every later SIGINT from killing it mid-save.
process.on('SIGINT', () => {});
// The parent holds the other end of stdin: when it is closed, the parent is gone, so stop and save.
// unref: stdin must not keep Azurite running once it has stopped.
process.stdin.on('end', () => process.kill(process.pid, 'SIGINT')).on('error', () => {}).resume();
process.stdin.unref();
// With the parent gone, writing Azurite's closing lines would fail; that must not stop the save.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
require(process.argv[1]);
`;

export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};TableEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Whether `port` is free on `host` (by default 127.0.0.1, where Azurite listens), or with
 * `everyInterface` on all of them, as a server listens that is given no host.
 */
export function portIsFree(port: number, { host = '127.0.0.1', everyInterface = false } = {}): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen({ port, host: everyInterface ? undefined : host }, () => probe.close(() => done(true)));
  });
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const port = options.port ?? (await freePort());
  const dist = join(dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist/src');
  const args = options.withBlobAndQueue
    ? [join(dist, 'azurite.js'), '--blobPort', String(port - 2), '--queuePort', String(port - 1), '--tablePort', String(port)]
    : [join(dist, 'table/main.js'), '--tableHost', '127.0.0.1', '--tablePort', String(port)];
  args.push('--silent', '--disableTelemetry', '--skipApiVersionCheck');
  args.push(...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']));
  // Its own process group (detached) keeps a terminal's signals from reaching it; Windows has no groups
  // and would open a console window for it.
  const child = spawn(process.execPath, ['-e', GUARD, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    // Azurite's last line says why it stopped; the lines before it say what it was starting.
    const lastLine = () => output.trim().split('\n').at(-1)?.trim() ?? '';
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s: ${lastLine()}`)), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The table service alone says "successfully started", all services "successfully listening".
      if (/Table service (is )?successfully/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => fail(new Error(`Azurite exited (code ${code}) before it started: ${lastLine()}`)));
    child.once('error', fail);
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    connectionString: azuriteConnectionString(port),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
