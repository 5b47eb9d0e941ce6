/**
 * A realistic set of ACS Email events for the activity page's tests: an order confirmation to three
 * recipients (delivered, bounced, suppressed) with opens and clicks, a newsletter with 300 events, an
 * address with two dozen messages, and a message whose status message, links and user agent are
 * hostile. Fixed ids and times, so that the screenshots come out the same on every run.
 */
import { DELIVERY_REPORT_EVENT_TYPE, ENGAGEMENT_REPORT_EVENT_TYPE } from '../src/events/emailEvent.js';

const TOPIC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mail/providers/microsoft.communication/communicationservices/contoso-acs';

export const ALEX = 'alex.wilber@fabrikam.example';
export const SAM = 'sam.lee@northwind.example';
export const BLOCKED = 'blocked@adatum.example';
export const PAT = 'pat.kim@woodgrove.example';

export const ORDER = 'a1c0ffee-0001-4e7f-9a0b-000000001042';
export const ORDER_HEADER = '<order-1042@contoso.example>';
export const NEWSLETTER = 'a1c0ffee-0002-4e7f-9a0b-000000000300';
export const WELCOME = 'a1c0ffee-0003-4e7f-9a0b-000000000001';
export const RETRY = 'a1c0ffee-0004-4e7f-9a0b-000000000002';
export const HOSTILE = 'a1c0ffee-0005-4e7f-9a0b-000000000666';
export const DIGEST_COUNT = 22;
export const digestId = (i: number) => `a1c0ffee-0006-4e7f-9a0b-${String(i).padStart(12, '0')}`;

export const HOSTILE_STATUS_MESSAGE = '<img src=x onerror=alert(1)>';
export const HOSTILE_SCRIPT_LINK = 'javascript:alert(document.domain)';
export const HOSTILE_HTTPS_LINK = 'https://woodgrove.example/a"><img src=x onerror=alert(3)>';
export const HOSTILE_USER_AGENT = '<script>alert(4)</script>';

let counter = 0;
const eventId = () => `e0000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

interface Delivery {
  messageId: string;
  sender: string;
  recipient: string;
  status: string;
  statusMessage: string;
  at: string;
  internetMessageId?: string;
  host?: string;
}

function delivery(report: Delivery) {
  return {
    id: eventId(),
    topic: TOPIC,
    subject: `sender/${report.sender}/message/${report.messageId}`,
    eventType: DELIVERY_REPORT_EVENT_TYPE,
    eventTime: report.at,
    dataVersion: '1.0',
    metadataVersion: '1',
    data: {
      sender: report.sender,
      recipient: report.recipient,
      messageId: report.messageId,
      ...(report.internetMessageId ? { internetMessageId: report.internetMessageId } : {}),
      status: report.status,
      deliveryStatusDetails: { statusMessage: report.statusMessage, ...(report.host ? { recipientMailServerHostName: report.host } : {}) },
      deliveryAttemptTimestamp: report.at,
    },
  };
}

function engagement(messageId: string, sender: string, recipient: string, type: 'view' | 'click', at: string, link = '', userAgent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Outlook/16.0') {
  return {
    id: eventId(),
    topic: TOPIC,
    subject: `sender/${sender}/message/${messageId}`,
    eventType: ENGAGEMENT_REPORT_EVENT_TYPE,
    eventTime: at,
    dataVersion: '1.0',
    metadataVersion: '1',
    data: { sender, recipient, messageId, userActionTimestamp: at, engagementContext: link, userAgent, engagementType: type },
  };
}

const SHOP = 'DoNotReply@contoso.example';
const NEWS = 'news@contoso.example';
const minutesAfter = (start: string, minutes: number) => new Date(Date.parse(start) + minutes * 60_000).toISOString();

/** The newsletter's links, and how often each is clicked (every third of its 299 engagement events is a click). */
export const NEWSLETTER_LINKS = ['https://contoso.example/sale', 'https://contoso.example/blog/winter', 'https://contoso.example/unsubscribe'];

export function activityEvents() {
  counter = 0;
  const events: unknown[] = [
    delivery({ messageId: ORDER, sender: SHOP, recipient: ALEX, status: 'Delivered', statusMessage: 'No error.', at: '2026-11-27T09:15:01.9731425Z', internetMessageId: ORDER_HEADER, host: 'fabrikam-example.mail.protection.outlook.com' }),
    delivery({ messageId: ORDER, sender: SHOP, recipient: SAM, status: 'Bounced', statusMessage: '550 5.1.1 Recipient address rejected: User unknown', at: '2026-11-27T09:15:02.4410003Z', internetMessageId: ORDER_HEADER }),
    delivery({ messageId: ORDER, sender: SHOP, recipient: BLOCKED, status: 'Suppressed', statusMessage: 'The recipient is on the suppression list after an earlier hard bounce.', at: '2026-11-27T09:15:01.5120000Z' }),
    engagement(ORDER, SHOP, ALEX, 'view', '2026-11-27T09:20:14.1000000Z'),
    engagement(ORDER, SHOP, ALEX, 'click', '2026-11-27T09:21:40.2000000Z', 'https://contoso.example/orders/1042'),
    engagement(ORDER, SHOP, ALEX, 'view', '2026-11-27T10:05:09.3000000Z'),
    engagement(ORDER, SHOP, ALEX, 'click', '2026-11-27T10:06:30.4000000Z', 'https://contoso.example/orders/1042'),
    engagement(ORDER, SHOP, ALEX, 'click', '2026-11-27T10:07:02.5000000Z', 'https://contoso.example/help/returns'),
    delivery({ messageId: WELCOME, sender: SHOP, recipient: SAM, status: 'Delivered', statusMessage: 'No error.', at: '2026-11-10T12:00:00.0000000Z', internetMessageId: '<welcome-1@contoso.example>' }),
    delivery({ messageId: RETRY, sender: SHOP, recipient: SAM, status: 'Failed', statusMessage: 'Message expired: the recipient server did not accept it within 48 hours.', at: '2026-11-25T16:30:00.0000000Z' }),
    delivery({ messageId: NEWSLETTER, sender: NEWS, recipient: ALEX, status: 'Delivered', statusMessage: 'No error.', at: '2026-11-20T08:00:00.1234567Z', internetMessageId: '<news-48@contoso.example>' }),
  ];
  for (let i = 0; i < 299; i++) {
    const at = minutesAfter('2026-11-20T08:05:00Z', i * 13);
    events.push(i % 3 === 0 ? engagement(NEWSLETTER, NEWS, ALEX, 'click', at, NEWSLETTER_LINKS[(i / 3) % 3]!) : engagement(NEWSLETTER, NEWS, ALEX, 'view', at));
  }
  for (let i = 1; i <= DIGEST_COUNT; i++) {
    events.push(delivery({ messageId: digestId(i), sender: NEWS, recipient: ALEX, status: 'Delivered', statusMessage: 'No error.', at: `2026-10-${String(i).padStart(2, '0')}T07:00:00.0000000Z` }));
  }
  events.push(
    delivery({ messageId: HOSTILE, sender: SHOP, recipient: PAT, status: 'Failed', statusMessage: HOSTILE_STATUS_MESSAGE, at: '2026-11-26T11:00:00.0000000Z' }),
    engagement(HOSTILE, SHOP, PAT, 'click', '2026-11-26T11:05:00.0000000Z', HOSTILE_SCRIPT_LINK, HOSTILE_USER_AGENT),
    engagement(HOSTILE, SHOP, PAT, 'click', '2026-11-26T11:06:00.0000000Z', HOSTILE_HTTPS_LINK, HOSTILE_USER_AGENT),
  );
  return events;
}
