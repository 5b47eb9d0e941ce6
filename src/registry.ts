/**
 * Every function the app has, registered with the Functions host and recorded here, so that the local
 * host serves exactly the same functions from the same definitions.
 */
import { app, type EventGridFunctionOptions, type HttpFunctionOptions, type TimerFunctionOptions } from '@azure/functions';

export type FunctionRegistration =
  | { trigger: 'http'; name: string; options: HttpFunctionOptions }
  | { trigger: 'eventGrid'; name: string; options: EventGridFunctionOptions }
  | { trigger: 'timer'; name: string; options: TimerFunctionOptions };

const registrations: FunctionRegistration[] = [];

export function registerHttpFunction(name: string, options: HttpFunctionOptions): void {
  app.http(name, options);
  registrations.push({ trigger: 'http', name, options });
}

export function registerEventGridFunction(name: string, options: EventGridFunctionOptions): void {
  app.eventGrid(name, options);
  registrations.push({ trigger: 'eventGrid', name, options });
}

export function registerTimerFunction(name: string, options: TimerFunctionOptions): void {
  app.timer(name, options);
  registrations.push({ trigger: 'timer', name, options });
}

export function registeredFunctions(): readonly FunctionRegistration[] {
  return registrations;
}
