/**
 * Pure mapping from events to the rows statistics are counted from, and back.
 *
 * - `stats|<day>|<shard>`: one fact row per event, on the day of the event's own time (the day it
 *   belongs to, however late it arrives), sharded by a digest of the message id into 16 partitions, so
 *   that no partition takes every event of a day and every event of a message lies in the same shard
 *   on every day. A fact keeps what counting needs and no more: no address (a recipient is a digest of
 *   the message id and the address, which tells the recipients of one message apart and nothing else),
 *   no user agent (the rule it matched is kept instead), no link. It keeps the message id (an id ACS
 *   made, not personal data), so that a day's messages can be listed as its statistics count them.
 *   Erasure rewrites the recipient of an erased recipient's facts (erasedRecipientKey), found by the
 *   keys factKeysOf derives from its events.
 * - `statsdirty|<shard>`: a marker `<day>|<hour received>` for a fact that arrived after the days the
 *   roll-up always re-counts, so that the roll-up counts its day again. Written only for such late
 *   facts (Event Grid's retries end after 24 hours; a dead-lettered event replayed later, or the
 *   re-index command, is later still).
 *
 * Both are idempotent inserts written with the event's other rows: no read on ingest.
 */
import { normalizeAddress } from '../events/addresses.js';
import type { EmailEvent } from '../events/emailEvent.js';
import { userAgentRule, type MachineRule } from '../engagement/machineRules.js';
import { eventDigest } from '../http/pageToken.js';
import { sha256, shortDigest } from '../sha256.js';
import type { EventEntity } from '../storage/tableEntities.js';
import { messageDigest } from '../storage/tailKeys.js';

export const FACT_PARTITION = 'stats';
export const DIRTY_PARTITION = 'statsdirty';
const STATS_SHARDS = 16;
export const SHARDS: readonly string[] = Array.from({ length: STATS_SHARDS }, (_, shard) => shard.toString(16));

/**
 * The days before today that every roll-up counts again. A fact that arrives for one of the days its
 * next run still counts (yesterday's, when it comes before midnight) needs no marker; an older one
 * marks its day.
 */
export const REROLLED_DAYS = 2;

const DAY_MS = 86_400_000;

/** The day `days` days after `day` (YYYY-MM-DD), in UTC. */
export const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

const shardOf = (messageId: string) => SHARDS[parseInt(sha256(messageId).slice(0, 8), 16) % STATS_SHARDS]!;
export const factPartitionKey = (day: string, shard: string) => `${FACT_PARTITION}|${day}|${shard}`;
export const dirtyPartitionKey = (shard: string) => `${DIRTY_PARTITION}|${shard}`;

/**
 * A recipient of one message, without its address: counts each recipient of a message once. Not keyed:
 * whoever reads the table and guesses an address can confirm it, until an erasure replaces it (below).
 */
export const recipientKey = (messageId: string, normalizedAddress: string) => shortDigest(`${messageId}\n${normalizedAddress}`);

/** What an erased recipient's key starts with: no recipientKey does (a digest is base64url). */
export const ERASED_RECIPIENT_PREFIX = '~';

/**
 * The key that replaces a recipient's key in the facts of one message when it is erased: a digest of the
 * message id, the old key and a random salt of the erasure, which is kept only until its re-application
 * is done (25 hours). The same salt gives the same key to every fact of that recipient in that message
 * (unique counts stay), and a different one to each other recipient (the old key differs); without the
 * salt, nobody can tell from a guessed address whether it is this key.
 */
export const erasedRecipientKey = (messageId: string, recipient: string, salt: string) =>
  `${ERASED_RECIPIENT_PREFIX}${shortDigest(`${messageId}\n${salt}\n${recipient}`)}`;

/** A sender as statistics group by it: trimmed and lowercased, as addresses are matched. */
export const normalizeSender = (sender: string | null) => (sender === null ? null : (normalizeAddress(sender) ?? null));

