/**
 * Sign-in and roles: who the app takes a caller for (src/auth/caller.ts), the one decision of who may
 * do what (src/auth/access.ts), and both doors of the real handlers against Azurite: a reader, a
 * changer, a person with no role, nobody, and a forged principal against an app without the
 * platform's authentication in front of it.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authorize, type Access, type Door } from '../src/auth/access.js';
import { CHANGE_ROLE, READ_ROLE, callerFrom, type Caller } from '../src/auth/caller.js';
import type { ApiHandler } from '../src/http/jsonRoute.js';
import { API_ACCESS } from '../src/http/openApi.js';
import { registeredFunctions } from '../src/registry.js';
import { appSettings } from '../src/settings.js';
import { ingestEvent } from '../src/ingest.js';
import { seedDeliveryReport } from '../scripts/sampleEvents.js';
import { platformPrincipalHeaders, localUserOf, type PlatformUser } from '../scripts/localSignIn.js';
import { recordingContext, rowsOf } from './helpers.js';
import { call } from './http.js';

const PLATFORM_ON = { WEBSITE_AUTH_ENABLED: 'True', WEBSITE_SITE_NAME: 'acs-email-status-prod' };
const headersOf = (values: Record<string, string>) => new Headers(values);

const reader: PlatformUser = { id: '11111111-1111-4111-8111-111111111111', name: 'Rita Reader', roles: [READ_ROLE] };
const changer: PlatformUser = { id: '22222222-2222-4222-8222-222222222222', name: 'Chad Changer', roles: [CHANGE_ROLE] };
const roleless: PlatformUser = { id: '33333333-3333-4333-8333-333333333333', name: 'Nora Norole', roles: [] };

describe('callerOf: who the app takes a caller for', () => {
  it('a person, from the platform principal, when the platform authentication is in front of the app', () => {
    expect(callerFrom(headersOf(platformPrincipalHeaders(changer)), PLATFORM_ON)).toEqual({ kind: 'user', id: changer.id, name: changer.name, roles: [CHANGE_ROLE] });
  });

  it('reads the roles whichever claim type the platform names them by, and the name from preferred_username when there is no name', () => {
    const principal = {
      auth_typ: 'aad',
      claims: [
        { typ: 'oid', val: 'abc' },
        { typ: 'preferred_username', val: 'dana@contoso.com' },
        { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: READ_ROLE },
        { typ: 'roles', val: READ_ROLE },
      ],
      name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
    };
    const header = Buffer.from(JSON.stringify(principal)).toString('base64');
    expect(callerFrom(headersOf({ 'x-ms-client-principal': header }), PLATFORM_ON)).toEqual({ kind: 'user', id: 'abc', name: 'dana@contoso.com', roles: [READ_ROLE] });
  });

  it('nobody, from a header that is not a principal: not base64 JSON, no claims, or far too long', () => {
    for (const header of ['not base64 at all', Buffer.from('[1,2]').toString('base64'), Buffer.from('{"claims":"x"}').toString('base64'), 'A'.repeat(40_000)]) {
      expect(callerFrom(headersOf({ 'x-ms-client-principal': header }), PLATFORM_ON)).toEqual({ kind: 'key' });
    }
  });

  it('a forged principal, without the platform authentication in front, is nobody: exactly what an anonymous request is', () => {
    const anonymous = { local: callerFrom(headersOf({}), {}), azure: callerFrom(headersOf({}), { WEBSITE_SITE_NAME: 'app' }) };
    expect(anonymous).toEqual({ local: { kind: 'local' }, azure: { kind: 'key' } });
    fc.assert(
      fc.property(
        fc.record({ id: fc.uuid(), name: fc.string(), roles: fc.subarray([READ_ROLE, CHANGE_ROLE]) }),
        fc.constantFrom<Record<string, string>>({}, { WEBSITE_AUTH_ENABLED: 'False' }, { WEBSITE_AUTH_ENABLED: '' }, { WEBSITE_AUTH_ENABLED: 'yes' }),
        fc.boolean(),
        (user, platform, inAzure) => {
          const env = { ...platform, ...(inAzure ? { WEBSITE_SITE_NAME: 'app' } : {}) };
          expect(callerFrom(headersOf(platformPrincipalHeaders(user)), env)).toEqual(inAzure ? anonymous.azure : anonymous.local);
        },
      ),
    );
  });
});

describe('authorize: access level × door × caller', () => {
  const callers: Record<string, Caller> = {
    key: { kind: 'key' },
    local: { kind: 'local' },
    reader: { kind: 'user', id: reader.id, roles: reader.roles },
    changer: { kind: 'user', id: changer.id, roles: changer.roles },
    roleless: { kind: 'user', id: roleless.id, roles: [] },
  };
  const cases: [Access, Door, keyof typeof callers, number | 'allowed'][] = [
    ['read', 'key', 'key', 'allowed'],
    ['change', 'key', 'key', 'allowed'],
    ['change', 'key', 'local', 'allowed'],
    ['read', 'signed-in', 'key', 401],
    ['change', 'signed-in', 'local', 401],
    ['read', 'signed-in', 'reader', 'allowed'],
    ['change', 'signed-in', 'reader', 403],
    ['read', 'signed-in', 'changer', 'allowed'],
    ['change', 'signed-in', 'changer', 'allowed'],
    ['read', 'signed-in', 'roleless', 403],
    ['change', 'signed-in', 'roleless', 403],
  ];
  it.each(cases)('%s at the %s door by %s: %s', (access, door, caller, expected) => {
    const verdict = authorize(access, door, callers[caller]!);
    expect(verdict.allowed ? 'allowed' : verdict.problem.status).toBe(expected);
  });
});

describe('both doors of every API route, against Azurite', () => {
  afterEach(() => vi.unstubAllEnvs());
  const signedInAs = (user: PlatformUser) => platformPrincipalHeaders(user);

  async function seed(): Promise<{ messageId: string; address: string }> {
    const messageId = randomUUID();
    const address = `auth-${randomUUID().slice(0, 8)}@contoso.com`;
    await ingestEvent({ ...seedDeliveryReport, id: randomUUID(), data: { ...seedDeliveryReport.data, messageId, recipient: address } }, recordingContext().context);
    return { messageId, address };
  }

  it('every API function has a people\'s door with the same access level, anonymous to the host, under /api/signed-in/', () => {
    const http = registeredFunctions().filter((fn) => fn.trigger === 'http');
    const keyed = http.filter((fn) => fn.trigger === 'http' && fn.options.authLevel === 'function');
    expect(keyed.map((fn) => fn.name).sort()).toEqual(['addSuppression', 'eraseMessage', 'eraseRecipient', 'getInternetMessage', 'getMessageStatus', 'getRecipient', 'getStatistics', 'getSuppression', 'listDayMessages', 'listRecipientMessages', 'listSuppressions', 'reactivateSuppression']);
    for (const fn of keyed) {
      if (fn.trigger !== 'http') continue;
      const door = http.find((other) => other.name === `${fn.name}SignedIn`);
      expect(door?.trigger === 'http' && door.options).toMatchObject({ authLevel: 'anonymous', route: `signed-in/${fn.options.route}`, methods: fn.options.methods });
      // The OpenAPI document names the roles from the same access level the function declares.
      expect((fn.options.handler as ApiHandler).access).toBe(API_ACCESS[fn.name]);
    }
    // No function is at the admin level any more: erasure takes no master key.
    expect(http.filter((fn) => fn.trigger === 'http' && fn.options.authLevel === 'admin')).toEqual([]);
  });

  it('a reader reads at the people\'s door and may not erase (403); nobody gets 401; the machines\' door still serves', async () => {
    vi.stubEnv('WEBSITE_AUTH_ENABLED', 'True');
    const { messageId, address } = await seed();
    expect((await call('getMessageStatusSignedIn', { messageId }, {}, { headers: signedInAs(reader) })).body).toMatchObject({ messageId, recipients: [{ recipient: address }] });
    expect((await call('getRecipientSignedIn', { address }, {}, { headers: signedInAs(reader) })).status).toBe(200);
    expect((await call('listRecipientMessagesSignedIn', { address }, {}, { headers: signedInAs(reader) })).status).toBe(200);
    expect((await call('eraseMessageSignedIn', { messageId }, {}, { headers: signedInAs(reader) })).body).toMatchObject({ status: 403, title: 'Forbidden' });
    expect((await call('eraseRecipientSignedIn', { address }, {}, { headers: signedInAs(reader) })).status).toBe(403);
    expect((await call('getMessageStatusSignedIn', { messageId })).body).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect((await call('getMessageStatus', { messageId })).status).toBe(200);
  });

  it('a person with no role gets 403 for reading and for erasing, and the data stays', async () => {
    vi.stubEnv('WEBSITE_AUTH_ENABLED', 'True');
    const { messageId, address } = await seed();
    expect((await call('getMessageStatusSignedIn', { messageId }, {}, { headers: signedInAs(roleless) })).status).toBe(403);
    expect((await call('getInternetMessageSignedIn', { internetMessageId: 'x@y' }, {}, { headers: signedInAs(roleless) })).status).toBe(403);
    expect((await call('eraseRecipientSignedIn', { address }, {}, { headers: signedInAs(roleless) })).status).toBe(403);
    expect((await call('getRecipient', { address })).status).toBe(200);
  });

  it('a changer erases at the people\'s door, and the erasure record names them by object id and name; a key erasure is recorded as a key', async () => {
    vi.stubEnv('WEBSITE_AUTH_ENABLED', 'True');
    vi.stubEnv('WEBSITE_SITE_NAME', 'acs-email-status-test');
    const first = await seed();
    const second = await seed();
    expect((await call('getMessageStatusSignedIn', { messageId: first.messageId }, {}, { headers: signedInAs(changer) })).status).toBe(200);
    const erasure = await call('eraseMessageSignedIn', { messageId: first.messageId }, {}, { headers: signedInAs(changer) });
    expect(erasure.status).toBe(204);
    // The log says a person erased, never who: names are personal data.
    expect(JSON.stringify(erasure.logs)).not.toContain(changer.name);
    expect((await call('getMessageStatus', { messageId: first.messageId })).status).toBe(404);
    expect((await call('eraseRecipient', { address: second.address })).status).toBe(204);
    // The log keeps no target (SECURITY.md): the changer's erasure is the message erasure they made.
    const records = (await rowsOf(appSettings().indexTable, 'erasure|log')).filter((row) => row.rows !== undefined);
    expect(records.find((row) => row.kind === 'message' && row.requestedById === changer.id)).toMatchObject({ kind: 'message', requestedByKind: 'user', requestedById: changer.id, requestedByName: changer.name });
    const byKey = records.filter((row) => row.kind === 'recipient' && row.requestedByKind === 'key');
    expect(byKey.length).toBeGreaterThan(0);
    expect(byKey.every((row) => row.requestedById === undefined && row.requestedByName === undefined)).toBe(true);
  });

  it('a forged principal against an app without the platform authentication gets what nobody gets: 401 at the people\'s door', async () => {
    vi.stubEnv('WEBSITE_AUTH_ENABLED', '');
    const { messageId, address } = await seed();
    expect((await call('getMessageStatusSignedIn', { messageId }, {}, { headers: signedInAs(changer) })).status).toBe(401);
    expect((await call('eraseRecipientSignedIn', { address }, {}, { headers: signedInAs(changer) })).status).toBe(401);
    expect((await call('getRecipient', { address })).status).toBe(200);
    expect((await call('getSignedInUser', {}, {}, { headers: signedInAs(changer) })).body).toEqual({ signedIn: false });
  });

  it('GET /api/signed-in/me says who is signed in, or where to sign in when the platform sign-in is in front', async () => {
    vi.stubEnv('WEBSITE_AUTH_ENABLED', 'True');
    expect((await call('getSignedInUser', {}, {}, { headers: signedInAs(reader) })).body).toEqual({ signedIn: true, name: reader.name, roles: [READ_ROLE] });
    expect((await call('getSignedInUser', {})).body).toEqual({ signedIn: false, signIn: '/.auth/login/aad' });
  });
});

describe('EmailEventsLocalSignIn: the local host signs in as one person', () => {
  it('as a reader, a changer, or a person with no role, with a stable id for the name; anything else is one line naming the setting', () => {
    expect(localUserOf({})).toBeUndefined();
    const dana = localUserOf({ EmailEventsLocalSignIn: 'Change', EmailEventsLocalUserName: 'Dana' });
    expect(dana).toMatchObject({ name: 'Dana', roles: [CHANGE_ROLE] });
    expect(localUserOf({ EmailEventsLocalSignIn: 'change', EmailEventsLocalUserName: 'Dana' })?.id).toBe(dana?.id);
    expect(localUserOf({ EmailEventsLocalSignIn: 'read' })).toMatchObject({ name: 'Local User', roles: [READ_ROLE] });
    expect(localUserOf({ EmailEventsLocalSignIn: 'none' })?.roles).toEqual([]);
    expect(() => localUserOf({ EmailEventsLocalSignIn: 'admin' })).toThrow(/^Setting EmailEventsLocalSignIn must be read, change or none/);
  });
});
