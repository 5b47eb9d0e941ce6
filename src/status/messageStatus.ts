/**
 * Pure status derivation: a message's stored events (in any order, each once) become the response of
 * GET /api/messages/{messageId}. The same set of events always gives the same response.
 */
import { KNOWN_DELIVERY_STATUSES, type DeliveryEvent, type EmailEvent, type EngagementEvent } from '../events/emailEvent.js';
import { eventDigest, type PagePosition } from '../http/pageToken.js';
import { compareTimestamps, instantSortKey } from '../events/timestamps.js';
import { normalizeAddress } from '../events/addresses.js';
import { machineEngagement, type MachineRule } from '../engagement/machineRules.js';

export const PENDING = 'Pending';
export const MIXED = 'Mixed';

export interface RecipientStatus {
  recipient: string | null;
  status: string | null;
  statusMessage: string | null;
  attemptedAt: string | null;
  /** Engagement reports that name this recipient's address, in any case (as the lookups match addresses). */
  views: number;
  clicks: number;
}

export interface EngagementSummary {
  views: number;
  clicks: number;
  firstViewedAt: string | null;
  lastEngagedAt: string | null;
  links: { url: string; clicks: number }[];
}

export interface MessageSummary {
  sender: string | null;
  status: string;
  recipients: RecipientStatus[];
  engagement: EngagementSummary;
}

export type EventView =
  | {
      id: string;
      type: 'delivery';
      eventType: string;
      occurredAt: string | null;
      recipient: string | null;
      status: string | null;
      statusMessage: string | null;
      recipientMailServerHostName: string | null;
      internetMessageId: string | null;
      truncatedFields?: string[];
    }
  | {
      id: string;
      type: 'engagement';
      eventType: string;
      occurredAt: string | null;
      recipient: string | null;
      engagementType: string | null;
      engagementContext: string | null;
      userAgent: string | null;
      /** Likely a machine's open or click (engagement/machineRules.ts), and the rule that says so. */
      machine: boolean;
      machineRule?: MachineRule;
      truncatedFields?: string[];
    };

/**
 * The key that orders events: oldest first, events at the same instant by id, then by kind (a delivery
 * and an engagement report may share an id). A total order over the events of a message, so every page
 * boundary is stable. Comparing two keys as plain strings is comparing the events.
 */
