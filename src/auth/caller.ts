/**
 * Who is calling: the one place that reads the caller's identity from a request. Everything deeper
 * down gets the Caller as data (an erasure records it) and never looks at the request again.
 *
 * A person is known only from App Service Authentication's `X-MS-CLIENT-PRINCIPAL` header (base64
 * JSON of the token's claims), and only when the platform's authentication is in front of the app:
 * App Service then sets `WEBSITE_AUTH_ENABLED=True` in the app's environment and removes any such
 * header a client sends. Without it anybody can send the header, so it is ignored: a forged principal
 * gets exactly what an anonymous request gets. docs/authentication.md cites the documentation.
 */
import type { HttpRequest } from '@azure/functions';

/** The app roles of the app registration (their `value`s), as tokens carry them in the `roles` claim. */
export const READ_ROLE = 'EmailStatus.Read';
export const CHANGE_ROLE = 'EmailStatus.Change';

export interface Caller {
  /**
   * `user`: a person signed in with Microsoft Entra ID, through the platform. `key`: no person; in
   * Azure such a request reaches a route only with a key the Functions host has checked (routes for
   * people refuse it). `local`: no person, and not in Azure: locally no key is checked.
   */
  kind: 'user' | 'key' | 'local';
  /** The principal's object id (the `oid` claim): stable, and what Entra ID's audit logs name. */
  id?: string;
  /** The principal's display name or sign-in name, for people reading a record. */
  name?: string;
  /** The app roles the principal holds (only for `user`). */
  roles?: readonly string[];
}

/** The setting App Service sets ("True") when its authentication runs in front of the app. */
export const PLATFORM_AUTH_SETTING = 'WEBSITE_AUTH_ENABLED';
/** App Service sets the app's name here; Core Tools and the local host do not. */
export const SITE_NAME_SETTING = 'WEBSITE_SITE_NAME';
export const PRINCIPAL_HEADER = 'x-ms-client-principal';

/** Larger than any principal the platform sends (a token's claims); a bigger header is not read. */
const MAX_PRINCIPAL_HEADER_LENGTH = 32 * 1024;
const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const NAME_CLAIMS = ['name', 'preferred_username', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];
const ROLE_CLAIMS = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];

type Env = Record<string, string | undefined>;
type Headers = { get(name: string): string | null };

/** Whether the platform's authentication is in front of the app, as the platform itself says. */
export const platformAuthEnabled = (env: Env): boolean => /^true$/i.test(env[PLATFORM_AUTH_SETTING]?.trim() ?? '');

interface ClientPrincipal {
  claims: { typ: string; val: string }[];
  nameType: string | undefined;
  roleType: string | undefined;
}

/** The decoded header, or undefined when it is missing or not the platform's shape. */
function clientPrincipal(header: string | null): ClientPrincipal | undefined {
  if (header === null || header.length > MAX_PRINCIPAL_HEADER_LENGTH) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { claims?: unknown }).claims)) return undefined;
  const { claims, name_typ: nameType, role_typ: roleType } = parsed as { claims: unknown[]; name_typ?: unknown; role_typ?: unknown };
  return {
    claims: claims.filter((claim): claim is { typ: string; val: string } => typeof (claim as { typ?: unknown })?.typ === 'string' && typeof (claim as { val?: unknown })?.val === 'string'),
    nameType: typeof nameType === 'string' ? nameType : undefined,
    roleType: typeof roleType === 'string' ? roleType : undefined,
  };
}

const firstClaim = (principal: ClientPrincipal, types: readonly string[]): string | undefined =>
  types.map((type) => principal.claims.find((claim) => claim.typ === type)?.val).find((value) => value !== undefined && value !== '');

/** The caller, from the request's headers and the app's environment. Pure: the environment comes in. */
export function callerFrom(headers: Headers, env: Env): Caller {
  const principal = platformAuthEnabled(env) ? clientPrincipal(headers.get(PRINCIPAL_HEADER)) : undefined;
  if (principal === undefined) return { kind: env[SITE_NAME_SETTING]?.trim() ? 'key' : 'local' };
  const id = firstClaim(principal, OBJECT_ID_CLAIMS) ?? headers.get(`${PRINCIPAL_HEADER}-id`) ?? undefined;
  const name = firstClaim(principal, [...(principal.nameType ? [principal.nameType] : []), ...NAME_CLAIMS]) ?? headers.get(`${PRINCIPAL_HEADER}-name`) ?? undefined;
  const roleTypes = new Set([...(principal.roleType ? [principal.roleType] : []), ...ROLE_CLAIMS]);
  const roles = [...new Set(principal.claims.filter((claim) => roleTypes.has(claim.typ)).map((claim) => claim.val))];
  return { kind: 'user', ...(id ? { id } : {}), ...(name ? { name } : {}), roles };
}

/** The caller of a request, in this app's environment. */
export function callerOf(request: HttpRequest): Caller {
  return callerFrom(request.headers, process.env);
}
