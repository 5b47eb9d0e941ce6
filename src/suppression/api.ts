/**
 * What the suppression routes answer, from the store: the list, an entry with its history, a change by
 * hand, and the address overview with its entry. Who made a change comes in as data (auth/caller.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import { encodeSuppressionPageToken, type ManualChangeRequest, type SuppressionListRequest } from '../http/suppressionRequests.js';
import type { EventStore } from '../storage/eventStore.js';
import { recipientOverview } from '../storage/lookups.js';
import { recipientSummary, type RecipientSummary } from '../status/recipientStatus.js';
import { changeKey } from './keys.js';
import type { SuppressionChange } from './policy.js';
import { historyView, type ChangeView, type SuppressionEntry } from './state.js';
import { addressHistory, entryOf, recordChange, suppressionPage } from './store.js';

export interface SuppressionListBody {
  entries: SuppressionEntry[];
  nextPageToken?: string;
}

export async function suppressionListBody(store: EventStore, request: SuppressionListRequest, syncConfigured: boolean): Promise<SuppressionListBody> {
  const page = await suppressionPage(store, request, syncConfigured);
  return { entries: page.entries, ...(page.next === undefined ? {} : { nextPageToken: encodeSuppressionPageToken(request, page.next) }) };
}

export type EntryBody = SuppressionEntry & { changes: ChangeView[] };

/** An address's entry with its history, newest change first; undefined when it has none. */
export async function entryBody(store: EventStore, normalizedAddress: string, syncConfigured: boolean): Promise<EntryBody | undefined> {
  const history = await addressHistory(store, normalizedAddress);
  const entry = entryOf(history, syncConfigured);
  return entry && { ...entry, changes: historyView(history.changes) };
}

function manualChange(kind: 'add' | 'reactivate', request: ManualChangeRequest, by: Caller, now: Date): SuppressionChange {
  return { kind, key: changeKey(kind, randomUUID()), at: now.toISOString(), address: request.typed, by, note: request.note };
}

/** Adds an address by hand (again, when it is there already: the note is recorded), and answers its entry. */
export async function addByHand(store: EventStore, request: ManualChangeRequest, by: Caller, now: Date, syncConfigured: boolean): Promise<EntryBody> {
  await recordChange(store, request.address, manualChange('add', request, by, now));
  return (await entryBody(store, request.address, syncConfigured))!;
}

/**
 * Reactivates a suppressed address, and answers its entry; undefined when the address has no entry.
 * An entry that is not suppressed is answered as it is, and nothing is recorded.
 */
export async function reactivate(store: EventStore, request: ManualChangeRequest, by: Caller, now: Date, syncConfigured: boolean): Promise<EntryBody | undefined> {
  const before = await entryBody(store, request.address, syncConfigured);
  if (before === undefined || before.state === 'reactivated') return before;
  await recordChange(store, request.address, manualChange('reactivate', request, by, now));
  return entryBody(store, request.address, syncConfigured);
}

export type RecipientOverview = RecipientSummary & { suppression: SuppressionEntry | null };

/**
 * What is known about an address, with its suppression entry (both read at once); undefined when no
 * event names it and it has no entry.
 */
export async function recipientWithSuppression(store: EventStore, normalizedAddress: string, syncConfigured: boolean): Promise<RecipientOverview | undefined> {
  const [summary, history] = await Promise.all([recipientOverview(store, normalizedAddress), addressHistory(store, normalizedAddress)]);
  const suppression = entryOf(history, syncConfigured) ?? null;
  if (summary === undefined && suppression === null) return undefined;
  return { ...(summary ?? { ...recipientSummary([]), address: suppression!.address }), suppression };
}
