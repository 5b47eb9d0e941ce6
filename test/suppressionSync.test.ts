/**
 * The sync into ACS, end to end: the real @azure/arm-communication client and the real
 * ManagedIdentityCredential of @azure/identity, against the ARM stand-in (scripts/armStandIn.ts), with
 * the list in real Azurite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startArmStandIn, STAND_IN_LIST_ID, type ArmStandIn } from '../scripts/armStandIn.js';
import { seedDeliveryReport } from '../scripts/sampleEvents.js';
import { ingestEvent } from '../src/ingest.js';
import { createEventStore } from '../src/storage/eventStore.js';
import { armAddressId, addressDigest } from '../src/suppression/keys.js';
import { parseSuppressionListId } from '../src/suppression/listId.js';
import { createSuppressionListClient, type SuppressionListClient } from '../src/suppression/armClient.js';
import { addressHistory, entryOf, recordChange, suppressionPage } from '../src/suppression/store.js';
import { syncSuppressions } from '../src/suppression/sync.js';
import { eraseRecipient } from '../src/retention/retention.js';
import { changeKey } from '../src/suppression/keys.js';
import { isolatedSettings, recordingContext } from './helpers.js';

let standIn: ArmStandIn;
let certificateDir: string;
const list = parseSuppressionListId(STAND_IN_LIST_ID)!;

beforeAll(async () => {
  certificateDir = mkdtempSync(join(tmpdir(), 'arm-stand-in-'));
  standIn = await startArmStandIn({ certificateDir, pageSize: 2 });
});
afterAll(async () => {
  await standIn.close();
  rmSync(certificateDir, { recursive: true, force: true });
});

/** The app's ARM client, with the credential Azure gives it, both pointed at the stand-in. */
async function armClient(): Promise<SuppressionListClient> {
  vi.stubEnv('IDENTITY_ENDPOINT', standIn.identityEndpoint);
  vi.stubEnv('IDENTITY_HEADER', standIn.identityHeader);
  return createSuppressionListClient(list, {
    endpoint: standIn.armEndpoint,
    credential: new ManagedIdentityCredential(),
    clientOptions: { tlsOptions: { ca: standIn.certificate } },
  });
}

function bounce(recipient: string, at: string, status = 'Bounced') {
  return {
    ...seedDeliveryReport,
    id: randomUUID(),
    data: { ...seedDeliveryReport.data, messageId: randomUUID(), recipient, status, deliveryAttemptTimeStamp: at, deliveryStatusDetails: { statusMessage: '550 5.1.1 User unknown' } },
  };
}

const domain = () => `${randomUUID().slice(0, 8)}.example`;

