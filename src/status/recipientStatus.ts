/**
 * Pure derivation of the address lookups from the events that name an address (its index rows):
 * what happened to each message sent to it, and what is known about the address as a whole.
 *
 * Each message's entry is derived with the message view's own rules (latestReport, senderOf), from
 * the same reports, so that the address's status under a message always equals its entry in
 * GET /api/messages/{messageId}. The same set of events always gives the same answer.
 */
import type { DeliveryEvent, EmailEvent, EngagementEvent } from '../events/emailEvent.js';
import { tailRowKey } from '../storage/tailKeys.js';
import { latestReport, machineFlags, newestEvent, senderOf } from './messageStatus.js';
import { timeRule, userAgentRule, type MachineRule } from '../engagement/machineRules.js';

/**
 * Whether an engagement is likely a machine's: by its user agent (or, from an index row, which keeps
 * no user agent, the rule it matched), then by its time against the address's latest attempt of that
 * message.
 */
function engagementVerdict(engagement: EngagementEvent & { userAgentRule?: MachineRule | null }, events: readonly EmailEvent[]) {
  const agentRule = 'userAgentRule' in engagement ? (engagement.userAgentRule ?? undefined) : userAgentRule(engagement.userAgent);
  const attempt = latestReport(events.filter((event): event is DeliveryEvent => isDelivery(event) && event.messageId === engagement.messageId));
  const rule = agentRule ?? timeRule(engagement.occurredAt, attempt?.occurredAt);
  return machineFlags(rule === undefined ? { machine: false } : { machine: true, rule });
}

/** One message sent to the address, as GET /api/recipients/{address}/messages lists it. */
export interface RecipientMessage {
  messageId: string;
  /** The address as ACS sent it in this message's latest report. */
  recipient: string | null;
  status: string | null;
  statusMessage: string | null;
  attemptedAt: string | null;
  sender: string | null;
  internetMessageId: string | null;
  views: number;
  clicks: number;
}

/** A message's entry, and where it stands in the address's list (the tail key of its latest report). */
export interface PlacedRecipientMessage {
  message: RecipientMessage;
  position: string;
}

const isDelivery = (event: EmailEvent): event is DeliveryEvent => event.kind === 'delivery';
const isEngagement = (event: EmailEvent): event is EngagementEvent => event.kind === 'engagement';

/** How many of the engagement reports are opens (views) and clicks. */
function opensAndClicks(engagements: readonly EngagementEvent[]): { views: number; clicks: number } {
  let views = 0;
  let clicks = 0;
  for (const { engagementType } of engagements) {
    if (engagementType === 'view') views++;
    else if (engagementType === 'click') clicks++;
  }
  return { views, clicks };
}

/**
 * The entry of one message from the events of that message that name the address, or undefined while
 * no delivery report has named it (engagement alone does not list a message; it still counts).
 */
export function recipientMessage(messageId: string, events: readonly EmailEvent[]): PlacedRecipientMessage | undefined {
  const reports = events.filter(isDelivery);
  const latest = latestReport(reports);
  if (latest === undefined) return undefined;
  const engagements = events.filter(isEngagement);
  return {
    message: {
      messageId,
      recipient: latest.recipient,
      status: latest.status,
      statusMessage: latest.statusMessage,
      attemptedAt: latest.occurredAt,
      sender: senderOf(events),
      internetMessageId: latest.internetMessageId ?? reports.find((report) => report.internetMessageId !== null)?.internetMessageId ?? null,
      ...opensAndClicks(engagements),
    },
    position: tailRowKey(latest),
  };
}

/** Events grouped by message, in no particular order. */
export function byMessage(events: readonly EmailEvent[]): Map<string, EmailEvent[]> {
  const groups = new Map<string, EmailEvent[]>();
  for (const event of events) {
    const group = groups.get(event.messageId);
    if (group) group.push(event);
    else groups.set(event.messageId, [event]);
  }
  return groups;
}

/** Every listed message of the address, newest attempt first (ties in a fixed order). */
export function placedMessages(events: readonly EmailEvent[]): PlacedRecipientMessage[] {
  const placed: PlacedRecipientMessage[] = [];
  for (const [messageId, group] of byMessage(events)) {
    const entry = recipientMessage(messageId, group);
    if (entry) placed.push(entry);
  }
  return placed.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}

/** A delivery outcome, as the address view shows its latest one and its latest bounce or failure. */
export interface DeliveryOutcome {
  messageId: string;
  status: string | null;
  statusMessage: string | null;
  attemptedAt: string | null;
}

export interface RecipientSummary {
  /** The address as ACS sent it, in its latest report. */
  address: string | null;
  /** The status of the message most recently attempted: the first of the address's message list. */
  latestDelivery: DeliveryOutcome | null;
  /**
   * Messages with a delivery report, in all and per this address's status in each, named as the
   * message list shows it. A report with no status (`""` or null in the list) counts under `""`.
   */
  messages: { total: number; byStatus: Record<string, number> };
  /** The latest report whose status is Bounced or Failed. */
  latestFailure: DeliveryOutcome | null;
  engagement: {
    views: number;
    clicks: number;
    latest: {
      messageId: string;
      engagementType: string | null;
      engagementContext: string | null;
      occurredAt: string | null;
      machine: boolean;
      machineRule?: MachineRule;
    } | null;
  };
}

/** Statuses that mean the email did not reach the address and will not. */
export const FAILURE_STATUSES: readonly string[] = ['Bounced', 'Failed'];

const outcome = (report: DeliveryEvent): DeliveryOutcome => ({
  messageId: report.messageId,
  status: report.status,
  statusMessage: report.statusMessage,
  attemptedAt: report.occurredAt,
});

export function recipientSummary(events: readonly EmailEvent[]): RecipientSummary {
  const placed = placedMessages(events);
  // A Map: a status is whatever ACS sent, `constructor` and `__proto__` included, never a property lookup.
  const byStatus = new Map<string, number>();
  for (const { message } of placed) {
    // Not Pending: a report has arrived, and says nothing. JSON keys are strings, so null joins "".
    const status = message.status ?? '';
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  // Object.fromEntries defines own properties, so that `__proto__` is a key like any other.
  const sortedByStatus = Object.fromEntries([...byStatus].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const latest = placed[0]?.message;
  const failure = latestReport(events.filter(isDelivery).filter((report) => FAILURE_STATUSES.includes(report.status ?? '')));
  const engagements = events.filter(isEngagement);
  const latestEngagement = newestEvent(engagements);
  return {
    address: latest?.recipient ?? latestEngagement?.recipient ?? null,
    latestDelivery: latest ? { messageId: latest.messageId, status: latest.status, statusMessage: latest.statusMessage, attemptedAt: latest.attemptedAt } : null,
    messages: { total: placed.length, byStatus: sortedByStatus },
    latestFailure: failure ? outcome(failure) : null,
    engagement: {
      ...opensAndClicks(engagements),
      latest: latestEngagement
        ? {
            messageId: latestEngagement.messageId,
            engagementType: latestEngagement.engagementType,
            engagementContext: latestEngagement.engagementContext,
            occurredAt: latestEngagement.occurredAt,
            ...engagementVerdict(latestEngagement, events),
          }
        : null,
    },
  };
}
