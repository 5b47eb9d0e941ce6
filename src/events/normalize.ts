/**
 * Pure normalization: any value Event Grid may hand a function becomes either one EmailEvent or a
 * quarantine decision with a reason. Never throws, whatever the input.
 */
import type {
  AcsEmailDeliveryReportReceivedEventData,
  AcsEmailDeliveryReportStatusDetails,
  AcsEmailEngagementTrackingReportReceivedEventData,
} from '@azure/eventgrid';
import {
  DELIVERY_REPORT_EVENT_TYPE,
  EMAIL_EVENT_TYPES,
  type DeliveryEvent,
  type EmailEvent,
  type EmailEventType,
  type EngagementEvent,
  knownDeliveryStatus,
} from './emailEvent.js';
import { jsonText } from '../jsonText.js';
import { sha256 } from '../sha256.js';
import { MAX_STRING_PROPERTY_LENGTH, fitStringProperty, keyProblem } from '../storage/tableLimits.js';
import { redactLink } from './redactLink.js';
import { toUtcTimestamp } from './timestamps.js';

export type QuarantineReason = 'not-an-object' | 'unknown-event-type' | 'data-not-an-object' | 'unusable-message-id';

export type Normalized =
  | { outcome: 'accepted'; event: EmailEvent }
  | {
      outcome: 'quarantined';
      reason: QuarantineReason;
      detail: string;
      eventType: string | null;
      eventId: string | null;
      /** The event as the quarantine keeps it: as sent, but for a clicked link, redacted as a stored one is. */
      kept: unknown;
    };

export interface NormalizeOptions {
  /** Store clicked links without their query values (the EmailEventsRedactLinks setting). */
  redactLinks: boolean;
}

/** Secrets stay out unless a caller asks to keep links whole. */
const DEFAULT_OPTIONS: NormalizeOptions = { redactLinks: true };

type JsonObject = Record<string, unknown>;

/** The wire names of the fields read, checked against the SDK's models where their names agree. */
type DeliveryField =
  | keyof Pick<AcsEmailDeliveryReportReceivedEventData, 'sender' | 'recipient' | 'messageId' | 'internetMessageId' | 'status' | 'deliveryStatusDetails' | 'deliveryAttemptTimestamp'>
  | 'deliveryAttemptTimeStamp';
type StatusDetailsField = keyof AcsEmailDeliveryReportStatusDetails;
type EngagementField =
  | keyof Pick<AcsEmailEngagementTrackingReportReceivedEventData, 'sender' | 'recipient' | 'messageId' | 'userActionTimestamp' | 'engagementContext' | 'userAgent' | 'engagement'>
  | 'userActionTimeStamp'
  | 'engagementType';

const EVENT_TYPE_BY_LOWERCASE = new Map<string, EmailEventType>(EMAIL_EVENT_TYPES.map((type) => [type.toLowerCase(), type]));

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The first of `candidates` that is a valid timestamp, in UTC. */
function firstTimestamp(...candidates: unknown[]): string | null {
  for (const candidate of candidates) {
    const utc = toUtcTimestamp(candidate);
    if (utc !== undefined) return utc;
  }
  return null;
}

/**
 * The envelope's id. An event without one still gets a stable id, derived from its type, time and
 * data, so that its redeliveries, in either schema, land on one row. An id too long to store as a
 * property is replaced by its digest the same way, so that distinct ids stay distinct.
 */
