/** npm test and npm start show every warning but @azure/functions' test-mode ones, which flooded npm test's output. */
import { randomUUID } from 'node:crypto';
import { app } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { silenceTestModeWarnings, silencesTestModeWarnings } from '../scripts/testModeWarnings.js';

describe("@azure/functions' test-mode warnings", () => {
  it('are dropped, and every other warning shows', () => {
    const shown: unknown[][] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void shown.push(args);
    const restore = silenceTestModeWarnings();
    try {
      // The real library, outside the Functions host: it skips the registration, with its warning.
      app.http(`probe${randomUUID().slice(0, 8)}`, { handler: async () => ({}) });
      console.warn('WARNING: something else entirely');
      console.warn('Browser tests skipped: no Chromium.');
    } finally {
      restore();
      console.warn = original;
    }
    expect(shown).toEqual([['WARNING: something else entirely'], ['Browser tests skipped: no Chromium.']]);
  });

  it('are dropped in every test file, by the setup', () => {
    expect(silencesTestModeWarnings()).toBe(true);
  });
});