/** What counting knows of one event. */
export interface StatsFact {
  day: string;
  shard: string;
  /** The message's digest. */
  message: string;
  /** The message's id (null in a row that lacks it). */
  messageId: string | null;
  /** The event's digest: the same event, redelivered, is the same fact. */
  event: string;
  kind: 'delivery' | 'engagement';
  occurredAt: string | null;
  sender: string | null;
  recipient: string | null;
  status: string | null;
  engagementType: string | null;
  /** The rule the engagement's user agent matched at ingest (the user agent itself is not kept). */
  userAgentRule: MachineRule | null;
}

/** The day a fact is counted on: its event's own time, or the day it came for an event without one. */
const dayOfEvent = (event: Pick<EmailEvent, 'occurredAt'>, receivedAt: string) => (event.occurredAt ?? receivedAt).slice(0, 10);

/** Where an event's fact lies, and the recipient key ingest gives it (undefined for an event that names no recipient). */
export interface FactKeys {
  partitionKey: string;
  rowKey: string;
  recipient: string | undefined;
}

/**
 * The keys of an event's fact, from the event alone (no read): what ingest writes them under, and what
 * erasure rewrites. `receivedAt` counts only for an event without a time.
 */
export function factKeysOf(event: EmailEvent, receivedAt: string): FactKeys {
  const address = event.recipient === null ? undefined : normalizeAddress(event.recipient);
  return {
    partitionKey: factPartitionKey(dayOfEvent(event, receivedAt), shardOf(event.messageId)),
    rowKey: `${messageDigest(event.messageId)}|${eventDigest(event)}`,
    recipient: address === undefined ? undefined : recipientKey(event.messageId, address),
  };
}

/** The fact row of an event. The same event always gives the same row (`receivedAt` counts only for an event without a time). */
function statsFactRow(event: EmailEvent, receivedAt: string): EventEntity {
  const { partitionKey, rowKey, recipient } = factKeysOf(event, receivedAt);
  const row: EventEntity = { partitionKey, rowKey, kind: event.kind, messageId: event.messageId };
  if (event.occurredAt !== null) row.occurredAt = event.occurredAt;
  const sender = normalizeSender(event.sender);
  if (sender !== null) row.sender = sender;
  if (recipient !== undefined) row.recipient = recipient;
  if (event.kind === 'delivery') {
    if (event.status !== null) row.status = event.status;
  } else {
    if (event.engagementType !== null) row.engagementType = event.engagementType;
    const rule = userAgentRule(event.userAgent);
    if (rule !== undefined) row.userAgentRule = rule;
  }
  return row;
}

/** The marker that makes the roll-up count a late fact's day again, or undefined when it need not. */
function lateFactMarker(event: EmailEvent, receivedAt: string): EventEntity | undefined {
  const day = dayOfEvent(event, receivedAt);
  if (day >= addDays(receivedAt.slice(0, 10), 1 - REROLLED_DAYS)) return undefined;
  return { partitionKey: dirtyPartitionKey(shardOf(event.messageId)), rowKey: `${day}|${receivedAt.slice(0, 13)}`, day };
}

/** The rows statistics take from an event: its fact, and the late marker when it needs one. */
export function statsWritesFor(event: EmailEvent, receivedAt: string): EventEntity[] {
  const marker = lateFactMarker(event, receivedAt);
  return [statsFactRow(event, receivedAt), ...(marker ? [marker] : [])];
}

const text = (row: Record<string, unknown>, name: string) => (typeof row[name] === 'string' ? (row[name] as string) : null);

/** The fact a row holds, or undefined for a row that is not one. */
export function fromStatsFactRow(row: Record<string, unknown>): StatsFact | undefined {
  const [prefix, day, shard] = String(row.partitionKey).split('|');
  const [message, event] = String(row.rowKey).split('|');
  if (prefix !== FACT_PARTITION || day === undefined || shard === undefined || message === undefined || event === undefined) return undefined;
  return {
    day,
    shard,
    message,
    event,
    messageId: text(row, 'messageId'),
    kind: row.kind === 'engagement' ? 'engagement' : 'delivery',
    occurredAt: text(row, 'occurredAt'),
    sender: text(row, 'sender'),
    recipient: text(row, 'recipient'),
    status: text(row, 'status'),
    engagementType: text(row, 'engagementType'),
    userAgentRule: text(row, 'userAgentRule') as MachineRule | null,
  };
}
