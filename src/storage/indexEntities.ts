/**
 * Pure mapping from events to the lookup index rows written beside them (Azure's inter-partition
 * secondary index pattern), and back. The index table holds two kinds of partition:
 *
 * - `recipient|<address>`: every event that names the address (trimmed, lowercased), twice over for a
 *   delivery report: a group row `m|<message>|<event>` (the address's events of one message,
 *   together) and a tail row `t|<inverted attempt time>|<message>|<event>` (the log tail pattern: the
 *   newest attempt first in key order). Both are written in one entity group transaction.
 * - `internetMessageId|<id without its <>>`: one row per message that carries the id, keyed by the
 *   message id, so every recipient's report of one message lands on the same row.
 * - `stats|<day>|<shard>` (and `statsdirty|<shard>` for a late one): the event's statistics fact, see
 *   stats/facts.ts.
 * - `expiry|<day>|<shard>`: the messages (and quarantined events) that had an event on that day, for
 *   retention to find what has expired without scanning. Sharded by a digest of the message id into 16
 *   partitions, so that no single partition takes every event of a day.
 *
 * An address is in its partition key only as a SHA-256 digest: storage logs record keys, and erasure
 * records keep the key without the address in clear.
 * Messages and events are named in row keys by short digests, so that keys stay short whatever the ids.
 */
import { type EmailEvent } from '../events/emailEvent.js';
import { eventDigest } from '../http/pageToken.js';
import { sha256 } from '../sha256.js';
import { fromEventEntity, toEventEntity, type EventEntity } from './tableEntities.js';
import { keyProblem } from './tableLimits.js';
import { messageDigest, tailRowKey } from './tailKeys.js';
import { normalizeAddress, normalizeInternetMessageId } from '../events/addresses.js';
import { retentionTime } from '../retention/retentionTime.js';
import { statsWritesFor } from '../stats/facts.js';
import { userAgentRule, type MachineRule } from '../engagement/machineRules.js';

export const RECIPIENT_PARTITION = 'recipient';
export const INTERNET_MESSAGE_ID_PARTITION = 'internetMessageId';

export const recipientPartitionKey = (normalizedAddress: string) => `${RECIPIENT_PARTITION}|${sha256(normalizedAddress)}`;

/** The address partition an event is filed under, or undefined when it names no address. */
export function recipientPartitionOf(event: Pick<EmailEvent, 'recipient'>): string | undefined {
  const address = event.recipient === null ? undefined : normalizeAddress(event.recipient);
  return address === undefined ? undefined : recipientPartitionKey(address);
}

/** `internetMessageId|<id>`, or `internetMessageId|~<SHA-256 of id>` where that cannot be a key (or could be mistaken for one). */
export function internetMessageIdPartitionKey(normalizedId: string): string {
  const key = `${INTERNET_MESSAGE_ID_PARTITION}|${normalizedId}`;
  return keyProblem(key) === undefined && !normalizedId.startsWith('~') ? key : `${INTERNET_MESSAGE_ID_PARTITION}|~${sha256(normalizedId)}`;
}

export const EXPIRY_PARTITION = 'expiry';
const EXPIRY_SHARDS = 16;

/** The expiry partition of a day (YYYY-MM-DD) and a digest: `expiry|<day>|<0–f>`. */
const expiryPartitionKey = (day: string, digest: string) => `${EXPIRY_PARTITION}|${day}|${(parseInt(digest.slice(0, 8), 16) % EXPIRY_SHARDS).toString(16)}`;

/** The expiry partitions of the days before `day`: [from, to). */
export function expiryPartitionsBefore(day: string): { from: string; to: string } {
  return { from: `${EXPIRY_PARTITION}|`, to: `${EXPIRY_PARTITION}|${day}` };
}

/**
 * The expiry row of a message for an event: its day is the event's retention time (its own time, or
 * when it was received where it has none or where its own time lies beyond that).
 */
export function messageExpiryRow(event: Pick<EmailEvent, 'messageId' | 'occurredAt'>, receivedAt: string): EventEntity {
  const day = retentionTime(event.occurredAt, receivedAt)!.slice(0, 10);
  return { partitionKey: expiryPartitionKey(day, sha256(event.messageId)), rowKey: `m|${messageDigest(event.messageId)}`, messageId: event.messageId };
}

