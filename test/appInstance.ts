/**
 * The app, served over real HTTP by the local host, with settings of its own. The app reads its
 * settings once per process (src/settings.ts), so each instance is loaded as a fresh module graph:
 * several apps, on several tables or storage endpoints, can run side by side in one test file.
 */
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import { createLocalHost, type Log } from '../scripts/localHost.js';
import type { FunctionRegistration } from '../src/registry.js';

/** The functions of a fresh instance of the app, configured from `env`. */
export async function loadApp(env: Record<string, string>): Promise<readonly FunctionRegistration[]> {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    // The entry point reads and keeps the settings; the registry then holds this instance's functions.
    await import('../src/index.js');
    return (await import('../src/registry.js')).registeredFunctions();
  } finally {
    vi.unstubAllEnvs();
  }
}

/** Serves the app's functions on a free port of 127.0.0.1, as `npm start` does without Core Tools. */
export async function serveApp(env: Record<string, string>, log: Log = () => {}): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const host = createLocalHost(await loadApp(env), log);
  await new Promise<void>((listening) => host.listen(0, '127.0.0.1', listening));
  return {
    baseUrl: `http://127.0.0.1:${(host.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((closed) => {
        host.closeAllConnections();
        host.close(() => closed());
      }),
  };
}
