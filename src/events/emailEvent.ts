/** The normalized record that every accepted ACS Email event becomes, whatever envelope it came in. */

export const DELIVERY_REPORT_EVENT_TYPE = 'Microsoft.Communication.EmailDeliveryReportReceived';
export const ENGAGEMENT_REPORT_EVENT_TYPE = 'Microsoft.Communication.EmailEngagementTrackingReportReceived';

/** The event types this app handles; each Event Grid subscription filters on these. */
export const EMAIL_EVENT_TYPES = [DELIVERY_REPORT_EVENT_TYPE, ENGAGEMENT_REPORT_EVENT_TYPE] as const;
export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

/** The delivery statuses ACS documents, in the case they are shown in. Others are kept as sent. */
export const KNOWN_DELIVERY_STATUSES = [
  'Delivered',
  'Suppressed',
  'Bounced',
  'Quarantined',
  'FilteredSpam',
  'Expanded',
  'Failed',
] as const;

const KNOWN_STATUS_BY_LOWERCASE = new Map<string, string>(KNOWN_DELIVERY_STATUSES.map((status) => [status.toLowerCase(), status]));

/** A status matched case-insensitively to a documented one, in its documented case; undefined when it is none of them. */
export const knownDeliveryStatus = (status: string): string | undefined => KNOWN_STATUS_BY_LOWERCASE.get(status.toLowerCase());

interface EmailEventCommon {
  messageId: string;
  /** The envelope's `id`; redeliveries of one event share it. */
  eventId: string;
  eventType: EmailEventType;
  envelope: 'EventGrid' | 'CloudEvents';
  /** The attempt time (delivery) or user-action time (engagement), else the envelope's time, in UTC. */
  occurredAt: string | null;
  /** The envelope's `eventTime` / `time`, in UTC. */
  eventTime: string | null;
  /** `topic` (Event Grid) or `source` (CloudEvents). */
  source: string | null;
  subject: string | null;
  sender: string | null;
  recipient: string | null;
  /** Names of the fields that were cut to fit Table Storage. */
  truncatedFields: string[];
}

export interface DeliveryEvent extends EmailEventCommon {
  kind: 'delivery';
  /** A known status in its documented case, or the status as sent; null when the report has none. */
  status: string | null;
  statusMessage: string | null;
  recipientMailServerHostName: string | null;
  internetMessageId: string | null;
}

export interface EngagementEvent extends EmailEventCommon {
  kind: 'engagement';
  /** `view`, `click`, or what was sent, in lowercase; null when the report has none. */
  engagementType: string | null;
  /** The clicked link; empty for views. */
  engagementContext: string | null;
  userAgent: string | null;
}

export type EmailEvent = DeliveryEvent | EngagementEvent;

/**
 * What tells an event apart from the others of its message: its kind and id (`delivery|<id>`). A
 * delivery report and an engagement report may share an id (the ACS documentation's two samples do)
 * and are two events; a redelivery, in either schema, is the same one.
 */
export const eventIdentity = (event: Pick<EmailEvent, 'kind' | 'eventId'>): string => `${event.kind}|${event.eventId}`;
