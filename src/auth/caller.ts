/**
 * Who is calling: read once, at the edge, from the request, and passed on as data (a change to the
 * suppression list records it). Under the Functions host an admin-level route is reached only with the
 * host's admin key, so a caller there is that key; the local host checks no keys, so a call that
 * reaches it from this machine is the local user.
 */
import type { HttpRequest } from '@azure/functions';

export interface Caller {
  kind: 'user' | 'key' | 'local';
  id?: string;
  name?: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function callerOf(request: HttpRequest): Caller {
  return LOOPBACK.has(new URL(request.url).hostname) ? { kind: 'local' } : { kind: 'key' };
}
