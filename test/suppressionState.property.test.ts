/** The suppression list's pure core: the policy, the state derived from an address's changes, keys, CSV, the list's resource id. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../src/events/normalize.js';
import type { EmailEvent } from '../src/events/emailEvent.js';
import { seedDeliveryReport } from '../scripts/sampleEvents.js';
import { bounceChange, changeOf, changeRows, suppressionRowsFor, type SuppressionChange } from '../src/suppression/policy.js';
import { suppressionEntry } from '../src/suppression/state.js';
import { ALL_SHARD_PARTITIONS, addressDigest, armAddressId, isListRowKey, partitionOfDigest } from '../src/suppression/keys.js';
import { entriesCsv } from '../src/suppression/csv.js';
import { parseSuppressionListId } from '../src/suppression/listId.js';
import { readSettings } from '../src/settings.js';

function report(status: string, recipient = 'Sam@Northwind.example', at = '2026-11-27T09:15:02.4410003Z'): EmailEvent {
  const normalized = normalizeEvent(
    { ...seedDeliveryReport, id: `${status}-${at}`, data: { ...seedDeliveryReport.data, recipient, status, deliveryAttemptTimeStamp: at, deliveryStatusDetails: { statusMessage: '550 5.1.1' } } },
    { redactLinks: true },
  );
  if (normalized.outcome !== 'accepted') throw new Error('not accepted');
  return normalized.event;
}

const policy = { suppressOn: ['Bounced'] };

describe('the policy', () => {
  it('suppresses on the statuses it names, and on nothing else', () => {
    expect(suppressionRowsFor(report('Bounced'), policy)).toHaveLength(3);
    for (const status of ['Delivered', 'Suppressed', 'Failed', 'FilteredSpam', 'Quarantined']) expect(suppressionRowsFor(report(status), policy)).toBeUndefined();
    expect(suppressionRowsFor(report('Failed'), { suppressOn: ['Bounced', 'Failed'] })).toHaveLength(3);
    expect(suppressionRowsFor(report('Bounced', '  '), policy)).toBeUndefined();
  });

  it('writes a change as three rows of one partition, keyed by the address digest only, the same every time', () => {
    const rows = suppressionRowsFor(report('Bounced'), policy)!;
    const digest = addressDigest('sam@northwind.example');
    expect(new Set(rows.map((row) => row.partitionKey))).toEqual(new Set([partitionOfDigest(digest)]));
    expect(ALL_SHARD_PARTITIONS).toContain(rows[0]!.partitionKey);
    for (const row of rows) expect(`${row.partitionKey}${row.rowKey}`.toLowerCase()).not.toContain('northwind');
    expect(rows.map((row) => row.rowKey)).toEqual(suppressionRowsFor(report('Bounced'), policy)!.map((row) => row.rowKey));
    expect(isListRowKey(rows[1]!.rowKey)).toBe(true);
    expect(changeOf(rows[0]!)).toEqual(bounceChange(report('Bounced'), policy));
  });

  it('maps an address to one ACS address id, a GUID, whatever its case', () => {
    const id = armAddressId(addressDigest('sam@northwind.example'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(armAddressId(addressDigest('kim@northwind.example'))).not.toBe(id);
  });
});

const times = ['2026-11-27T09:00:00Z', '2026-11-27T09:00:00.0000001Z', '2026-11-28T10:00:00.5Z', '2026-11-29T00:00:00Z', null];
const changeArbitrary: fc.Arbitrary<SuppressionChange> = fc
  .record({ kind: fc.constantFrom('bounce', 'add', 'reactivate'), at: fc.constantFrom(...times), n: fc.nat(20) })
  .map(({ kind, at, n }) =>
    kind === 'bounce'
      ? { kind, key: `b${n}`, at, address: 'Sam@x.example', messageId: `m${n}`, status: 'Bounced', statusMessage: `550 #${n}` }
      : { kind, key: `${kind[0]}${n}`, at, address: 'sam@x.example', by: { kind: 'local' }, note: `why ${n}` },
  );

describe('the state of an entry', () => {
  it('is the same for the same changes in any order, any number of times (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(changeArbitrary, { selector: (change) => change.key, minLength: 1, maxLength: 12 }), fc.nat(), (changes, seed) => {
        const shuffled = [...changes, ...changes.slice(0, seed % (changes.length + 1))].sort((a, b) => ((a.key.charCodeAt(0) * seed) % 7) - ((b.key.charCodeAt(0) * seed) % 7));
        expect(suppressionEntry(shuffled, undefined, true)).toEqual(suppressionEntry(changes, undefined, true));
      }),
    );
  });

  it('follows the newest change: a reactivation clears, a later bounce suppresses again', () => {
    const bounce1: SuppressionChange = { kind: 'bounce', key: 'b1', at: '2026-11-27T09:00:00Z', address: 'Sam@x.example', messageId: 'm1', status: 'Bounced', statusMessage: 'first' };
    const bounce2: SuppressionChange = { ...bounce1, key: 'b2', at: '2026-11-28T09:00:00Z', messageId: 'm2', statusMessage: 'second' };
    const reactivation: SuppressionChange = { kind: 'reactivate', key: 'r1', at: '2026-11-29T09:00:00.000Z', address: 'sam@x.example', by: { kind: 'key' }, note: 'fixed' };
    const bounce3: SuppressionChange = { ...bounce1, key: 'b3', at: '2026-11-30T09:00:00Z', messageId: 'm3', statusMessage: 'third' };
    expect(suppressionEntry([bounce2, bounce1], undefined, false)).toMatchObject({
      state: 'suppressed', reason: 'Bounced', firstSeenAt: bounce1.at, lastSeenAt: bounce2.at, count: 2, messageId: 'm2', statusMessage: 'second', updatedAt: bounce2.at, sync: { state: 'off' },
    });
    expect(suppressionEntry([bounce1, bounce2, reactivation], undefined, true)).toMatchObject({ state: 'reactivated', count: 2, updatedAt: reactivation.at, sync: { state: 'pending' } });
    expect(suppressionEntry([bounce1, bounce2, reactivation, bounce3], { syncedChange: 'b3' }, true)).toMatchObject({
      state: 'suppressed', count: 1, firstSeenAt: bounce3.at, messageId: 'm3', sync: { state: 'synced' },
    });
    // A bounce attempted before the reactivation, delivered after it, does not undo it.
    const late: SuppressionChange = { ...bounce1, key: 'b4', at: '2026-11-29T08:00:00Z' };
    expect(suppressionEntry([bounce1, reactivation, late], undefined, false)!.state).toBe('reactivated');
    // At the same instant, the reactivation is the later change.
    expect(suppressionEntry([{ ...bounce1, at: reactivation.at }, reactivation], undefined, false)!.state).toBe('reactivated');
    const manual: SuppressionChange = { kind: 'add', key: 'a1', at: '2026-11-20T00:00:00.000Z', address: 'Sam@X.example', by: { kind: 'local' }, note: 'asked us' };
    expect(suppressionEntry([manual, bounce1], { lastError: 'HTTP 503', nextAttemptAt: '2026-12-01T00:00:00Z' }, true)).toMatchObject({
      reason: 'Manual', count: 1, address: 'Sam@x.example', sync: { state: 'retrying', lastError: 'HTTP 503', nextAttemptAt: '2026-12-01T00:00:00Z' },
    });
    expect(suppressionEntry([], undefined, true)).toBeUndefined();
  });
});

describe('CSV', () => {
  it('quotes what needs quoting, and keeps spreadsheet formulas from running', () => {
    const entry = suppressionEntry([{ kind: 'bounce', key: 'b', at: '2026-11-27T09:00:00Z', address: '=cmd@x.example', messageId: 'm', status: 'Bounced', statusMessage: '550 "no", really\nno' }], undefined, false)!;
    expect(entriesCsv([entry])).toBe(
      'email,state,reason,firstSeenAt,lastSeenAt,count,messageId,statusMessage,updatedAt,syncState\r\n' +
        "'=cmd@x.example,suppressed,Bounced,2026-11-27T09:00:00Z,2026-11-27T09:00:00Z,1,m,\"550 \"\"no\"\", really\nno\",2026-11-27T09:00:00Z,off\r\n",
    );
  });
});

describe('settings', () => {
  const base = { EmailEventsStorage: 'UseDevelopmentStorage=true' };
  const id = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Communication/emailServices/mail/domains/contoso.com/suppressionLists/default';

  it('reads the policy, the list and the endpoint, with their defaults', () => {
    expect(readSettings(base).suppression).toEqual({ suppressOn: ['Bounced'], list: undefined, armEndpoint: 'https://management.azure.com', syncSchedule: '0 * * * * *' });
    const settings = readSettings({ ...base, EmailEventsSuppressOn: 'bounced, FAILED', EmailEventsSuppressionList: id.toLowerCase().replace('/providers/microsoft', '/providers/Microsoft'), EmailEventsArmEndpoint: 'https://127.0.0.1:7443/' });
    expect(settings.suppression.suppressOn).toEqual(['Bounced', 'Failed']);
    expect(settings.suppression.list).toMatchObject({ subscriptionId: '00000000-0000-0000-0000-000000000000', resourceGroup: 'rg', emailService: 'mail', domain: 'contoso.com', list: 'default' });
    expect(settings.suppression.armEndpoint).toBe('https://127.0.0.1:7443');
    expect(readSettings({ ...base, EmailEventsSuppressOn: 'none' }).suppression.suppressOn).toEqual([]);
    expect(parseSuppressionListId(id)?.resourceId).toBe(id);
  });

  it('stops start-up with one line naming a bad setting', () => {
    const bad: Record<string, string>[] = [
      { EmailEventsSuppressOn: 'Bounced,Gone' },
      { EmailEventsSuppressionList: '/subscriptions/x/resourceGroups/rg' },
      { EmailEventsSuppressionList: id.replace('/suppressionLists/default', '') },
      { EmailEventsSuppressionList: `${id}/../../other` },
      { EmailEventsArmEndpoint: 'http://127.0.0.1:7443' },
      { EmailEventsSuppressionSyncSchedule: '* * *' },
    ];
    for (const setting of bad) {
      const name = Object.keys(setting)[0]!;
      expect(() => readSettings({ ...base, ...setting })).toThrowError(new RegExp(`^Setting ${name} [^\\n]+$`));
    }
  });
});

describe('change rows', () => {
  it('round-trip a change by hand with who and why', () => {
    const change: SuppressionChange = { kind: 'add', key: 'k', at: '2026-11-27T09:00:00.000Z', address: 'Sam@x.example', by: { kind: 'user', id: 'oid-1', name: 'Ana' }, note: 'asked' };
    expect(changeOf(changeRows('sam@x.example', change)[0]!)).toEqual(change);
  });
});
