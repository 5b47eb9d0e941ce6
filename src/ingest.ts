/**
 * The one ingest path both Event Grid functions run: normalize, then one storage request.
 * A storage failure propagates, so the invocation fails and Event Grid redelivers the event;
 * an event that can never be stored is quarantined and the invocation succeeds.
 */
import type { InvocationContext } from '@azure/functions';
import { errorFacts } from './errors.js';
import { loggedFields } from './logs/loggedValue.js';
import { appSettings } from './settings.js';
import { defaultEventStore, type EventStore } from './storage/eventStore.js';
import { normalizeEvent } from './events/normalize.js';

/** `what` is what the log may quote of the event (loggedFields). */
async function logFailure<T>(context: InvocationContext, what: Record<string, unknown>, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    context.error('Storing the email event failed; the invocation fails so that Event Grid retries it.', { ...what, ...errorFacts(error) });
    throw error;
  }
}

/** What became of an event: stored, already there (a redelivery), or quarantined. */
export type IngestResult = 'stored' | 'duplicate' | 'quarantined';

/** What the ingest path works with; each defaults to what the app settings configure. */
export interface IngestDependencies {
  store?: EventStore;
  /** Store clicked links without their query values (EmailEventsRedactLinks). */
  redactLinks?: boolean;
}

export async function ingestEvent(raw: unknown, context: InvocationContext, dependencies: IngestDependencies = {}): Promise<IngestResult> {
  const store = dependencies.store ?? defaultEventStore();
  const normalized = normalizeEvent(raw, { redactLinks: dependencies.redactLinks ?? appSettings().redactLinks });
  if (normalized.outcome === 'accepted') {
    const { event } = normalized;
    // Ids are GUIDs in practice; one that is not (an address, a token, a megabyte) is logged as loggedFields allows.
    const fields = loggedFields({ messageId: event.messageId, eventId: event.eventId, eventType: event.eventType });
    const result = await logFailure(context, fields, () => store.append(event, new Date().toISOString()));
    context.info(result === 'stored' ? 'Email event stored.' : 'Email event already stored: a redelivery.', { ...fields, result, occurredAt: event.occurredAt });
    if (event.truncatedFields.length > 0) {
      context.warn('Email event fields were cut to fit Table Storage.', { ...fields, truncatedFields: event.truncatedFields });
    }
    return result;
  }
  const { reason, detail, eventType, eventId, kept } = normalized;
  const fields = { reason, detail, eventType, eventId };
  // What made the event unusable is often exactly what must not be logged: an unknown type that is an address, a token or a megabyte.
  const logged = loggedFields(fields);
  const result = await logFailure(context, logged, () =>
    store.quarantine({ ...fields, functionName: context.functionName, receivedAt: new Date().toISOString(), raw: kept }),
  );
  context.warn('Email event quarantined: it can never be stored as an email event.', { ...logged, result });
  return 'quarantined';
}
