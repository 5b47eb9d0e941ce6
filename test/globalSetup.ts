/** Starts one in-memory Azurite for the whole test run, on a free port, and hands its address to the tests. */
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../scripts/azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

export default async function setup(project: TestProject) {
  const azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  return () => azurite.stop();
}
