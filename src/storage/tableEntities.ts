/**
 * Pure mapping between the app's records and Table Storage entities: one row per event in the
 * partition of its messageId, and one row per quarantined event.
 */
import { DELIVERY_REPORT_EVENT_TYPE, ENGAGEMENT_REPORT_EVENT_TYPE, eventIdentity, type EmailEvent, type EmailEventType } from '../events/emailEvent.js';
import { jsonText } from '../jsonText.js';
import { sha256 } from '../sha256.js';
import { MAX_KEY_LENGTH, MAX_STRING_PROPERTY_LENGTH, fitStringProperty, keyProblem } from './tableLimits.js';

/** Every property of an event row except the keys; null fields are not stored. */
export type EventEntity = {
  partitionKey: string;
  rowKey: string;
  [property: string]: string | number | undefined;
};

/**
 * The row key of an event: its identity, or where that cannot be a key (too long, or a character keys
 * forbid) a hash of it after `~`. Plain keys start with the kind, so the two never collide.
 */
export function rowKeyFor(event: Pick<EmailEvent, 'kind' | 'eventId'>): string {
  const identity = eventIdentity(event);
  return keyProblem(identity) === undefined ? identity : `~${sha256(identity)}`;
}

export function toEventEntity(event: EmailEvent): EventEntity {
  const entity: EventEntity = { partitionKey: event.messageId, rowKey: rowKeyFor(event) };
  for (const [field, value] of Object.entries(event)) {
    if (field === 'messageId' || field === 'truncatedFields' || value === null) continue;
    entity[field] = value as string;
  }
  if (event.truncatedFields.length > 0) entity.truncatedFields = event.truncatedFields.join(',');
  return entity;
}

const text = (entity: Record<string, unknown>, name: string): string | null => {
  const value = entity[name];
  return typeof value === 'string' ? value : null;
};

/** The event an entity holds; `messageId` is its partition key, except in index rows, which name it. */
export function fromEventEntity(entity: Record<string, unknown>, messageId = String(entity.partitionKey)): EmailEvent {
  const kind = text(entity, 'kind') === 'engagement' ? 'engagement' : 'delivery';
  const common = {
    messageId,
    eventId: text(entity, 'eventId') ?? String(entity.rowKey),
    eventType: (kind === 'engagement' ? ENGAGEMENT_REPORT_EVENT_TYPE : DELIVERY_REPORT_EVENT_TYPE) as EmailEventType,
    envelope: text(entity, 'envelope') === 'CloudEvents' ? ('CloudEvents' as const) : ('EventGrid' as const),
    occurredAt: text(entity, 'occurredAt'),
    eventTime: text(entity, 'eventTime'),
    source: text(entity, 'source'),
    subject: text(entity, 'subject'),
    sender: text(entity, 'sender'),
    recipient: text(entity, 'recipient'),
    truncatedFields: text(entity, 'truncatedFields')?.split(',') ?? [],
  };
  // Object.assign, not object spread: V8 spreads an object this size ten times slower, and a read
  // maps up to a thousand rows (see npm run bench).
  if (kind === 'engagement') {
    return Object.assign(common, {
      kind: 'engagement' as const,
      engagementType: text(entity, 'engagementType'),
      engagementContext: text(entity, 'engagementContext'),
      userAgent: text(entity, 'userAgent'),
    });
  }
  return Object.assign(common, {
    kind: 'delivery' as const,
    status: text(entity, 'status'),
    statusMessage: text(entity, 'statusMessage'),
    recipientMailServerHostName: text(entity, 'recipientMailServerHostName'),
    internetMessageId: text(entity, 'internetMessageId'),
  });
}

/** An event as stored, with when the app received it (for retention). */
export interface StoredEvent {
  event: EmailEvent;
  /**
   * When the app received the event: the row's `receivedAt`, or for rows written before it was
   * recorded, the row's last write (Table Storage's `Timestamp`); null when neither is there.
   */
  receivedAt: string | null;
}

export function fromStoredEntity(entity: Record<string, unknown>): StoredEvent {
  return { event: fromEventEntity(entity), receivedAt: text(entity, 'receivedAt') ?? text(entity, 'timestamp') };
}

/** The row of a stored event, with when it was received. */
export function toStoredEntity({ event, receivedAt }: StoredEvent): EventEntity {
  const entity = toEventEntity(event);
  if (receivedAt !== null) entity.receivedAt = receivedAt;
  return entity;
}

/**
 * An entity holds 1 MiB; 15 string properties of 64 KiB leave room for the rest of the row.
 * An event Event Grid delivers is at most 1 MB, so this keeps all but the largest whole.
 */
const MAX_RAW_CHUNKS = 15;

export interface QuarantineRecord {
  reason: string;
  detail: string;
  eventType: string | null;
  eventId: string | null;
  functionName: string;
  receivedAt: string;
  raw: unknown;
}

/**
 * The quarantine row for an event that cannot be stored as an email event. The event is kept whole as
 * JSON, split across `raw0`…`rawN`; the row key is a hash of that JSON, so a redelivery lands on the
 * same row.
 */
export function toQuarantineEntity(record: QuarantineRecord): EventEntity {
  // jsonText: an event nested deeper than JSON.stringify's stack reaches is kept whole all the same.
  const rawJson = jsonText(record.raw) ?? String(record.raw);
  const entity: EventEntity = {
    partitionKey: record.reason,
    rowKey: sha256(rawJson),
    reason: record.reason,
    detail: fitStringProperty(record.detail).value,
    functionName: record.functionName,
    receivedAt: record.receivedAt,
    rawLength: rawJson.length,
  };
  // Short, so that the raw chunks keep the room they need in the entity's 1 MiB.
  if (record.eventType !== null) entity.eventType = fitStringProperty(record.eventType, MAX_KEY_LENGTH).value;
  if (record.eventId !== null) entity.eventId = fitStringProperty(record.eventId, MAX_KEY_LENGTH).value;
  const kept = fitStringProperty(rawJson, MAX_RAW_CHUNKS * MAX_STRING_PROPERTY_LENGTH).value;
  for (let chunk = 0; chunk * MAX_STRING_PROPERTY_LENGTH < kept.length; chunk++) {
    entity[`raw${chunk}`] = kept.slice(chunk * MAX_STRING_PROPERTY_LENGTH, (chunk + 1) * MAX_STRING_PROPERTY_LENGTH);
  }
  return entity;
}
