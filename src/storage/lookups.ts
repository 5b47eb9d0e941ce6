/**
 * The reads behind the lookups: a few queries on the index table, then the pure derivation in
 * status/. No lookup scans a table: each reads the partition of the address or Internet Message-ID
 * in the URL, and message partitions by their id.
 */
import { summarize, type RecipientStatus } from '../status/messageStatus.js';
import { placedMessages, recipientSummary, type RecipientMessage, type RecipientSummary } from '../status/recipientStatus.js';
import type { EventStore } from './eventStore.js';
import { normalizeInternetMessageId } from '../events/addresses.js';
import { GROUP_PREFIX, fromGroupEntity, internetMessageIdPartitionKey, recipientPartitionKey } from './indexEntities.js';
import { endOf, messageDigest, messageDigestOfTailKey, tailRange } from './tailKeys.js';

const ALL_GROUP_ROWS = { from: GROUP_PREFIX, to: endOf(GROUP_PREFIX) };

/** What is known about an address, or undefined when no event names it. Reads its group rows whole. */
export async function recipientOverview(store: EventStore, normalizedAddress: string): Promise<RecipientSummary | undefined> {
  const rows: Record<string, unknown>[] = [];
  for await (const page of store.indexRows(recipientPartitionKey(normalizedAddress), { range: ALL_GROUP_ROWS })) rows.push(...page);
  return rows.length === 0 ? undefined : recipientSummary(rows.map(fromGroupEntity));
}

export interface RecipientMessagesQuery {
  /** Normalized (normalizeAddress). */
  address: string;
  limit: number;
  /** A status in its documented case: only messages whose latest report for the address has it. */
  status?: string;
  /** Only messages whose latest attempt is at or after `since` and at or before `until` (UTC). */
  since?: string;
  until?: string;
  /** The position of the last message of the previous page. */
  after?: string;
}

export interface RecipientMessagesPage {
  messages: RecipientMessage[];
  /** The position of the page's last message, when more messages follow. */
  next?: string;
}

/**
 * One page of the messages sent to an address, newest attempt first, or undefined when no event names
 * the address.
 *
 * Round trips: the address's tail (one row per delivery report, newest first) gives the page's
 * candidates; then their group rows (every event of each message that names the address) are read
 * with queries issued at once, and each message's entry is derived from them as the message view
 * derives it. So a page takes two round trips. It takes more only when the rows read do not yet hold
 * `limit + 1` messages that belong on it: a message whose latest report lies on an earlier page (or
 * outside since/until) also has older reports here, which are passed over.
 */