function eventIdOf(envelope: JsonObject, isCloudEvent: boolean): string {
  const id = envelope.id;
  if (typeof id === 'string' && id.length > MAX_STRING_PROPERTY_LENGTH) return `sha256-${sha256(id)}`;
  if (typeof id === 'string' && id.length > 0) return id;
  if (typeof id === 'number') return String(id);
  const type = isCloudEvent ? envelope.type : envelope.eventType;
  const content = [typeof type === 'string' ? type.toLowerCase() : type, isCloudEvent ? envelope.time : envelope.eventTime, envelope.data];
  // jsonText, not JSON.stringify: data nested deeper than the stack still gets an id, and the same one.
  return `sha256-${sha256(jsonText(content)!)}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Cuts every string field to what Table Storage holds, in place, and records which were cut. */
function fitToTable<T extends EmailEvent>(event: T): T {
  const fields = event as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(event)) {
    if (typeof value !== 'string') continue;
    const fit = fitStringProperty(value);
    if (fit.truncated) {
      fields[field] = fit.value;
      event.truncatedFields.push(field);
    }
  }
  return event;
}

/**
 * A quarantined event is kept whole, except for the clicked link where engagement reports carry it
 * (`data.engagementContext`): redacted as a stored event's would be, so that quarantine is no back door
 * to the secrets the events table keeps out. Links elsewhere in an event of unknown shape stay as sent.
 */
function toKeep(raw: JsonObject, options: NormalizeOptions): unknown {
  const data = raw.data;
  if (!options.redactLinks || !isObject(data) || typeof data.engagementContext !== 'string') return raw;
  return { ...raw, data: { ...data, engagementContext: redactLink(data.engagementContext) } };
}

export function normalizeEvent(raw: unknown, options: NormalizeOptions = DEFAULT_OPTIONS): Normalized {
  if (!isObject(raw)) {
    return { outcome: 'quarantined', reason: 'not-an-object', detail: `The event is ${describe(raw)}, not a JSON object.`, eventType: null, eventId: null, kept: raw };
  }
  const isCloudEvent = 'specversion' in raw || (!('eventType' in raw) && 'type' in raw);
  const sentType = isCloudEvent ? raw.type : raw.eventType;
  const eventId = eventIdOf(raw, isCloudEvent);
  const eventType = typeof sentType === 'string' ? EVENT_TYPE_BY_LOWERCASE.get(sentType.toLowerCase()) : undefined;
  if (eventType === undefined) {
    return {
      outcome: 'quarantined',
      reason: 'unknown-event-type',
      detail: `The event type ${(jsonText(sentType) ?? 'null').slice(0, 200)} is not one this app handles (${EMAIL_EVENT_TYPES.join(', ')}).`,
      eventType: stringOrNull(sentType),
      eventId,
      kept: toKeep(raw, options),
    };
  }
  const data = raw.data;
  if (!isObject(data)) {
    return { outcome: 'quarantined', reason: 'data-not-an-object', detail: `The event's data is ${describe(data)}, not a JSON object.`, eventType, eventId, kept: raw };
  }
  const messageId = data.messageId;
  const messageIdProblem =
    typeof messageId === 'string' ? keyProblem(messageId) : messageId === undefined ? 'is missing' : `is ${describe(messageId)}, not a string`;
  if (typeof messageId !== 'string' || messageIdProblem !== undefined) {
    return { outcome: 'quarantined', reason: 'unusable-message-id', detail: `The messageId ${messageIdProblem}.`, eventType, eventId, kept: toKeep(raw, options) };
  }

  const eventTime = firstTimestamp(isCloudEvent ? raw.time : raw.eventTime);
  const common = {
    messageId,
    eventId,
    eventType,
    envelope: isCloudEvent ? ('CloudEvents' as const) : ('EventGrid' as const),
    eventTime,
    source: stringOrNull(isCloudEvent ? raw.source : raw.topic),
    subject: stringOrNull(raw.subject),
    sender: stringOrNull(data.sender),
    recipient: stringOrNull(data.recipient),
    truncatedFields: [] as string[],
  };
  if (eventType === DELIVERY_REPORT_EVENT_TYPE) {
    return { outcome: 'accepted', event: fitToTable(deliveryEvent(common, data, eventTime)) };
  }
  return { outcome: 'accepted', event: fitToTable(engagementEvent(common, data, eventTime, options)) };
}

type Common = Omit<DeliveryEvent, 'kind' | 'status' | 'statusMessage' | 'recipientMailServerHostName' | 'internetMessageId' | 'occurredAt'>;

function deliveryEvent(common: Common, data: JsonObject, eventTime: string | null): DeliveryEvent {
  const field = (name: DeliveryField) => data[name];
  const details = field('deliveryStatusDetails');
  const detail = (name: StatusDetailsField) => (isObject(details) ? details[name] : undefined);
  const status = stringOrNull(field('status'));
  return Object.assign(common, {
    kind: 'delivery' as const,
    occurredAt: firstTimestamp(field('deliveryAttemptTimeStamp'), field('deliveryAttemptTimestamp')) ?? eventTime,
    status: status === null ? null : (knownDeliveryStatus(status) ?? status),
    statusMessage: stringOrNull(detail('statusMessage')),
    recipientMailServerHostName: stringOrNull(detail('recipientMailServerHostName')),
    internetMessageId: stringOrNull(field('internetMessageId')),
  });
}

function engagementEvent(common: Common, data: JsonObject, eventTime: string | null, options: NormalizeOptions): EngagementEvent {
  const field = (name: EngagementField) => data[name];
  const engagementType = stringOrNull(field('engagementType')) ?? stringOrNull(field('engagement'));
  const link = stringOrNull(field('engagementContext'));
  return Object.assign(common, {
    kind: 'engagement' as const,
    occurredAt: firstTimestamp(field('userActionTimeStamp'), field('userActionTimestamp')) ?? eventTime,
    engagementType: engagementType === null ? null : engagementType.toLowerCase(),
    // Redacted before fitToTable, so that a cut applies to what is stored and its marker stays at the end.
    engagementContext: link !== null && options.redactLinks ? redactLink(link) : link,
    userAgent: stringOrNull(field('userAgent')),
  });
}
