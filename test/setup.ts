/** Points the app's settings at the test Azurite before any app module reads them. */
import { inject } from 'vitest';

process.env.EmailEventsStorage = inject('azuriteConnectionString');
delete process.env.EmailEventsTable;
delete process.env.EmailEventsRedactLinks;
