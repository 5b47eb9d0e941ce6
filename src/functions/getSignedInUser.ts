import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { SIGNED_IN_PREFIX } from '../auth/access.js';
import { callerOf, platformAuthEnabled } from '../auth/caller.js';
import { registerHttpFunction } from '../registry.js';

/** Where App Service Authentication signs a person in with Microsoft Entra ID. */
export const SIGN_IN_PATH = '/.auth/login/aad';

/**
 * GET /api/signed-in/me: who the app takes the caller for, so that the activity page knows whether
 * to use the people's door (a person is signed in), offer to sign in (the platform's sign-in is in
 * front of the app), or ask for a function key. Anonymous: it tells a caller only about themselves.
 */
export async function getSignedInUser(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = callerOf(request);
  if (caller.kind === 'user') return { status: 200, jsonBody: { signedIn: true, ...(caller.name ? { name: caller.name } : {}), roles: caller.roles ?? [] } };
  return { status: 200, jsonBody: { signedIn: false, ...(platformAuthEnabled(process.env) ? { signIn: SIGN_IN_PATH } : {}) } };
}

registerHttpFunction('getSignedInUser', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: `${SIGNED_IN_PREFIX}/me`,
  handler: getSignedInUser,
});
