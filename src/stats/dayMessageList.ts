/**
 * The read behind GET /api/messages?day=: a day's messages, a page at a time, from the day's
 * statistics facts (dayMessages.ts counts each one). The facts of a day lie in 16 shards, each in
 * message-digest order, so the list goes shard by shard in that order, and a page token is a
 * position (shard and digest): messages that arrive between two pages never make one show twice.
 * The order is not by time: a day's messages are spread over 16 partitions on purpose (Scale), and a
 * time order would take a sort of the whole day.
 *
 * A page costs a query of each shard it reads, one per 1,000 facts, and a query of the day after for
 * each batch of messages (a later report there moves a recipient to that day). It reads the shards in
 * waves of 2, 4, 8 and 2 shards at once, so a page of a quiet day takes 4 waves of 2 round trips, not
 * 16 of them. A page stops early, with a token to go on, once it has read FACTS_PER_PAGE facts: a
 * filter that few messages meet does not make one request read a whole busy day.
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

/** What one shard gave a page: its messages from the page's start on, and where it stopped, if before its end. */
interface ShardListing {
  entries: { digest: string; message: DayMessage }[];
  read: number;
  /** The digest of the last message counted, when the shard has more after it. */
  stoppedAfter?: string;
}

export async function readDayMessages(store: EventStore, query: DayMessagesQuery): Promise<DayMessagesPage> {
  const matches = (message: DayMessage) => query.status === undefined || (message.statuses[query.status] ?? 0) > 0;

  /** Counts whole messages of one shard, with their facts of the day after. */
  async function count(shard: string, messages: StatsFact[][]): Promise<ShardListing['entries']> {
    if (messages.length === 0) return [];
    const range = { from: `${messages[0]![0]!.message}|`, to: afterMessage(messages.at(-1)![0]!.message) };
    const later: StatsFact[] = [];
    for await (const page of store.indexRows(factPartitionKey(addDays(query.day, 1), shard), { range, sender: query.sender, pageSize: PAGE_SIZE })) later.push(...factsOf(page));
    return dayMessageEntries([...messages.flat(), ...later], query.day).filter((entry) => matches(entry.message));
  }

  /** Lists one shard's messages from `after` on, until it has `wanted` of them or has read `budget` facts. */
  async function listShard(shard: string, after: string | undefined, wanted: number, budget: number): Promise<ShardListing> {
    const range = after === undefined ? undefined : { from: afterMessage(after), fromExclusive: true, to: '~' };
    const entries: ShardListing['entries'] = [];
    let read = 0;
    let batch: StatsFact[][] = [];
    let current: StatsFact[] = [];
    for await (const page of store.indexRows(factPartitionKey(query.day, shard), { range, sender: query.sender, pageSize: PAGE_SIZE })) {
      for (const fact of factsOf(page)) {
        read++;
        if (current.length > 0 && current[0]!.message !== fact.message) {
          // A message's facts are whole once the next message's begin.
          batch.push(current);
          current = [];
          if (entries.length + batch.length >= wanted || read >= budget) {
            entries.push(...(await count(shard, batch)));
            const last = batch.at(-1)![0]!.message;
            batch = [];
            if (entries.length >= wanted || read >= budget) return { entries, read, stoppedAfter: last };
          }
        }
        current.push(fact);
      }
    }
    if (current.length > 0) batch.push(current);
    entries.push(...(await count(shard, batch)));
    return { entries, read };
  }

  // The shards are read in waves that double (2, 4, 8, …), each wave's shards at once, and their
  // messages taken in shard order: a day of few messages costs a few round trips, not 16, and a busy
  // day's page reads little more than it shows.
  const listed: { shard: string; digest: string; message: DayMessage }[] = [];
  let index = query.from ? SHARDS.indexOf(query.from.shard) : 0;
  let after = query.from?.after;
  let read = 0;
  let next: DayPosition | undefined;
  for (let wave = 2; index < SHARDS.length && next === undefined && listed.length < query.limit; wave *= 2) {
    const shards = SHARDS.slice(index, index + wave);
    const wanted = query.limit - listed.length;
    const budget = Math.max(1, Math.floor((FACTS_PER_PAGE - read) / shards.length));
    const listings = await Promise.all(shards.map((shard, i) => listShard(shard, i === 0 ? after : undefined, wanted, budget)));
    for (const [i, listing] of listings.entries()) {
      const shard = shards[i]!;
      read += listing.read;
      listed.push(...listing.entries.map((entry) => ({ shard, ...entry })));
      if (listing.stoppedAfter !== undefined) next = { shard, after: listing.stoppedAfter };
      else if (listed.length >= query.limit || read >= FACTS_PER_PAGE) next = SHARDS[index + i + 1] === undefined ? undefined : { shard: SHARDS[index + i + 1]! };
      if (next !== undefined || listed.length >= query.limit) break;
    }
    index += shards.length;
    after = undefined;
  }
  if (listed.length > query.limit) {
    const last = listed[query.limit - 1]!;
    next = { shard: last.shard, after: last.digest };
  }
  return { messages: listed.slice(0, query.limit).map((entry) => entry.message), ...(next ? { next } : {}) };
}
