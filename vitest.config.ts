import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Cases that take minutes on a shared 2-core machine (floods and faults): `npm run test:slow` runs
 * them (vitest.slow.config.ts), and `.ci/run` runs both; `npm test` leaves them out.
 */
export const SLOW_TESTS = 'test/**/*.slow.test.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, SLOW_TESTS],
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