export async function recipientMessagesPage(store: EventStore, query: RecipientMessagesQuery): Promise<RecipientMessagesPage | undefined> {
  const partitionKey = recipientPartitionKey(query.address);
  const window = tailRange(query.since, query.until);
  const resume = query.after !== undefined && query.after >= window.from;
  const belongs = (position: string) => position >= window.from && position < window.to && (query.after === undefined || position > query.after);
  // Tail rows are small: read twice a page of them, so that messages attempted more than once
  // rarely make a page take a second pass.
  const pageSize = Math.min(1000, 2 * (query.limit + 1));

  const accepted = new Map<string, { message: RecipientMessage; position: string }>();
  // The previous page's last message was listed there; its older reports follow it in the tail.
  const decided = new Set<string>(resume ? [messageDigestOfTailKey(query.after!)] : []);
  let range = { from: resume ? query.after! : window.from, fromExclusive: resume, to: window.to };
  let continuationToken: string | undefined;
  for (;;) {
    const page = await store.indexPage(partitionKey, { range, status: query.status, pageSize, ...(continuationToken ? { continuationToken } : {}) });
    if (page.rows.length === 0) {
      // An empty page need not be the last: Table Storage ends pages early on long scans.
      if (page.next === undefined) break;
      continuationToken = page.next;
      continue;
    }
    // Table Storage answers in key order; Azure Cosmos DB for Table does not promise to.
    const rows = page.rows.sort((a, b) => (String(a.rowKey) < String(b.rowKey) ? -1 : 1));
    // The rows of enough new messages to fill the page and tell whether another follows, and a few
    // more, since some may turn out to belong to earlier pages (their latest report is further up).
    const wanted = query.limit + 1 - accepted.size + Math.ceil(query.limit / 10);
    const digests: string[] = [];
    let read = rows.length;
    for (let i = 0; i < rows.length; i++) {
      const digest = messageDigestOfTailKey(String(rows[i]!.rowKey));
      if (decided.has(digest) || digests.includes(digest)) continue;
      if (digests.length === wanted) {
        read = i;
        break;
      }
      digests.push(digest);
    }
    const lastRead = String(rows[read - 1]!.rowKey);
    const events = (await store.messageGroupRows(partitionKey, digests)).map(fromGroupEntity);
    for (const entry of placedMessages(events)) {
      // A message whose latest report lies further on is met again there.
      if (entry.position > lastRead) continue;
      decided.add(messageDigest(entry.message.messageId));
      if (belongs(entry.position) && (query.status === undefined || entry.message.status === query.status)) accepted.set(entry.message.messageId, entry);
    }
    if (accepted.size > query.limit) break;
    if (read === rows.length) {
      if (page.next === undefined) break;
      continuationToken = page.next;
    } else {
      continuationToken = undefined;
      range = { from: lastRead, fromExclusive: true, to: window.to };
    }
  }

  const ordered = [...accepted.values()].sort((a, b) => (a.position < b.position ? -1 : 1));
  const page = ordered.slice(0, query.limit);
  if (page.length === 0 && query.after === undefined && !(await hasRows(store, partitionKey))) return undefined;
  return { messages: page.map((entry) => entry.message), ...(ordered.length > query.limit ? { next: page.at(-1)!.position } : {}) };
}

async function hasRows(store: EventStore, partitionKey: string): Promise<boolean> {
  let continuationToken: string | undefined;
  do {
    const page = await store.indexPage(partitionKey, { range: ALL_GROUP_ROWS, pageSize: 1, ...(continuationToken ? { continuationToken } : {}) });
    if (page.rows.length > 0) return true;
    continuationToken = page.next;
  } while (continuationToken !== undefined);
  return false;
}

export interface InternetMessage {
  messageId: string;
  sender: string | null;
  status: string;
  recipients: RecipientStatus[];
}

export interface InternetMessageLookup {
  /** As ACS sent it, with its angle brackets. */
  internetMessageId: string;
  /** Normally one; ordered by message id. */
  messages: InternetMessage[];
}

/** The message(s) that carry an Internet Message-ID, each summarized as its message view is, or undefined when none does. */
export async function internetMessageLookup(store: EventStore, normalizedId: string): Promise<InternetMessageLookup | undefined> {
  const messageIds = new Set<string>();
  for await (const page of store.indexRows(internetMessageIdPartitionKey(normalizedId))) for (const row of page) messageIds.add(String(row.messageId));
  if (messageIds.size === 0) return undefined;
  const ordered = [...messageIds].sort();
  const eventsByMessage = await Promise.all(ordered.map((messageId) => store.messageEvents(messageId)));
  let sentAs: string | undefined;
  const messages: InternetMessage[] = [];
  ordered.forEach((messageId, i) => {
    // An index row written before its event row (the delivery is being retried) names nothing yet.
    const events = eventsByMessage[i]!;
    if (events.length === 0) return;
    for (const event of events) {
      if (event.kind === 'delivery' && event.internetMessageId !== null && normalizeInternetMessageId(event.internetMessageId) === normalizedId) {
        if (sentAs === undefined || event.internetMessageId < sentAs) sentAs = event.internetMessageId;
      }
    }
    const { sender, status, recipients } = summarize(events);
    messages.push({ messageId, sender, status, recipients });
  });
  if (messages.length === 0) return undefined;
  return { internetMessageId: sentAs ?? `<${normalizedId}>`, messages };
}
