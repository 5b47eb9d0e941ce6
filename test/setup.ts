/** Points the app's settings at the test Azurite before any app module reads them. */
import { inject } from 'vitest';
import { silenceTestModeWarnings } from '../scripts/testModeWarnings.js';

process.env.EmailEventsStorage = inject('azuriteConnectionString');
delete process.env.EmailEventsTable;
delete process.env.EmailEventsRedactLinks;
// Tests share the default tables; retention against them would delete other tests' old sample events.
// The retention tests run it on tables of their own.
process.env.EmailEventsRetentionDays = '0';
// The tests load the app many times outside the Functions host: without this, every load prints a
// "Skipping call to register function" line per function, burying what else npm test says.
silenceTestModeWarnings();
