/** The npm scripts as a newcomer runs them: the built scripts, as child processes. */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { Script } from 'node:vm';
import { dirname, join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort, portIsFree } from '../scripts/azurite.js';
import { sampleMessageEvents } from '../scripts/sampleEvents.js';
import { EVENTS_PER_POST, deliveryLines, sendEvents } from '../scripts/sendSample.js';
import { connectionString } from './helpers.js';
import { isRunning, signalGroup } from './processes.js';
import { buildInto, runStartScript } from './startScript.js';

/** The tests build into a folder of their own, so that they never change the dist/ a running app uses. */
const BUILD = '.test-build';
const START = `${BUILD}/scripts/start.js`;
const SEND_SAMPLE = `${BUILD}/scripts/sendSample.js`;

beforeAll(() => buildInto(BUILD), 120_000);

const temporaryRoots: string[] = [];
afterAll(() => temporaryRoots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/**
 * A copy of the build in a folder of its own, so that what npm start keeps beside the build (.azurite/)
 * stays out of the working tree; its node_modules is the project's. Returns the start script's path.
 */
async function buildInTemporaryRoot({ withApp }: { withApp: boolean }): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'npm-start-'));
  temporaryRoots.push(root);
  cpSync(`${BUILD}/scripts`, join(root, 'build/scripts'), { recursive: true });
  if (withApp) cpSync(`${BUILD}/src`, join(root, 'build/src'), { recursive: true });
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'), 'dir');
  return join(root, 'build/scripts/start.js');
}

/** Whether the build's Azurite ever wrote its data: npm start and npm run reindex make .azurite/ just before they start it. */
const azuriteDataIn = (script: string): boolean => existsSync(resolve(dirname(script), '../../.azurite'));

const azuriteDefaultPortFree = await portIsFree(10002);

/** Runs the built `npm start`; one still running when its test ends (a failed assertion) gets the Ctrl-C it would have had. */
function runStart(env: Record<string, string>, until?: RegExp, script = START, options: { detached?: boolean } = {}) {
  const run = runStartScript(script, env, until, options);
  onTestFinished(() => {
    if (isRunning(run.child)) run.child.kill('SIGINT');
  });
  return run;
}

