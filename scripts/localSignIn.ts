/**
 * The local host's stand-in for App Service Authentication: with EmailEventsLocalSignIn set, every
 * request arrives as from one signed-in person, as the platform would pass them on (the
 * `X-MS-CLIENT-PRINCIPAL` headers, in the documented shape), and the app is told that the platform's
 * authentication is in front of it (WEBSITE_AUTH_ENABLED=True). As in Azure, whatever principal
 * headers a client sends are removed first, so that locally, too, nobody can claim to be someone.
 */
import { createHash } from 'node:crypto';
import { CHANGE_ROLE, READ_ROLE } from '../src/auth/caller.js';
import { SettingsError } from '../src/settings.js';

export const LOCAL_SIGN_IN_SETTING = 'EmailEventsLocalSignIn';
export const LOCAL_USER_NAME_SETTING = 'EmailEventsLocalUserName';
const DEFAULT_LOCAL_USER_NAME = 'Local User';

/** The roles each value of EmailEventsLocalSignIn signs in with; `none` is a person with no role (403 everywhere). */
const ROLES_OF: Record<string, string[]> = { read: [READ_ROLE], change: [CHANGE_ROLE], none: [] };

export interface PlatformUser {
  /** An object id, as Entra ID gives each principal. */
  id: string;
  name: string;
  roles: readonly string[];
}

/** The person to sign in as, from the settings; undefined when nobody is. A bad value is one line naming the setting. */
export function localUserOf(env: Record<string, string | undefined>): PlatformUser | undefined {
  const choice = env[LOCAL_SIGN_IN_SETTING]?.trim().toLowerCase();
  if (!choice) return undefined;
  const roles = ROLES_OF[choice];
  if (roles === undefined) throw new SettingsError(`Setting ${LOCAL_SIGN_IN_SETTING} must be read, change or none (a person with no role); it is "${env[LOCAL_SIGN_IN_SETTING]}".`);
  const name = env[LOCAL_USER_NAME_SETTING]?.trim() || DEFAULT_LOCAL_USER_NAME;
  return { id: objectIdFor(name), name, roles };
}

/** The same name always gets the same id, so that records made locally name one person. */
function objectIdFor(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The headers App Service Authentication adds for a person signed in with Microsoft Entra ID: the
 * principal as base64 JSON of its claims (with the claim types Entra ID uses for its roles and name),
 * and its id, name and identity provider on their own.
 */
export function platformPrincipalHeaders(user: PlatformUser): Record<string, string> {
  const principal = {
    auth_typ: 'aad',
    claims: [
      { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: user.id },
      { typ: 'name', val: user.name },
      ...user.roles.map((role) => ({ typ: 'roles', val: role })),
    ],
    name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  };
  return {
    'x-ms-client-principal': Buffer.from(JSON.stringify(principal)).toString('base64'),
    'x-ms-client-principal-id': user.id,
    'x-ms-client-principal-name': user.name,
    'x-ms-client-principal-idp': 'aad',
  };
}

/** Whether a header is one that only the platform may set (App Service removes them from client requests). */
export const isPlatformPrincipalHeader = (name: string): boolean => name.toLowerCase().startsWith('x-ms-client-principal');
