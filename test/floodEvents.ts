/**
 * A reproducible flood: events for many messages (deliveries to several recipients, retried attempts,
 * opens, clicks on links that carry tokens), and the deliveries Event Grid would make of them: each
 * event 1–3 times, in both schemas, shuffled. Seeded, so that a failing run can be replayed.
 */
import { seedDeliveryReport, seedEngagementReport, toCloudEvent } from '../scripts/sampleEvents.js';

/** mulberry32: small, fast and good enough to shuffle test data. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const hex = (random: Random, length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (random: Random) => `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;

/** Marks the values a link must never be stored or served with (see redactLink). */
export const LINK_SECRET_PREFIX = 'S3CR3T';

const STATUSES = ['Delivered', 'Delivered', 'Delivered', 'Bounced', 'Suppressed', 'Failed', 'FilteredSpam', 'Quarantined', 'Expanded'];
const PAGES = ['https://contoso.com/orders/1042', 'https://contoso.com/account/reset', 'https://contoso.com/news'];

/** ACS's form: 7 fractional digits, sometimes with an offset instead of Z. */
function timestamp(random: Random, ms: number): string {
  const iso = new Date(ms).toISOString().slice(0, 23);
  return `${iso}${hex(random, 4).replace(/[a-f]/g, '7')}${random() < 0.3 ? '+00:00' : 'Z'}`;
}

/** An event in the Event Grid schema, as ACS publishes it. */
export interface FloodEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: { messageId: string; recipient?: string; engagementContext?: string };
}

/** `perMessage` events for each of `messages` messages, in the order ACS would publish them. */
export function floodEvents(random: Random, messages: number, perMessage: number): FloodEvent[] {
  const events: FloodEvent[] = [];
  for (let m = 0; m < messages; m++) {
    const messageId = uuid(random);
    const subject = `sender/DoNotReply@contoso.com/message/${messageId}`;
    const recipients = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, r) => `user${m}.${r}@fabrikam.example`);
    let time = Date.UTC(2026, 10, 27, 9) + m * 60_000;
    for (let e = 0; e < perMessage; e++) {
      time += 1 + Math.floor(random() * 5000);
      const recipient = e < recipients.length ? recipients[e]! : pick(random, recipients);
      const common = { id: uuid(random), subject, eventTime: new Date(time + 400).toISOString() };
      if (e < recipients.length || random() < 0.25) {
        const data = { ...seedDeliveryReport.data, sender: 'DoNotReply@contoso.com', messageId, recipient, status: pick(random, STATUSES), deliveryAttemptTimeStamp: timestamp(random, time) };
        events.push({ ...seedDeliveryReport, ...common, data });
      } else {
        const click = random() < 0.5;
        const link = click ? `${pick(random, PAGES)}?utm_source=email&token=${LINK_SECRET_PREFIX}${hex(random, 16)}` : '';
        const data = { ...seedEngagementReport.data, sender: 'DoNotReply@contoso.com', messageId, engagementType: click ? 'click' : 'view', engagementContext: link, userActionTimeStamp: timestamp(random, time) };
        events.push({ ...seedEngagementReport, ...common, data: random() < 0.8 ? { ...data, recipient } : data });
      }
    }
  }
  return events;
}

/**
 * What Event Grid would deliver: each event 1–3 times, its copies alternating between the Event Grid
 * and the CloudEvents schema (so every event sent more than once arrives in both), all shuffled.
 */
export function floodDeliveries(random: Random, events: readonly FloodEvent[]): object[] {
  const deliveries: object[] = [];
  for (const event of events) {
    const copies = 1 + Math.floor(random() * 3);
    const cloudFirst = random() < 0.5;
    for (let copy = 0; copy < copies; copy++) deliveries.push((copy % 2 === 0) === cloudFirst ? toCloudEvent(event) : structuredClone(event));
  }
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  return deliveries;
}