function eventOrderKey(event: Pick<EmailEvent, 'occurredAt' | 'eventId' | 'kind'>): string {
  // Fixed-width instants; NUL sorts below every digit, so events without a time come first.
  return `${event.occurredAt === null ? '' : instantSortKey(event.occurredAt)}\u0000${event.eventId}\u0000${event.kind}`;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareEvents(a: EmailEvent, b: EmailEvent): number {
  return compareText(eventOrderKey(a), eventOrderKey(b));
}

/**
 * When two reports for one recipient carry the same attempt time, the one whose status comes later
 * here wins: the more final outcome. Statuses not listed (unknown or missing) come first.
 */
export const TIE_BREAK_STATUS_ORDER: readonly string[] = [
  'Expanded',
  'Delivered',
  'Quarantined',
  'FilteredSpam',
  'Suppressed',
  'Bounced',
  'Failed',
] satisfies readonly (typeof KNOWN_DELIVERY_STATUSES)[number][];

const statusRank = (status: string | null) => TIE_BREAK_STATUS_ORDER.indexOf(status ?? '');

/** Whether report `a` supersedes report `b`: a later attempt, else a later tie-break status, else a greater id. */
function supersedes(a: DeliveryEvent, b: DeliveryEvent): boolean {
  return (compareTimestamps(a.occurredAt, b.occurredAt) || statusRank(a.status) - statusRank(b.status) || compareEvents(a, b)) > 0;
}

/** The report that supersedes all the others, or undefined when there are none. */
export function latestReport(reports: readonly DeliveryEvent[]): DeliveryEvent | undefined {
  let latest: DeliveryEvent | undefined;
  for (const report of reports) if (!latest || supersedes(report, latest)) latest = report;
  return latest;
}

function compareRecipients(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * The earliest (direction -1) or latest (+1) time among the events. Equal instants written with
 * different fraction widths are told apart by their text, so the answer never depends on event order.
 */
function extremeTime(events: readonly EmailEvent[], direction: 1 | -1): string | null {
  let extreme: string | null = null;
  for (const { occurredAt: time } of events) {
    if (time === null) continue;
    const order = extreme === null ? direction : compareTimestamps(time, extreme) || compareText(time, extreme);
    if (order * direction > 0) extreme = time;
  }
  return extreme;
}

/** The sender of the oldest event that names one. */
export function senderOf(events: readonly EmailEvent[]): string | null {
  let oldest: EmailEvent | undefined;
  for (const event of events) if (event.sender !== null && (!oldest || compareEvents(event, oldest) < 0)) oldest = event;
  return oldest?.sender ?? null;
}

/** The newest of the events (by time, then id and kind), or undefined when there are none. */
export function newestEvent<T extends EmailEvent>(events: readonly T[]): T | undefined {
  let newest: T | undefined;
  for (const event of events) if (!newest || compareEvents(event, newest) > 0) newest = event;
  return newest;
}

export function summarize(events: readonly EmailEvent[]): MessageSummary {
  const deliveries = events.filter((event): event is DeliveryEvent => event.kind === 'delivery');
  const engagements = events.filter((event): event is EngagementEvent => event.kind === 'engagement');
  const views = engagements.filter((event) => event.engagementType === 'view');
  const clicks = engagements.filter((event) => event.engagementType === 'click');

  const reportsByRecipient = new Map<string | null, DeliveryEvent[]>();
  for (const report of deliveries) {
    const reports = reportsByRecipient.get(report.recipient);
    if (reports) reports.push(report);
    else reportsByRecipient.set(report.recipient, [report]);
  }
  // By address, as the lookups match them: an open that spells the address in another case is still this recipient's.
  const addressOf = (recipient: string | null) => (recipient === null ? undefined : normalizeAddress(recipient));
  const countByAddress = (list: readonly EngagementEvent[]) => {
    const counts = new Map<string | undefined, number>();
    for (const event of list) {
      const address = addressOf(event.recipient);
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
    counts.delete(undefined);
    return counts;
  };
  const viewsByAddress = countByAddress(views);
  const clicksByAddress = countByAddress(clicks);
  const recipients = [...reportsByRecipient.values()]
    .map((reports) => latestReport(reports)!)
    .map((report) => ({
      recipient: report.recipient,
      status: report.status,
      statusMessage: report.statusMessage,
      attemptedAt: report.occurredAt,
      views: viewsByAddress.get(addressOf(report.recipient)) ?? 0,
      clicks: clicksByAddress.get(addressOf(report.recipient)) ?? 0,
    }))
    .sort((a, b) => compareRecipients(a.recipient, b.recipient));

  // A report with no status, or an empty one, says nothing yet about the recipient.
  const statuses = new Set(recipients.map((entry) => entry.status || PENDING));
  const status = statuses.size === 0 ? PENDING : statuses.size === 1 ? [...statuses][0]! : MIXED;

  const clicksByUrl = new Map<string, number>();
  for (const click of clicks) {
    if (click.engagementContext) clicksByUrl.set(click.engagementContext, (clicksByUrl.get(click.engagementContext) ?? 0) + 1);
  }
  const links = [...clicksByUrl]
    .map(([url, count]) => ({ url, clicks: count }))
    .sort((a, b) => b.clicks - a.clicks || compareText(a.url, b.url));

  return {
    sender: senderOf(events),
    status,
    recipients,
    engagement: {
      views: views.length,
      clicks: clicks.length,
      firstViewedAt: extremeTime(views, -1),
      lastEngagedAt: extremeTime(engagements, 1),
      links,
    },
  };
}

/**
 * The delivery attempt an engagement is measured against: the latest attempt of the recipient it names
 * (by address, as the lookups match them), or of the only recipient when it names none.
 */
function attemptFor(recipients: readonly Pick<RecipientStatus, 'recipient' | 'attemptedAt'>[]): (engagement: Pick<EmailEvent, 'recipient'>) => string | null {
  const byAddress = new Map<string, string | null>();
  for (const { recipient, attemptedAt } of recipients) {
    const address = recipient === null ? undefined : normalizeAddress(recipient);
    if (address !== undefined) byAddress.set(address, attemptedAt);
  }
  return (engagement) => {
    if (engagement.recipient === null) return recipients.length === 1 ? recipients[0]!.attemptedAt : null;
    return byAddress.get(normalizeAddress(engagement.recipient) ?? '') ?? null;
  };
}

/** An event as the message view lists it; an engagement is judged against the delivery attempt `attemptOf` gives. */
export function toEventView(event: EmailEvent, attemptOf: (engagement: EngagementEvent) => string | null = () => null): EventView {
  const truncated = event.truncatedFields.length > 0 ? { truncatedFields: event.truncatedFields } : {};
  const common = { eventType: event.eventType, occurredAt: event.occurredAt, recipient: event.recipient };
  if (event.kind === 'delivery') {
    return {
      id: event.eventId,
      type: 'delivery',
      ...common,
      status: event.status,
      statusMessage: event.statusMessage,
      recipientMailServerHostName: event.recipientMailServerHostName,
      internetMessageId: event.internetMessageId,
      ...truncated,
    };
  }
  return {
    id: event.eventId,
    type: 'engagement',
    ...common,
    engagementType: event.engagementType,
    engagementContext: event.engagementContext,
    userAgent: event.userAgent,
    ...machineFlags(machineEngagement(event, attemptOf(event))),
    ...truncated,
  };
}

/** `machine`, and `machineRule` when it is true: as the views show a verdict. */
export const machineFlags = (verdict: ReturnType<typeof machineEngagement>): { machine: boolean; machineRule?: MachineRule } =>
  verdict.machine ? { machine: true, machineRule: verdict.rule } : { machine: false };

export interface MessageStatusBody extends MessageSummary {
  messageId: string;
  events: EventView[];
  nextPageToken?: string;
}

/**
 * The whole response body: the summary over every event, and one page of the events after `after`.
 * `pageToken` seals the position of a page's last event into the token for the next page.
 */
export function messageStatusBody(
  messageId: string,
  events: readonly EmailEvent[],
  page: { limit: number; after: PagePosition | undefined },
  pageToken: (last: EmailEvent) => string,
): MessageStatusBody {
  // Each key is computed once: a sort makes n·log n comparisons.
  const ordered = events.map((event) => ({ event, key: eventOrderKey(event) })).sort((a, b) => compareText(a.key, b.key));
  const start = page.after === undefined ? 0 : startAfter(ordered, page.after);
  const pageEvents = ordered.slice(start, start + page.limit).map(({ event }) => event);
  const last = pageEvents.at(-1);
  const summary = summarize(events);
  const attemptOf = attemptFor(summary.recipients);
  return {
    messageId,
    ...summary,
    events: pageEvents.map((event) => toEventView(event, attemptOf)),
    ...(ordered.length > start + page.limit && last ? { nextPageToken: pageToken(last) } : {}),
  };
}

/**
 * The index just after the event a position names. Rows are never deleted, so that event is there;
 * should it not be, the page goes on after the last event at or before the position's time.
 */
function startAfter(ordered: readonly { event: EmailEvent; key: string }[], after: PagePosition): number {
  const index = ordered.findIndex(({ event }) => event.occurredAt === after.occurredAt && eventDigest(event) === after.eventDigest);
  if (index >= 0) return index + 1;
  const later = ordered.findIndex(({ event }) => compareTimestamps(event.occurredAt, after.occurredAt) > 0);
  return later < 0 ? ordered.length : later;
}
