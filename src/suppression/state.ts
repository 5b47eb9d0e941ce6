/**
 * An address's suppression entry, derived from its history: pure, so that the same changes, read in
 * any order, give the same entry.
 *
 * Changes are ordered by time (a bounce by its attempt time, a change by hand by when it was made),
 * ties by kind (a bounce, then an add, then a reactivation: a reactivation made at the same instant as a
 * bounce was made knowing of it) and then by key. The newest change decides: a reactivation leaves the
 * address reactivated; a bounce or an add suppresses it, a bounce after a reactivation again. The
 * entry describes its current episode: the changes since the reactivation before it.
 */
import { instantSortKey } from '../events/timestamps.js';
import type { ChangeKind, SuppressionChange } from './policy.js';

export const MANUAL_REASON = 'Manual';

export type SyncState = 'off' | 'pending' | 'synced' | 'retrying';

/** What the sync last did for an address (its `a|<digest>|s` row). */
export interface SyncRecord {
  /** The change that the ACS list reflects since the last success. */
  syncedChange?: string;
  syncedAt?: string;
  lastAttemptAt?: string;
  /** What the last failed attempt got (an HTTP status, or an error name); empty after a success. */
  lastError?: string;
  nextAttemptAt?: string;
  attempts?: number;
}

export interface SyncView {
  state: SyncState;
  syncedAt: string | null;
  lastAttemptAt: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

export interface SuppressionEntry {
  /** As ACS sent it (or as it was typed) in the newest change that names it. */
  address: string;
  state: 'suppressed' | 'reactivated';
  /** What began the episode: the bounce's status (Bounced, or what the policy names), or Manual. */
  reason: string;
  /** The episode's first and newest bounce or add. */
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  /** Bounces in the episode. */
  count: number;
  /** The newest bounce of the episode: its message and status message (null when added by hand only). */
  messageId: string | null;
  statusMessage: string | null;
  /** The newest change: where the entry stands in the list. */
  updatedAt: string | null;
  sync: SyncView;
}

const KIND_ORDER: Record<ChangeKind, number> = { bounce: 0, add: 1, reactivate: 2 };
/** A change without a time (an event that had none) is the oldest. */
const timeKey = (change: SuppressionChange) => (change.at === null ? '' : instantSortKey(change.at));

export function compareChanges(a: SuppressionChange, b: SuppressionChange): number {
  const [ta, tb] = [timeKey(a), timeKey(b)];
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The changes, oldest first, each once (a change read twice is one change). */
export function orderedChanges(changes: readonly SuppressionChange[]): SuppressionChange[] {
  const unique = new Map(changes.map((change) => [change.key, change]));
  return [...unique.values()].sort(compareChanges);
}

function syncView(syncConfigured: boolean, newest: SuppressionChange, record: SyncRecord | undefined): SyncView {
  const view: SyncView = {
    state: 'off',
    syncedAt: record?.syncedAt || null,
    lastAttemptAt: record?.lastAttemptAt || null,
    lastError: record?.lastError || null,
    nextAttemptAt: record?.lastError ? record.nextAttemptAt || null : null,
  };
  if (!syncConfigured) return view;
  if (record?.syncedChange === newest.key) view.state = 'synced';
  else view.state = record?.lastError ? 'retrying' : 'pending';
  return view;
}

/** The entry of an address, or undefined when it has no change that names it. */
export function suppressionEntry(changes: readonly SuppressionChange[], record: SyncRecord | undefined, syncConfigured: boolean): SuppressionEntry | undefined {
  const ordered = orderedChanges(changes);
  const newest = ordered.at(-1);
  if (newest === undefined) return undefined;
  const reactivated = newest.kind === 'reactivate';
  // The episode: what the newest reactivation ended, or what followed the last one.
  const end = reactivated ? ordered.length - 1 : ordered.length;
  let start = end;
  while (start > 0 && ordered[start - 1]!.kind !== 'reactivate') start--;
  const episode = ordered.slice(start, end);
  const bounces = episode.filter((change) => change.kind === 'bounce');
  const latestBounce = bounces.at(-1);
  const first = episode[0];
  const address = [...ordered].reverse().find((change) => change.address !== null)?.address ?? '';
  return {
    address,
    state: reactivated ? 'reactivated' : 'suppressed',
    reason: first === undefined || first.kind !== 'bounce' ? MANUAL_REASON : (first.status ?? MANUAL_REASON),
    firstSeenAt: first?.at ?? null,
    lastSeenAt: episode.at(-1)?.at ?? null,
    count: bounces.length,
    messageId: latestBounce?.messageId ?? null,
    statusMessage: latestBounce?.statusMessage ?? null,
    updatedAt: newest.at,
    sync: syncView(syncConfigured, newest, record),
  };
}

/** The newest change of an address: the one the list shows it at. */
export const newestChange = (changes: readonly SuppressionChange[]): SuppressionChange | undefined => orderedChanges(changes).at(-1);

/** A sync row as a record. */
export function syncRecordOf(row: Record<string, unknown>): SyncRecord {
  const record: SyncRecord = {};
  for (const name of ['syncedChange', 'syncedAt', 'lastAttemptAt', 'lastError', 'nextAttemptAt'] as const) {
    if (typeof row[name] === 'string') record[name] = row[name] as string;
  }
  if (typeof row.attempts === 'number') record.attempts = row.attempts;
  return record;
}

/** A change as GET /api/suppressions/{address} shows it in the entry's history. */
export interface ChangeView {
  kind: ChangeKind;
  at: string | null;
  address: string | null;
  messageId?: string;
  status?: string | null;
  statusMessage?: string | null;
  by?: { kind: string; id?: string; name?: string };
  /** Why: the note of an add, the reason of a reactivation. */
  note?: string;
}

/** Every change, newest first. */
export function historyView(changes: readonly SuppressionChange[]): ChangeView[] {
  return orderedChanges(changes)
    .reverse()
    .map(({ key: _key, ...view }) => view);
}