describe('the sync into the ACS suppression list', () => {
  let settings: ReturnType<typeof isolatedSettings>;
  let store: ReturnType<typeof createEventStore>;
  beforeEach(() => {
    settings = isolatedSettings();
    store = createEventStore(settings);
  });

  /** An address that bounced, and that the sync has put on the ACS list. */
  async function bouncedAndSynced(name: string) {
    const client = await armClient();
    const address = `${name}@${domain()}`;
    const id = armAddressId(addressDigest(address));
    const { context } = recordingContext();
    await ingestEvent(bounce(address, '2026-11-27T09:00:00Z'), context, { store });
    await syncSuppressions(store, client, { now: new Date() });
    expect(standIn.addresses().has(id)).toBe(true);
    return { client, address, id, context };
  }

  it('puts each suppressed address on the ACS list under one id, and a second run changes nothing', async () => {
    const client = await armClient();
    const addresses = [`Sam@${domain()}`, `kim@${domain()}`, `lee@${domain()}`];
    const { context } = recordingContext();
    for (const address of addresses) {
      await ingestEvent(bounce(address, '2026-11-27T09:15:02.4410003Z'), context, { store });
      await ingestEvent(bounce(address, '2026-11-28T09:15:02.4410003Z'), context, { store });
    }
    const pending = await suppressionPage(store, { limit: 10 }, true);
    expect(pending.entries.map((entry) => entry.sync.state)).toEqual(['pending', 'pending', 'pending']);

    const first = await syncSuppressions(store, client, { now: new Date() });
    expect(first).toMatchObject({ synced: 3, failed: 0, outbox: 6, throttledUntil: null });
    for (const address of addresses) {
      const id = armAddressId(addressDigest(address.toLowerCase()));
      expect(standIn.addresses().get(id)).toMatchObject({ email: address, notes: 'ACS Email Status: Bounced since 2026-11-27T09:15:02.4410003Z' });
    }
    const synced = await suppressionPage(store, { limit: 10 }, true);
    expect(synced.entries.map((entry) => entry.sync.state)).toEqual(['synced', 'synced', 'synced']);

    const calls = standIn.requests.length;
    expect(await syncSuppressions(store, client, { now: new Date() })).toMatchObject({ synced: 0, outbox: 0 });
    expect(standIn.requests.length).toBe(calls);
  });

  it('removes a reactivated address from the ACS list, and puts it back after a later bounce', async () => {
    const { client, address, id, context } = await bouncedAndSynced('pat');

    await recordChange(store, address, { kind: 'reactivate', key: changeKey('reactivate', randomUUID()), at: '2026-11-29T10:00:00.000Z', address, by: { kind: 'local' }, note: 'Mailbox fixed' });
    await syncSuppressions(store, client, { now: new Date() });
    expect(standIn.addresses().has(id)).toBe(false);
    expect(standIn.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });

    await ingestEvent(bounce(address, '2026-11-30T09:00:00Z'), context, { store });
    await syncSuppressions(store, client, { now: new Date() });
    expect(standIn.addresses().has(id)).toBe(true);
  });

  it('waits as a 429 asks, retries after a 503, and loses nothing', async () => {
    const client = await armClient();
    const address = `ray@${domain()}`;
    const id = armAddressId(addressDigest(address));
    const { context } = recordingContext();
    await ingestEvent(bounce(address, '2026-11-27T09:00:00Z'), context, { store });
    const now = new Date('2026-12-01T00:00:00Z');

    standIn.fail({ status: 429, retryAfter: 120 });
    const throttled = await syncSuppressions(store, client, { now });
    expect(throttled).toMatchObject({ synced: 0, failed: 1, throttledUntil: '2026-12-01T00:02:00.000Z' });
    let entry = entryOf(await addressHistory(store, address), true)!;
    expect(entry.sync).toMatchObject({ state: 'retrying', lastError: 'HTTP 429 TooManyRequests', nextAttemptAt: '2026-12-01T00:02:00.000Z' });

    // Before Retry-After has passed, no call at all.
    const calls = standIn.requests.length;
    expect(await syncSuppressions(store, client, { now: new Date('2026-12-01T00:01:00Z') })).toMatchObject({ synced: 0, throttledUntil: '2026-12-01T00:02:00.000Z' });
    expect(standIn.requests.length).toBe(calls);

    standIn.fail({ status: 503 });
    expect(await syncSuppressions(store, client, { now: new Date('2026-12-01T00:02:00.001Z') })).toMatchObject({ synced: 0, failed: 1 });
    entry = entryOf(await addressHistory(store, address), true)!;
    expect(entry.sync).toMatchObject({ state: 'retrying', lastError: 'HTTP 503 ServiceUnavailable' });
    expect(standIn.addresses().has(id)).toBe(false);

    // The second failure waits two minutes; then the call goes through.
    expect(await syncSuppressions(store, client, { now: new Date('2026-12-01T00:03:00Z') })).toMatchObject({ synced: 0, waiting: 1 });
    expect(await syncSuppressions(store, client, { now: new Date('2026-12-01T00:05:00Z') })).toMatchObject({ synced: 1, failed: 0 });
    expect(standIn.addresses().has(id)).toBe(true);
    entry = entryOf(await addressHistory(store, address), true)!;
    expect(entry.sync).toMatchObject({ state: 'synced', lastError: null, nextAttemptAt: null });
  });

  it('takes an erased address off the ACS list', async () => {
    const { client, address, id } = await bouncedAndSynced('eve');
    await eraseRecipient(store, address, new Date(), { kind: 'key' });
    expect(entryOf(await addressHistory(store, address), true)).toBeUndefined();
    expect(await syncSuppressions(store, client, { now: new Date() })).toMatchObject({ synced: 1 });
    expect(standIn.addresses().has(id)).toBe(false);
    expect(await addressHistory(store, address)).toEqual({ changes: [], sync: undefined });
  });
});

describe('the ARM stand-in', () => {
  it('refuses a request without a token it issued, and pages its list with nextLink for the real client', async () => {
    const unauthorized = await createSuppressionListClient(list, {
      endpoint: standIn.armEndpoint,
      credential: { getToken: async () => ({ token: 'forged', expiresOnTimestamp: Date.now() + 60_000 }) },
      clientOptions: { tlsOptions: { ca: standIn.certificate } },
    });
    await expect(unauthorized.add(randomUUID(), 'a@b.example', '')).rejects.toMatchObject({ statusCode: 401, code: 'AuthenticationFailed' });

    const client = await armClient();
    for (let n = 0; n < 5; n++) await client.add(randomUUID(), `page${n}@${domain()}`, '');
    // The SDK follows nextLink: pages of 2 here.
    vi.stubEnv('IDENTITY_ENDPOINT', standIn.identityEndpoint);
    vi.stubEnv('IDENTITY_HEADER', standIn.identityHeader);
    const { CommunicationServiceManagementClient } = await import('@azure/arm-communication');
    const sdk = new CommunicationServiceManagementClient(new ManagedIdentityCredential(), list.subscriptionId, {
      endpoint: standIn.armEndpoint,
      $host: standIn.armEndpoint,
      tlsOptions: { ca: standIn.certificate },
    });
    const listed: string[] = [];
    for await (const entry of sdk.suppressionListAddresses.list(list.resourceGroup, list.emailService, list.domain, list.list)) listed.push(entry.name!);
    expect(listed).toEqual([...standIn.addresses().keys()].sort());
    expect(listed.length).toBeGreaterThanOrEqual(5);
    const one = await sdk.suppressionListAddresses.get(list.resourceGroup, list.emailService, list.domain, list.list, listed[0]!);
    expect(one.email).toBe(standIn.addresses().get(listed[0]!)!.email);
    await expect(sdk.suppressionListAddresses.get(list.resourceGroup, list.emailService, list.domain, list.list, randomUUID())).rejects.toMatchObject({ statusCode: 404 });
  });
});
