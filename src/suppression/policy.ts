/**
 * Which events put an address on the suppression list, and the rows each change writes. Pure: ingest
 * maps a delivery report to its rows without a read, and the same report always gives the same rows.
 */
import type { Caller } from '../auth/caller.js';
import { normalizeAddress } from '../events/addresses.js';
import type { EmailEvent } from '../events/emailEvent.js';
import { eventDigest } from '../http/pageToken.js';
import type { EventEntity } from '../storage/tableEntities.js';
import { addressDigest, changeKey, changeRowKey, listRowKey, outboxRowKey, partitionOfDigest } from './keys.js';

export interface SuppressionPolicy {
  /** Delivery statuses that suppress the address, in their documented case (EmailEventsSuppressOn). */
  suppressOn: readonly string[];
}

export type ChangeKind = 'bounce' | 'add' | 'reactivate';

/** One change of an address's entry: what the history shows, and what its state is derived from. */
export interface SuppressionChange {
  kind: ChangeKind;
  /** Names the change among the address's: a digest of the event, or of the manual change's id. */
  key: string;
  /** When it happened: the attempt time of a bounce, the server's time of a change by hand. */
  at: string | null;
  /** The address as ACS sent it (a bounce) or as it was typed (by hand). */
  address: string | null;
  /** A bounce's message, status and status message. */
  messageId?: string;
  status?: string | null;
  statusMessage?: string | null;
  /** Who made a change by hand, and why (the note of an add, the reason of a reactivation). */
  by?: Caller;
  note?: string;
}

/** The change a delivery report makes, or undefined when its status is not one the policy names. */
export function bounceChange(event: EmailEvent, policy: SuppressionPolicy): SuppressionChange | undefined {
  if (event.kind !== 'delivery' || event.status === null || !policy.suppressOn.includes(event.status)) return undefined;
  if (event.recipient === null || normalizeAddress(event.recipient) === undefined) return undefined;
  return {
    kind: 'bounce',
    key: changeKey('bounce', eventDigest(event)),
    at: event.occurredAt,
    address: event.recipient,
    messageId: event.messageId,
    status: event.status,
    statusMessage: event.statusMessage,
  };
}

/**
 * The rows a change writes, all in the partition of its address's shard, to be written together: its
 * history row, its place in the list, and its outbox row for the sync.
 */
export function changeRows(normalizedAddress: string, change: SuppressionChange): EventEntity[] {
  const digest = addressDigest(normalizedAddress);
  const partitionKey = partitionOfDigest(digest);
  const history: EventEntity = { partitionKey, rowKey: changeRowKey(digest, change.key), kind: change.kind, change: change.key };
  const properties: Record<string, string | undefined | null> = {
    at: change.at,
    address: change.address,
    messageId: change.messageId,
    status: change.status,
    statusMessage: change.statusMessage,
    byKind: change.by?.kind,
    byId: change.by?.id,
    byName: change.by?.name,
    note: change.note,
  };
  for (const [name, value] of Object.entries(properties)) if (value !== undefined && value !== null) history[name] = value;
  return [
    history,
    { partitionKey, rowKey: listRowKey(change.at, digest, change.key) },
    { partitionKey, rowKey: outboxRowKey(digest, change.key), ...(change.at === null ? {} : { at: change.at }) },
  ];
}

/** The rows a delivery report writes to the suppression list (none unless its status suppresses). */
export function suppressionRowsFor(event: EmailEvent, policy: SuppressionPolicy): EventEntity[] | undefined {
  const change = bounceChange(event, policy);
  return change === undefined ? undefined : changeRows(normalizeAddress(event.recipient!)!, change);
}

const text = (row: Record<string, unknown>, name: string): string | undefined => (typeof row[name] === 'string' ? (row[name] as string) : undefined);

/** The change a history row holds. */
export function changeOf(row: Record<string, unknown>): SuppressionChange {
  const kind = (['bounce', 'add', 'reactivate'] as const).find((known) => known === row.kind) ?? 'bounce';
  const change: SuppressionChange = { kind, key: text(row, 'change') ?? String(row.rowKey), at: text(row, 'at') ?? null, address: text(row, 'address') ?? null };
  if (kind === 'bounce') {
    change.messageId = text(row, 'messageId') ?? '';
    change.status = text(row, 'status') ?? null;
    change.statusMessage = text(row, 'statusMessage') ?? null;
  } else {
    const byKind = (['user', 'key', 'local'] as const).find((known) => known === row.byKind);
    if (byKind) {
      change.by = { kind: byKind };
      if (text(row, 'byId')) change.by.id = text(row, 'byId')!;
      if (text(row, 'byName')) change.by.name = text(row, 'byName')!;
    }
    if (text(row, 'note') !== undefined) change.note = text(row, 'note')!;
  }
  return change;
}
