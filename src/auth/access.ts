/**
 * Who may do what: one pure decision from a route's access level, the door the request came in by,
 * and the caller.
 *
 * Every API route has two doors (docs/authentication.md says why): the machines' door, at its
 * documented path with auth level `function`, where the Functions host has checked the function key
 * before the app runs; and the people's door, the same route under `/api/signed-in/`, anonymous to the
 * host, where the app lets in only a person the platform signed in, holding the role the route needs.
 */
import type { Problem } from '../http/problem.js';
import { CHANGE_ROLE, READ_ROLE, type Caller } from './caller.js';

/** What a route does to the data: reads it, or changes it (erasure, suppression changes). */
export type Access = 'read' | 'change';

export type Door = 'key' | 'signed-in';

/** The people's door of `route` is `signed-in/<route>`, under the Functions host's `api` prefix. */
export const SIGNED_IN_PREFIX = 'signed-in';

/** The roles that allow each access: changing implies reading, since nobody erases what they cannot look up. */
export const ROLES_FOR: Record<Access, readonly string[]> = {
  read: [READ_ROLE, CHANGE_ROLE],
  change: [CHANGE_ROLE],
};

export type Verdict = { allowed: true } | { allowed: false; problem: Problem };

export function authorize(access: Access, door: Door, caller: Caller): Verdict {
  // The host let the request in with a key (in Azure), or checks no key at all (locally, as func start).
  if (door === 'key') return { allowed: true };
  if (caller.kind !== 'user') {
    return { allowed: false, problem: { status: 401, title: 'Unauthorized', detail: 'Sign in with Microsoft Entra ID (/.auth/login/aad), or call the route without /signed-in with a function key.' } };
  }
  const held = new Set(caller.roles ?? []);
  if (ROLES_FOR[access].some((role) => held.has(role))) return { allowed: true };
  return {
    allowed: false,
    problem: { status: 403, title: 'Forbidden', detail: `This needs the app role ${ROLES_FOR[access].join(' or ')}; ask the app's owner to assign it to you.` },
  };
}
