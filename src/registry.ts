/**
 * Every function the app has, registered with the Functions host and recorded here, so that the local
 * host serves exactly the same functions from the same definitions.
 */
import { app, type EventGridFunctionOptions, type HttpFunctionOptions } from '@azure/functions';

export type FunctionRegistration =
  | { trigger: 'http'; name: string; options: HttpFunctionOptions }
  | { trigger: 'eventGrid'; name: string; options: EventGridFunctionOptions };

const registrations: FunctionRegistration[] = [];

export function registerHttpFunction(name: string, options: HttpFunctionOptions): void {
  app.http(name, options);
  registrations.push({ trigger: 'http', name, options });
}

export function registerEventGridFunction(name: string, options: EventGridFunctionOptions): void {
  app.eventGrid(name, options);
  registrations.push({ trigger: 'eventGrid', name, options });
}

export function registeredFunctions(): readonly FunctionRegistration[] {
  return registrations;
}
