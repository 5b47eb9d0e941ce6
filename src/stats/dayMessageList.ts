/**
 * The read behind GET /api/messages?day=: a day's messages, a page at a time, from the day's
 * statistics facts (dayMessages.ts counts each one). The facts of a day lie in 16 shards, each in
 * message-digest order, so the list goes shard by shard in that order, and a page token is a
 * position (shard and digest): messages that arrive between two pages never make one show twice.
 * The order is not by time: a day's messages are spread over 16 partitions on purpose (Scale), and a
 * time order would take a sort of the whole day.
 *
 * A page costs a query of each shard it passes through, one per 1,000 facts, and a query of the day
 * after for each batch of messages (a later report there moves a recipient to that day). A page stops
 * early, with a token to go on, once it has read FACTS_PER_PAGE facts: a filter that few messages meet
 * does not make one request read a whole busy day.
 */
import type { EventStore } from '../storage/eventStore.js';
import { SHARDS, addDays, factPartitionKey, fromStatsFactRow, type StatsFact } from './facts.js';
import { dayMessageEntries, type DayMessage } from './dayMessages.js';

/** Where a page starts: a shard, from its start or after a message's digest. */
export interface DayPosition {
  shard: string;
  after?: string;
}

export interface DayMessagesQuery {
  day: string;
  /** Normalized (trimmed, lowercased); absent for every sender. */
  sender?: string;
  /** Only messages with a recipient of this status (by its latest report) on the day. */
  status?: string;
  limit: number;
  from?: DayPosition;
}

export interface DayMessagesPage {
  messages: DayMessage[];
  next?: DayPosition;
}

const FACTS_PER_PAGE = 10_000;
const PAGE_SIZE = 1000;
/** After every row key of a message digest (`<digest>|<event digest>`). */
const afterMessage = (digest: string) => `${digest}|~`;

function factsOf(rows: readonly Record<string, unknown>[]): StatsFact[] {
  const facts: StatsFact[] = [];
  for (const row of rows) {
    const fact = fromStatsFactRow(row);
    if (fact) facts.push(fact);
  }
  return facts;
}

export async function readDayMessages(store: EventStore, query: DayMessagesQuery): Promise<DayMessagesPage> {
  const listed: { shard: string; digest: string; message: DayMessage }[] = [];
  const matches = (message: DayMessage) => query.status === undefined || (message.statuses[query.status] ?? 0) > 0;
  let read = 0;
  const full = () => listed.length >= query.limit || read >= FACTS_PER_PAGE;

  /** Counts whole messages of one shard, with their facts of the day after, into the list. */
  async function count(shard: string, messages: StatsFact[][]): Promise<void> {
    if (messages.length === 0) return;
    const range = { from: `${messages[0]![0]!.message}|`, to: afterMessage(messages.at(-1)![0]!.message) };
    const later: StatsFact[] = [];
    for await (const page of store.indexRows(factPartitionKey(addDays(query.day, 1), shard), { range, sender: query.sender, pageSize: PAGE_SIZE })) later.push(...factsOf(page));
    for (const { digest, message } of dayMessageEntries([...messages.flat(), ...later], query.day)) if (matches(message)) listed.push({ shard, digest, message });
  }

  /** Lists one shard's messages from `after` on, until the page is full; says where the next page starts, or undefined when the shard is done. */
  async function listShard(shard: string, after: string | undefined): Promise<DayPosition | undefined> {
    const range = after === undefined ? undefined : { from: afterMessage(after), fromExclusive: true, to: '~' };
    let batch: StatsFact[][] = [];
    let current: StatsFact[] = [];
    for await (const page of store.indexRows(factPartitionKey(query.day, shard), { range, sender: query.sender, pageSize: PAGE_SIZE })) {
      for (const fact of factsOf(page)) {
        read++;
        if (current.length > 0 && current[0]!.message !== fact.message) {
          // A message's facts are whole once the next message's begin.
          batch.push(current);
          current = [];
          if (listed.length + batch.length >= query.limit || read >= FACTS_PER_PAGE) {
            await count(shard, batch);
            const last = batch.at(-1)![0]!.message;
            batch = [];
            if (full()) return { shard, after: last };
          }
        }
        current.push(fact);
      }
    }
    if (current.length > 0) batch.push(current);
    await count(shard, batch);
    return undefined;
  }

  let next: DayPosition | undefined;
  const first = query.from ? SHARDS.indexOf(query.from.shard) : 0;
  for (let index = first; index < SHARDS.length && next === undefined; index++) {
    const shard = SHARDS[index]!;
    next = await listShard(shard, query.from?.shard === shard ? query.from.after : undefined);
    if (next === undefined && full() && index + 1 < SHARDS.length) next = { shard: SHARDS[index + 1]! };
  }
  if (listed.length > query.limit) {
    const last = listed[query.limit - 1]!;
    next = { shard: last.shard, after: last.digest };
  }
  return { messages: listed.slice(0, query.limit).map((entry) => entry.message), ...(next ? { next } : {}) };
}