/** The expiry row of a quarantined event, on the day it was received. */
export function quarantineExpiryRow(quarantine: { partitionKey: string; rowKey: string }, receivedAt: string): EventEntity {
  return {
    partitionKey: expiryPartitionKey(receivedAt.slice(0, 10), quarantine.rowKey),
    rowKey: `q|${quarantine.partitionKey}|${quarantine.rowKey}`,
    quarantinePartitionKey: quarantine.partitionKey,
    quarantineRowKey: quarantine.rowKey,
  };
}

export const GROUP_PREFIX = 'm|';
/** The group row keys of one message's events in an address partition: [from, to). */
export function groupRange(messageDigestText: string): { from: string; to: string } {
  return { from: `${GROUP_PREFIX}${messageDigestText}|`, to: `${GROUP_PREFIX}${messageDigestText}}` };
}


/** What a group row keeps of an event: what the lookups show, no more (no user agent, no envelope). */
const GROUP_PROPERTIES = [
  'kind',
  'eventId',
  'occurredAt',
  'sender',
  'recipient',
  'status',
  'statusMessage',
  'internetMessageId',
  'engagementType',
  'engagementContext',
  'truncatedFields',
] as const;

function groupEntity(partitionKey: string, event: EmailEvent): EventEntity {
  const full = toEventEntity(event);
  const entity: EventEntity = { partitionKey, rowKey: `${GROUP_PREFIX}${messageDigest(event.messageId)}|${eventDigest(event)}`, messageId: event.messageId };
  for (const property of GROUP_PROPERTIES) if (full[property] !== undefined) entity[property] = full[property];
  // The user agent is not kept here; the machine rule it matches is.
  const rule = event.kind === 'engagement' ? userAgentRule(event.userAgent) : undefined;
  if (rule !== undefined) entity.userAgentRule = rule;
  return entity;
}

export interface IndexWrites {
  /** Rows in the partition of the address the event names, written together in one transaction. */
  recipient?: EventEntity[];
  /** The row that leads from the report's Internet Message-ID to its message. */
  internetMessageId?: EventEntity;
  /** The row that files the message under the day of this event, for retention. */
  expiry: EventEntity;
  /** The event's statistics fact, and a late fact's marker (stats/facts.ts), each written on its own. */
  stats?: EventEntity[];
  /**
   * A suppressing delivery report's rows in the suppression list (src/suppression/policy.ts
   * suppressionRowsFor), in one partition, written together.
   */
  suppression?: EventEntity[];
}

/**
 * The index rows an event feeds: its message's expiry row; the address's rows for an event that
 * names one; and, for a delivery report that carries one, the Internet Message-ID's row. The same
 * event always gives the same rows (`receivedAt` counts only for an event without a believable time:
 * a redelivery then files its message under a later day as well, which retention passes over), so
 * writing them is idempotent in effect.
 */
export function indexWritesFor(event: EmailEvent, receivedAt: string): IndexWrites {
  const writes: IndexWrites = { expiry: messageExpiryRow(event, receivedAt), stats: statsWritesFor(event, receivedAt) };
  const partitionKey = recipientPartitionOf(event);
  if (partitionKey !== undefined) {
    const rows = [groupEntity(partitionKey, event)];
    if (event.kind === 'delivery') {
      const tail: EventEntity = { partitionKey, rowKey: tailRowKey(event), messageId: event.messageId };
      if (event.status !== null) tail.status = event.status;
      rows.push(tail);
    }
    writes.recipient = rows;
  }
  const internetMessageId = event.kind === 'delivery' && event.internetMessageId !== null ? normalizeInternetMessageId(event.internetMessageId) : undefined;
  if (internetMessageId !== undefined) {
    writes.internetMessageId = { partitionKey: internetMessageIdPartitionKey(internetMessageId), rowKey: event.messageId, messageId: event.messageId };
  }
  return writes;
}

/** An event as a group row keeps it: an engagement says the rule its user agent matched (null: none, or a row written before rules were kept). */
export type GroupEvent = EmailEvent & { userAgentRule?: MachineRule | null };

/** The event a group row keeps (without the fields it does not keep). */
export function fromGroupEntity(entity: Record<string, unknown>): GroupEvent {
  const event: GroupEvent = fromEventEntity(entity, String(entity.messageId));
  if (event.kind === 'engagement') event.userAgentRule = typeof entity.userAgentRule === 'string' ? (entity.userAgentRule as MachineRule) : null;
  return event;
}
