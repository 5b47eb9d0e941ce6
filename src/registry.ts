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

export function registerHttpFunction(name: string, options: HttpFunctionOptions): void {
  app.http(name, options);
  registrations.push({ trigger: 'http', name, options });
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
