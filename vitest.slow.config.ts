import { configDefaults, defineConfig } from 'vitest/config';
import base, { SLOW_TESTS } from './vitest.config.js';

/** `npm run test:slow`: the slow cases alone, with the same Azurite set-up as `npm test`. */
export default defineConfig({
  ...base,
  test: { ...base.test, include: [SLOW_TESTS], exclude: configDefaults.exclude },
});
