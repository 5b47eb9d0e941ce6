/**
 * What the functions load on their first invocation, not when the host loads the entry point: every
 * instance loads every function file at start-up, and most instances run only some of the functions.
 */
import type { EventStore } from '../storage/eventStore.js';

export const ingestEvent = async (...args: Parameters<typeof import('../ingest.js').ingestEvent>) => (await import('../ingest.js')).ingestEvent(...args);

export const eventStore = async (): Promise<EventStore> => (await import('../storage/eventStore.js')).defaultEventStore();
