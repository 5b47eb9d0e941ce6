import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { SIGNED_IN_PREFIX } from '../auth/access.js';
import { callerOf, platformAuthEnabled } from '../auth/caller.js';
import { jsonAnswer } from '../http/jsonRoute.js';
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
  // A person's name is personal data: answered like every other API answer (no cache keeps it).
  if (caller.kind === 'user') return jsonAnswer({ signedIn: true, ...(caller.name ? { name: caller.name } : {}), roles: caller.roles ?? [] });
  return jsonAnswer({ signedIn: false, ...(platformAuthEnabled(process.env) ? { signIn: SIGN_IN_PATH } : {}) });
}

registerHttpFunction('getSignedInUser', {
  methods: ['GET'],
  authLevel: 'anonymous',
  route: `${SIGNED_IN_PREFIX}/me`,
  handler: getSignedInUser,
});