describe('npm start', () => {
  it('serves the app on PORT against the storage account in EmailEventsStorage, and stops on Ctrl-C', async () => {
    const port = await freePort();
    const run = runStart({ EmailEventsStorage: connectionString(), PORT: String(port) }, /Press Ctrl-C to stop/);
    await Promise.race([run.ready, run.exited]);
    expect(run.output().stdout).toContain(`Local Functions host (Core Tools not found) listening on 127.0.0.1:${port} (this machine only; HOST=0.0.0.0 opens it to the network):`);
    expect(run.output().stdout).toContain(`getMessageStatus: GET,HEAD http://127.0.0.1:${port}/api/messages/{messageId}`);
    const events = sampleMessageEvents();
    const deliveries = await sendEvents(events, { baseUrl: `http://localhost:${port}` });
    expect(deliveries.every((delivery) => delivery.status === 202)).toBe(true);
    const response = await fetch(`http://localhost:${port}/api/messages/${events[0]!.data.messageId}`);
    expect(response.status).toBe(200);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('serves the activity page from the build, and npm run send-sample prints its link', async () => {
    const port = await freePort();
    // The default window (the tests' setup keeps everything).
    const run = runStart({ EmailEventsStorage: connectionString(), PORT: String(port), EmailEventsRetentionDays: '90' }, /Press Ctrl-C to stop/);
    await Promise.race([run.ready, run.exited]);
    expect(run.output().stdout).toContain(`getActivityPage: GET,HEAD http://127.0.0.1:${port}/api/activity`);
    const sent = execFileSync(process.execPath, [SEND_SAMPLE, '--url', `http://localhost:${port}`], { encoding: 'utf8' });
    expect(sent).toContain(`Open http://localhost:${port}/api/activity#q=receiver@azure.com`);
    // Dated now, the sample outlives a retention run (the seed's own dates, 2020 and 2022, would not).
    const readBack = /Read it back: curl (\S+)/.exec(sent)![1]!;
    expect((await fetch(`http://localhost:${port}/admin/functions/applyRetention`, { method: 'POST', body: '{"input":""}' })).status).toBe(202);
    await expect.poll(() => /Retention applied/.test(run.output().stdout), { timeout: 20_000 }).toBe(true);
    expect(run.output().stdout).toMatch(/Retention applied\. \{"retentionDays":90,/);
    expect((await fetch(readBack)).status).toBe(200);
    expect((await fetch(`http://localhost:${port}/api/activity`)).status).toBe(200);
    // The script as tsc built it (the tests' own browser run serves it from the sources): valid JavaScript.
    const script = await fetch(`http://localhost:${port}/api/activity/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await script.text();
    expect(() => new Script(source)).not.toThrow();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('stops with one line naming a bad setting', async () => {
    const run = runStart({ EmailEventsStorage: connectionString(), EmailEventsTable: 'not-valid' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim().split('\n')).toEqual(['Setting EmailEventsTable is not a valid table name: use 3–53 letters and digits, starting with a letter.']);
  });

  it('signs in as a person of the role EmailEventsLocalSignIn names, and stops with one line for a role it does not know', async () => {
    const port = await freePort();
    const run = runStart({ EmailEventsStorage: connectionString(), PORT: String(port), EmailEventsLocalSignIn: 'read', EmailEventsLocalUserName: 'Rita Reader' }, /Press Ctrl-C to stop/);
    await Promise.race([run.ready, run.exited]);
    expect(run.output().stdout).toContain('Signed in as Rita Reader, with the role EmailStatus.Read: use the routes under /api/signed-in/.');
    expect(await (await fetch(`http://localhost:${port}/api/signed-in/me`)).json()).toEqual({ signedIn: true, name: 'Rita Reader', roles: ['EmailStatus.Read'] });
    expect((await fetch(`http://localhost:${port}/api/signed-in/messages/x`, { method: 'DELETE' })).status).toBe(403);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);

    const bad = runStart({ EmailEventsStorage: connectionString(), EmailEventsLocalSignIn: 'admin' });
    expect(await bad.exited).toBe(1);
    expect(bad.output().stderr.trim().split('\n')).toEqual(['Setting EmailEventsLocalSignIn must be read, change or none (a person with no role); it is "admin".']);
  });

  it('stops with one line when the port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((listening) => blocker.listen(port, '127.0.0.1', listening));
    try {
      const run = runStart({ EmailEventsStorage: connectionString(), PORT: String(port) });
      expect(await run.exited).toBe(1);
      expect(run.output().stderr.trim()).toBe(`Port ${port} is in use: stop what uses it, or set PORT to another port.`);
    } finally {
      blocker.close();
    }
  });

  it('uses an identity-based account when EmailEventsStorage__tableServiceUri names one, with no Azurite', async () => {
    const port = await freePort();
    const run = runStart({ EmailEventsStorage__tableServiceUri: 'https://acct.table.core.windows.net', PORT: String(port) }, /Press Ctrl-C to stop/);
    await Promise.race([run.ready, run.exited]);
    expect(run.output().stdout).toContain('Using the storage account that EmailEventsStorage names.');
    expect(run.output().stdout).not.toContain('Azurite');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it.each([
    ['every interface', undefined],
    ['127.0.0.1', '127.0.0.1'],
  ])('finds PORT taken on %s before it starts Azurite, so nothing starts and .azurite/ is not touched', async (_, blockedHost) => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((listening) => blocker.listen({ port, host: blockedHost }, listening));
    try {
      const script = await buildInTemporaryRoot({ withApp: true });
      const run = runStart({ EmailEventsStorage: '', PORT: String(port), AZURITE_PORT: String(await freePort()) }, undefined, script);
      expect(await run.exited).toBe(1);
      expect(run.output().stderr.trim()).toBe(`Port ${port} is in use: stop what uses it, or set PORT to another port.`);
      expect(run.output().stdout).not.toContain('Azurite');
      expect(azuriteDataIn(script)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it.each(['0 99 99 * * *', '0 0 0 * Foo *'])('stops with one line for the retention schedule %j, before it starts Azurite', async (schedule) => {
    const script = await buildInTemporaryRoot({ withApp: true });
    const run = runStart({ EmailEventsStorage: '', EmailEventsRetentionSchedule: schedule, PORT: String(await freePort()), AZURITE_PORT: String(await freePort()) }, undefined, script);
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Setting EmailEventsRetentionSchedule has a bad (minute|month) field, /)]);
    expect(run.output().stdout).not.toContain('Azurite');
    expect(azuriteDataIn(script)).toBe(false);
  });

  it.skipIf(!azuriteDefaultPortFree)('stops the Azurite it started on a signal that comes before the host listens', async () => {
    const run = runStart({ EmailEventsStorage: '', PORT: String(await freePort()) }, /Azurite on/, await buildInTemporaryRoot({ withApp: true }));
    await Promise.race([run.ready, run.exited]);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    await expect(fetch('http://127.0.0.1:10002/')).rejects.toThrow();
  });

  it('stops with one line when the app is not built', async () => {
    const run = runStart({}, undefined, await buildInTemporaryRoot({ withApp: false }));
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim()).toBe('The app is not built (dist/src/index.js is missing): run npm run build, or npm start, which builds first.');
  });

  /** An IPv4 address of this machine that is not the loopback one, if it has any: where another machine would connect. */
  const networkAddress = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && !address.internal && address.family === 'IPv4')?.address;

  it.skipIf(!networkAddress)('listens on the loopback address only, unless HOST says otherwise: the local host checks no function key', async () => {
    const reach = (host: string, port: number) => fetch(`http://${host}:${port}/api/openapi.json`).then((response) => response.status, (error: TypeError) => (error.cause as { code?: string }).code);
    const port = await freePort();
    const loopbackOnly = runStart({ EmailEventsStorage: connectionString(), PORT: String(port) }, /Press Ctrl-C to stop/);
    await Promise.race([loopbackOnly.ready, loopbackOnly.exited]);
    expect(await reach('127.0.0.1', port)).toBe(200);
    expect(await reach(networkAddress!, port)).toBe('ECONNREFUSED');
    loopbackOnly.child.kill('SIGINT');
    expect(await loopbackOnly.exited).toBe(0);

    const open = runStart({ EmailEventsStorage: connectionString(), PORT: String(port), HOST: '0.0.0.0' }, /Press Ctrl-C to stop/);
    await Promise.race([open.ready, open.exited]);
    expect(open.output().stdout).toContain(`listening on 0.0.0.0:${port} (open to the network: it checks no function key):`);
    expect(open.output().stdout).toContain(`getOpenApi: GET,HEAD http://localhost:${port}/api/openapi.json`);
    expect(await reach(networkAddress!, port)).toBe(200);
    open.child.kill('SIGINT');
    expect(await open.exited).toBe(0);
    // Two starts of npm start, each some seconds on a busy 2-core machine.
  }, 90_000);

  it('stops with one line for a HOST that is not an address', async () => {
    const run = runStart({ EmailEventsStorage: connectionString(), PORT: String(await freePort()), HOST: 'every interface' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim()).toBe('Setting HOST must be an IP address to listen on: 127.0.0.1 (the default, this machine only) or 0.0.0.0 (every interface).');
  });

  it("names AZURITE_PORT when Azurite's port is taken, and starts nothing", async () => {
    const blocker = createServer();
    const azuritePort = await freePort();
    await new Promise<void>((listening) => blocker.listen(azuritePort, '127.0.0.1', listening));
    try {
      const script = await buildInTemporaryRoot({ withApp: true });
      const run = runStart({ EmailEventsStorage: '', PORT: String(await freePort()), AZURITE_PORT: String(azuritePort) }, undefined, script);
      expect(await run.exited).toBe(1);
      expect(run.output().stderr.trim()).toBe(
        `Port ${azuritePort} (Azurite) is in use: stop what uses it, set AZURITE_PORT to another port for npm start's Azurite (AZURITE_PORT=10012 npm start), or set EmailEventsStorage to the storage account to use.`,
      );
      expect(azuriteDataIn(script)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('stops with one line for a PORT that is not a port', async () => {
    const run = runStart({ EmailEventsStorage: connectionString(), PORT: 'seventy' });
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.trim()).toBe('Setting PORT must be a port number from 1 to 65535.');
  });
});

describe('npm run send-sample', () => {
  it(`posts a file of events ${EVENTS_PER_POST} at a time to the app on PORT, and every event is stored`, async () => {
    const port = await freePort();
    const run = runStart({ EmailEventsStorage: connectionString(), PORT: String(port) }, /Press Ctrl-C to stop/);
    await Promise.race([run.ready, run.exited]);
    // Each message has a delivery report and an engagement report, which go to different functions.
    const messages = Array.from({ length: EVENTS_PER_POST + 50 }, () => sampleMessageEvents());
    const file = join(mkdtempSync(join(tmpdir(), 'send-sample-')), 'events.json');
    writeFileSync(file, JSON.stringify(messages.flat()));
    const sent = execFileSync(process.execPath, [SEND_SAMPLE, '--file', file], { env: { ...process.env, PORT: String(port) }, encoding: 'utf8' });
    expect(sent.split('\n').slice(0, 2)).toEqual([
      `emailDeliveryReport: ${messages.length} event(s) in 2 POSTs → HTTP 202`,
      `emailEngagementReport: ${messages.length} event(s) in 2 POSTs → HTTP 202`,
    ]);
    for (const events of messages) {
      const stored = (await (await fetch(`http://localhost:${port}/api/messages/${events[0]!.data.messageId}`)).json()) as { events: { id: string }[] };
      expect(stored.events.map((event) => event.id).sort()).toEqual(events.map((event) => event.id).sort());
    }
  });

  it('says what each function got when some POSTs fail, with the answers that say why', () => {
    const problem = '{"detail":"3 of 100 event(s) could not be handled"}';
    const deliveries = [
      { functionName: 'emailDeliveryReport', events: 100, status: 202, body: '' },
      { functionName: 'emailDeliveryReport', events: 100, status: 500, body: problem },
      { functionName: 'emailDeliveryReport', events: 20, status: 202, body: '' },
      { functionName: 'emailEngagementReport', events: 1, status: 202, body: '' },
    ];
    expect(deliveryLines(deliveries)).toEqual([
      'emailDeliveryReport: 220 event(s) in 3 POSTs → HTTP 202 ×2, 500 ×1',
      `  100 event(s) → HTTP 500 ${problem}`,
      'emailEngagementReport: 1 event(s) → HTTP 202',
    ]);
  });

  it('names the URL it tried, never the key, and how to start the app, when nothing answers', async () => {
    const port = await freePort();
    const shownUrl = (base: string) => `${base}/runtime/webhooks/eventgrid?functionName=emailDeliveryReport`;
    for (const [args, base] of [
      [[], `http://localhost:${port}`],
      [['--url', `http://127.0.0.1:${port}`], `http://127.0.0.1:${port}`],
    ] as const) {
      const run = spawnSync(process.execPath, [SEND_SAMPLE, ...args, '--key', 'secret-key'], { env: { ...process.env, PORT: String(port) }, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).not.toContain('secret-key');
      expect(run.stderr.trim().split('\n')).toEqual([
        `send-sample failed: no answer from ${shownUrl(base)} (ECONNREFUSED)`,
        'Is the app running? Start it with npm start. send-sample posts to http://localhost:$PORT (7071 unless PORT is set), or to --url.',
      ]);
    }
  });
});

describe('npm start keeps every acknowledged write through a stop', () => {
  /**
   * How each run is stopped. A terminal's Ctrl-C is SIGINT to the whole foreground process group, and
   * closing the terminal SIGHUP to it; SIGKILL of npm start alone leaves Azurite to notice on its own.
   */
  const stops: { how: string; stop: (child: ChildProcess) => unknown }[] = [
    { how: 'Ctrl-C', stop: (child) => signalGroup(child, 'SIGINT') },
    { how: 'Ctrl-C', stop: (child) => signalGroup(child, 'SIGINT') },
    { how: 'Ctrl-C', stop: (child) => signalGroup(child, 'SIGINT') },
    // The second comes while npm start stops, or after it has stopped: a fast stop is no failure.
    { how: 'Ctrl-C twice', stop: async (child) => (signalGroup(child, 'SIGINT'), await delay(50), signalGroup(child, 'SIGINT')) },
    { how: 'Ctrl-C', stop: (child) => signalGroup(child, 'SIGINT') },
    { how: 'a closed terminal', stop: (child) => signalGroup(child, 'SIGHUP') },
    { how: 'SIGTERM to npm start', stop: (child) => child.kill('SIGTERM') },
    { how: 'SIGKILL to npm start', stop: (child) => child.kill('SIGKILL') },
  ];

  it(`keeps the events of every run, over ${stops.length} stops of npm start with its data on disk`, async () => {
    const script = await buildInTemporaryRoot({ withApp: true });
    const azuritePort = await freePort();
    const start = async () => {
      const port = await freePort();
      const run = runStart({ EmailEventsStorage: '', PORT: String(port), AZURITE_PORT: String(azuritePort) }, /Press Ctrl-C to stop/, script, { detached: true });
      await Promise.race([run.ready, run.exited]);
      expect(run.output().stdout).toContain(`Azurite on http://127.0.0.1:${azuritePort}, data in .azurite/`);
      return { run, baseUrl: `http://localhost:${port}` };
    };
    /** The event ids each message must have, from every earlier run. */
    const acknowledged = new Map<string, string[]>();
    const lost = async (baseUrl: string) => {
      const missing: string[] = [];
      for (const [messageId, ids] of acknowledged) {
        const response = await fetch(`${baseUrl}/api/messages/${messageId}`);
        const stored = response.status === 200 ? ((await response.json()) as { events: { id: string }[] }).events.map((event) => event.id) : [];
        missing.push(...ids.filter((id) => !stored.includes(id)));
      }
      return missing;
    };
    /** The run under way, stopped if the test fails, so that no npm start or Azurite outlives it. */
    let current: ReturnType<typeof runStart> | undefined;
    onTestFinished(() => {
      if (current) signalGroup(current.child, 'SIGINT');
    });
    for (const [attempt, { how, stop }] of stops.entries()) {
      const { run, baseUrl } = await start();
      current = run;
      expect(await lost(baseUrl), `lost after stop ${attempt} (${stops[attempt - 1]?.how})`).toEqual([]);
      const events = sampleMessageEvents();
      const deliveries = await sendEvents(events, { baseUrl });
      expect(deliveries.map((delivery) => delivery.status)).toEqual([202, 202]);
      acknowledged.set(events[0]!.data.messageId, events.map((event) => event.id));
      await stop(run.child);
      await run.exited;
      // Azurite is gone, whoever stopped it, before the next run takes its port.
      for (let waited = 0; !(await portIsFree(azuritePort)) && waited < 15_000; waited += 100) await new Promise((wait) => setTimeout(wait, 100));
      expect(await portIsFree(azuritePort), `Azurite still running after ${how}`).toBe(true);
    }
    const { run, baseUrl } = await start();
    current = run;
    expect(await lost(baseUrl), `lost after the last stop (${stops.at(-1)!.how})`).toEqual([]);
    signalGroup(run.child, 'SIGINT');
    expect(await run.exited).toBe(0);
  }, 180_000);
});

describe('npm run bench', () => {
  it('measures every figure and writes them as JSON (a short run: the figures are not checked here)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'results.json');
    // A short run takes about 80 s alone on a 2-core machine, and longer beside the other test files.
    execFileSync(process.execPath, [`${BUILD}/scripts/bench.js`, '--runs', '1', '--events', '40', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 210_000 });
    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.ingest.requestsByKind.map((row: { counted: number; expected: number }) => row.counted - row.expected)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(results.statistics).toMatchObject({ days: 30, requestsPerRead: 2, ratioP50: expect.any(Number) });
    expect(results.statistics.dayMessages).toMatchObject({ requestsPerPage: expect.any(Number), ratioP50: expect.any(Number) });
    expect(results.lookups.firstPage.roundTrips).toBeLessThanOrEqual(3);
    expect(results.lookups.laterPage.roundTrips).toBeLessThanOrEqual(3);
    expect(results.lookups.floor).toMatchObject({ queries: 5, ratioP50: expect.any(Number) });
    expect(results.ingest.ratio).toBeGreaterThan(0);
    expect(results.read.map((row: { events: number }) => row.events)).toEqual([10, 100, 1000]);
    expect(results.startup.sdksLoadedBeforeFirstEvent).toEqual([]);
    expect(results.startup.packagesLoaded).toContain('@azure/functions');
    expect(results.http.map((row: { concurrency: number }) => row.concurrency)).toEqual([1, 8, 32]);
  }, 240_000);
});

describe('npm run reindex', () => {
  /** A new events table in the test Azurite with a message's two events, and its name. */
  async function eventsTableWithAMessage(): Promise<string> {
    const table = `R${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const { TableClient } = await import('@azure/data-tables');
    const { normalizeEvent } = await import('../src/events/normalize.js');
    const { toEventEntity } = await import('../src/storage/tableEntities.js');
    const client = TableClient.fromConnectionString(connectionString(), table, { allowInsecureConnection: true });
    await client.createTable();
    for (const event of sampleMessageEvents()) {
      const normalized = normalizeEvent(event);
      if (normalized.outcome === 'accepted') await client.createEntity(toEventEntity(normalized.event));
    }
    return table;
  }

  /** Runs a built reindex to its end. */
  const reindexWith = (env: Record<string, string>, script = `${BUILD}/scripts/reindex.js`) =>
    spawnSync(process.execPath, [script], { env: { ...process.env, ...env }, encoding: 'utf8' });

  /** The reindex script of a build in a folder of its own, where an Azurite it starts keeps its .azurite/. */
  const reindexInTemporaryRoot = async () => join(dirname(await buildInTemporaryRoot({ withApp: true })), 'reindex.js');

  it('re-indexes the events table that the settings name, with progress, against any account', async () => {
    const empty = reindexWith({ EmailEventsStorage: connectionString(), EmailEventsTable: `R${randomUUID().replace(/-/g, '').slice(0, 16)}` });
    expect(empty.stdout).toContain('Done: 0 event(s)');
    const run = reindexWith({ EmailEventsStorage: connectionString(), EmailEventsTable: await eventsTableWithAMessage() });
    expect(run.stdout).toMatch(/Re-indexing \w+ into \w+Index/);
    expect(run.stdout).toContain('2 event(s) re-indexed');
    expect(run.stdout).toContain('Done: 2 event(s)');
  });

  it("uses the Azurite running on AZURITE_PORT, as npm start's, and says so", async () => {
    const table = await eventsTableWithAMessage();
    const running = Number(/127\.0\.0\.1:(\d+)/.exec(connectionString())![1]);
    const script = await reindexInTemporaryRoot();
    const run = reindexWith({ EmailEventsStorage: '', AZURITE_PORT: String(running), EmailEventsTable: table }, script);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Using the Azurite running on port ${running}.`);
    expect(run.stdout).toContain('Done: 2 event(s)');
    expect(azuriteDataIn(script)).toBe(false);
  });

  it('starts an Azurite for the run on AZURITE_PORT when none runs there, says so, and stops it', async () => {
    const port = await freePort();
    const script = await reindexInTemporaryRoot();
    const run = reindexWith({ EmailEventsStorage: '', AZURITE_PORT: String(port) }, script);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Azurite started for the run on port ${port}, data in .azurite/`);
    expect(run.stdout).toContain('Done: 0 event(s)');
    expect(azuriteDataIn(script)).toBe(true);
    expect(await portIsFree(port)).toBe(true);
  });

  it('stops with one line on a bad setting, before it starts any Azurite', async () => {
    const script = await reindexInTemporaryRoot();
    const run = reindexWith({ EmailEventsStorage: '', AZURITE_PORT: String(await freePort()), EmailEventsTable: 'ab' }, script);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Setting EmailEventsTable is not a valid table name: use 3–53 letters and digits, starting with a letter.');
    expect(run.stdout).toBe('');
    expect(azuriteDataIn(script)).toBe(false);
  });
});
