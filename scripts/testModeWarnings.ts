/**
 * Outside the Functions host, @azure/functions warns that it runs in "test mode", and again for every
 * function it then skips registering. The local host (npm start) and the tests stand in for the host,
 * serving those registrations, so the warnings say nothing useful there: 16 lines per app instance, and
 * the tests load many. These helpers drop exactly those warnings; every other warning still shows.
 */

/** Whether console.warn's arguments are one of @azure/functions' test-mode warnings. */
export const isTestModeWarning = (args: readonly unknown[]): boolean => typeof args[0] === 'string' && args[0].startsWith('WARNING:') && args[0].includes('"@azure/functions" package') && args[0].includes('test mode');

const SILENCING = Symbol('silences @azure/functions test-mode warnings');

/** Whether console.warn drops the test-mode warnings now. */
export const silencesTestModeWarnings = (): boolean => SILENCING in console.warn;

/** Drops the test-mode warnings from console.warn until the returned function is called (once in place, a second call changes nothing). */
export function silenceTestModeWarnings(): () => void {
  if (silencesTestModeWarnings()) return () => {};
  const warn = console.warn;
  console.warn = Object.assign((...args: unknown[]) => void (isTestModeWarning(args) || warn(...args)), { [SILENCING]: true });
  return () => {
    console.warn = warn;
  };
}
