/**
 * The two sample events of the ACS Email event schema page (the project's seed document), as Event
 * Grid delivers them, and builders for variants. Used by `npm run send-sample`, the tests and the
 * benchmark. The page's delivery sample has a trailing comma after `deliveryAttemptTimeStamp`, which
 * is not JSON; it is dropped here and nothing else is changed.
 */
import { randomUUID } from 'node:crypto';
import { DELIVERY_REPORT_EVENT_TYPE, ENGAGEMENT_REPORT_EVENT_TYPE } from '../src/events/emailEvent.js';

const TOPIC =
  '/subscriptions/{subscription-id}/resourceGroups/{group-name}/providers/microsoft.communication/communicationservices/{communication-services-resource-name}';

export const seedDeliveryReport = {
  id: '00000000-0000-0000-0000-000000000000',
  topic: TOPIC,
  subject: 'sender/senderid@azure.com/message/00000000-0000-0000-0000-000000000000',
  data: {
    sender: 'senderid@azure.com',
    recipient: 'receiver@azure.com',
    messageId: '00000000-0000-0000-0000-000000000000',
    status: 'Delivered',
    deliveryStatusDetails: {
      statusMessage: 'Status Message',
    },
    deliveryAttemptTimeStamp: '2020-09-18T00:22:20.2855749+00:00',
  },
  eventType: DELIVERY_REPORT_EVENT_TYPE,
  dataVersion: '1.0',
  metadataVersion: '1',
  eventTime: '2020-09-18T00:22:20.822Z',
};

export const seedEngagementReport = {
  id: '00000000-0000-0000-0000-000000000000',
  topic: TOPIC,
  subject: 'sender/senderid@azure.com/message/00000000-0000-0000-0000-000000000000',
  data: {
    sender: 'senderid@azure.com',
    messageId: '00000000-0000-0000-0000-000000000000',
    userActionTimeStamp: '2022-09-06T22:34:52.1303595+00:00',
    engagementContext: '',
    userAgent: '',
    engagementType: 'view',
  },
  eventType: ENGAGEMENT_REPORT_EVENT_TYPE,
  dataVersion: '1.0',
  metadataVersion: '1',
  eventTime: '2022-09-06T22:34:52.688Z',
};

export type EventGridEventJson = typeof seedDeliveryReport | typeof seedEngagementReport;

/** The same event in the CloudEvents 1.0 schema, as an Event Grid subscription with that schema delivers it. */
export function toCloudEvent(event: { id: string; topic: string; subject: string; eventType: string; eventTime: string; data: object }) {
  return {
    id: event.id,
    source: event.topic,
    subject: event.subject,
    type: event.eventType,
    time: event.eventTime,
    specversion: '1.0',
    datacontenttype: 'application/json',
    data: event.data,
  };
}

/** The seed's two events for one new message, with fresh ids: a delivery report, then an open. */
export function sampleMessageEvents(messageId: string = randomUUID()) {
  const subject = `sender/senderid@azure.com/message/${messageId}`;
  return [
    { ...seedDeliveryReport, id: randomUUID(), subject, data: { ...seedDeliveryReport.data, messageId } },
    {
      ...seedEngagementReport,
      id: randomUUID(),
      subject,
      data: { ...seedEngagementReport.data, messageId, recipient: seedDeliveryReport.data.recipient },
    },
  ];
}

/** An instant as ACS writes it: seven fraction digits and an offset (`2026-11-29T09:15:00.1230000+00:00`). */
const acsTimestamp = (instant: Date) => instant.toISOString().replace(/\.(\d{3})Z$/, '.$10000+00:00');

/**
 * The sample message as `npm run send-sample` posts it: the seed's events dated a minute ago and now.
 * Dated as the seed dates them (2020 and 2022), it would be deleted by the first retention run.
 */
export function currentSampleEvents(now: Date = new Date()) {
  const [delivery, engagement] = sampleMessageEvents();
  const minuteAgo = new Date(now.getTime() - 60_000);
  return [
    { ...delivery!, eventTime: minuteAgo.toISOString(), data: { ...delivery!.data, deliveryAttemptTimeStamp: acsTimestamp(minuteAgo) } },
    { ...engagement!, eventTime: now.toISOString(), data: { ...engagement!.data, userActionTimeStamp: acsTimestamp(now) } },
  ];
}
