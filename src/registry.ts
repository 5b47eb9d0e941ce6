/**
 * Every function the app has, registered with the Functions host and recorded here, so that the local
 * host serves exactly the same functions from the same definitions.
 */
import { app, type EventGridFunctionOptions, type HttpFunctionOptions, type HttpMethod, type TimerFunctionOptions } from '@azure/functions';
import { SIGNED_IN_PREFIX } from './auth/access.js';
import type { ApiHandler } from './http/jsonRoute.js';

export type FunctionRegistration =
  | { trigger: 'http'; name: string; options: HttpFunctionOptions }
  | { trigger: 'eventGrid'; name: string; options: EventGridFunctionOptions }
  | { trigger: 'timer'; name: string; options: TimerFunctionOptions; scheduleSetting: string };

const registrations: FunctionRegistration[] = [];

/**
 * A function that answers GET answers HEAD too, as HTTP asks (RFC 9110, 9.3.2): the Functions host
 * routes only the methods registered (azure-functions-host#11625), and then drops the body of a HEAD
 * answer itself (Kestrel writes none), as Node's HTTP server does for the local host.
 */
export function registerHttpFunction(name: string, options: HttpFunctionOptions): void {
  const methods = options.methods?.includes('GET') && !options.methods.includes('HEAD') ? { methods: [...options.methods, 'HEAD' as const] } : {};
  const registered = { ...options, ...methods };
  app.http(name, registered);
  registrations.push({ trigger: 'http', name, options: registered });
}

/**
 * An API route, at its two doors (src/auth/access.ts): `<route>` for machines, behind a function key
 * the Functions host checks, and `signed-in/<route>` (function `<name>SignedIn`) for people signed in
 * with Microsoft Entra ID, anonymous to the host, where the handler checks the person's app role.
 */
export function registerApiFunction(name: string, options: { methods: HttpMethod[]; route: string; handler: ApiHandler }): void {
  registerHttpFunction(name, { methods: options.methods, authLevel: 'function', route: options.route, handler: options.handler });
  registerHttpFunction(`${name}SignedIn`, { methods: options.methods, authLevel: 'anonymous', route: `${SIGNED_IN_PREFIX}/${options.route}`, handler: options.handler.signedIn });
}

export function registerEventGridFunction(name: string, options: EventGridFunctionOptions): void {
  app.eventGrid(name, options);
  registrations.push({ trigger: 'eventGrid', name, options });
}

/** `scheduleSetting` names the setting the schedule comes from, so that a schedule the local host cannot run names it. */
export function registerTimerFunction(name: string, options: TimerFunctionOptions, scheduleSetting: string): void {
  app.timer(name, options);
  registrations.push({ trigger: 'timer', name, options, scheduleSetting });
}

export function registeredFunctions(): readonly FunctionRegistration[] {
  return registrations;
}
