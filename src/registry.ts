/**
 * Every function the app has, registered with the Functions host and recorded here, so that the local
 * host serves exactly the same functions from the same definitions.
 */
import { app, type EventGridFunctionOptions, type HttpFunctionOptions, type TimerFunctionOptions } from '@azure/functions';

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
