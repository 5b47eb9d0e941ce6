/**
 * The README's suppression walkthrough, as a user runs it: the built `npm start` as a child process, with
 * the settings `npm run arm-stand-in` prints, against the ARM stand-in; a bounce posted as Event Grid
 * posts it reaches the stand-in's list through the sync timer, and a reactivation takes it off again.
 * The app's process trusts the stand-in's certificate through NODE_EXTRA_CA_CERTS, as the README says.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../scripts/azurite.js';
import { STAND_IN_LIST_ID, startArmStandIn, type ArmStandIn } from '../scripts/armStandIn.js';
import { sendEvents } from '../scripts/sendSample.js';
import { addressDigest, armAddressId } from '../src/suppression/keys.js';
import { connectionString, isolatedTableName } from './helpers.js';
import { buildInto, runStartScript } from './startScript.js';

const BUILD = '.test-build-suppression';
let standIn: ArmStandIn;
const certificateDir = mkdtempSync(join(tmpdir(), 'arm-stand-in-'));

beforeAll(async () => {
  buildInto(BUILD);
  standIn = await startArmStandIn({ certificateDir });
}, 180_000);
afterAll(async () => {
  await standIn.close();
  rmSync(certificateDir, { recursive: true, force: true });
});

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wait) => setTimeout(wait, 250));
  }
}

describe('the suppression walkthrough with npm start and the ARM stand-in', () => {
  it('carries a bounce into the stand-in\'s list, and a reactivation out of it', async () => {
    const port = await freePort();
    const run = runStartScript(
      `${BUILD}/scripts/start.js`,
      {
        EmailEventsStorage: connectionString(),
        EmailEventsTable: isolatedTableName(),
        PORT: String(port),
        NODE_EXTRA_CA_CERTS: standIn.certificatePath,
        IDENTITY_ENDPOINT: standIn.identityEndpoint,
        IDENTITY_HEADER: standIn.identityHeader,
        EmailEventsArmEndpoint: standIn.armEndpoint,
        EmailEventsSuppressionList: STAND_IN_LIST_ID,
        EmailEventsSuppressionSyncSchedule: '*/2 * * * * *',
      },
      /Press Ctrl-C to stop/,
    );
    onTestFinished(() => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGINT');
    });
    await Promise.race([run.ready, run.exited]);
    expect(run.output().stdout).toContain(`syncSuppressionList: POST http://127.0.0.1:${port}/admin/functions/syncSuppressionList`);
    const baseUrl = `http://localhost:${port}`;

    const events = JSON.parse(readFileSync('docs/example-events.json', 'utf8')) as unknown[];
    expect((await sendEvents(events, { baseUrl })).every((delivery) => delivery.status === 202)).toBe(true);
    const id = armAddressId(addressDigest('sam@northwind.example'));
    await until(() => standIn.addresses().has(id), 'the bounced address in the stand-in\'s list');
    expect(standIn.addresses().get(id)!.email).toBe('sam@northwind.example');
    await until(async () => {
      const body = (await (await fetch(`${baseUrl}/api/suppressions`)).json()) as { entries: { address: string; sync: { state: string } }[] };
      return body.entries.some((entry) => entry.address === 'sam@northwind.example' && entry.sync.state === 'synced');
    }, 'the entry to say synced');

    const reactivated = await fetch(`${baseUrl}/api/suppressions/sam%40northwind.example?reason=${encodeURIComponent('Mailbox fixed')}`, { method: 'DELETE' });
    expect(reactivated.status).toBe(200);
    await until(() => !standIn.addresses().has(id), 'the reactivated address to leave the stand-in\'s list');
    // No address in the app's output: the sync logs counts and times only.
    expect(run.output().stdout + run.output().stderr).not.toContain('sam@northwind.example');
  });
});
