/**
 * Pure parsing of GET /api/stats?from=&to=&sender=&granularity= and of GET /api/messages?day= (a day's
 * messages) into a query or a 400 problem naming the parameter at fault. `today` is passed in (UTC,
 * YYYY-MM-DD), so that tests say what day it is.
 */
import { KNOWN_DELIVERY_STATUSES, knownDeliveryStatus } from '../events/emailEvent.js';
import { PENDING } from '../status/messageStatus.js';
import type { DayMessagesQuery, DayPosition } from '../stats/dayMessageList.js';
import { SHARDS, addDays, normalizeSender } from '../stats/facts.js';
import type { Granularity, StatsQuery } from '../stats/report.js';
import { SHORT_DIGEST } from '../sha256.js';
import { DEFAULT_RECIPIENT_PAGE_SIZE, MAX_LOOKUP_VALUE_LENGTH } from './lookupRequests.js';
import { openToken, sealToken } from './pageToken.js';
import { badRequest, type Parsed } from './problem.js';
import { parseLimit } from './statusRequest.js';

/** A year, leap day included. */
export const MAX_STATS_DAYS = 366;
/** Hours of up to a week: 168 buckets. */
export const MAX_HOURLY_DAYS = 7;
export const DEFAULT_STATS_DAYS = 30;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

function day(query: URLSearchParams, parameter: 'from' | 'to' | 'day', fallback: string | undefined): Parsed<string> {
  const text = query.get(parameter)?.trim();
  if (text === undefined) {
    return fallback === undefined ? badRequest(parameter, `${parameter} is required: a day in UTC written YYYY-MM-DD, such as 2026-11-27.`) : { ok: true, query: fallback };
  }
  const time = DAY.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
    return badRequest(parameter, `${parameter} must be a day in UTC written YYYY-MM-DD, such as 2026-11-27.`);
  }
  return { ok: true, query: text };
}

const dayCount = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

export function parseStatsRequest(query: URLSearchParams, today: string): Parsed<StatsQuery> {
  const granularityText = query.get('granularity')?.trim() ?? 'day';
  if (granularityText !== 'day' && granularityText !== 'hour') return badRequest('granularity', 'granularity must be day or hour.');
  const granularity: Granularity = granularityText;
  const to = day(query, 'to', today);
  if (!to.ok) return to;
  if (to.query > today) return badRequest('to', `to must not be later than today (${today}, UTC).`);
  const span = granularity === 'hour' ? 1 : DEFAULT_STATS_DAYS;
  const from = day(query, 'from', addDays(to.query, 1 - span));
  if (!from.ok) return from;
  if (from.query > to.query) return badRequest('from', 'from must not be later than to.');
  const most = granularity === 'hour' ? MAX_HOURLY_DAYS : MAX_STATS_DAYS;
  if (dayCount(from.query, to.query) > most) {
    return badRequest('from', granularity === 'hour' ? `An hourly range covers at most ${MAX_HOURLY_DAYS} days.` : `A range covers at most ${MAX_STATS_DAYS} days.`);
  }
  const sender = parseSender(query);
  if (!sender.ok) return sender;
  return { ok: true, query: { from: from.query, to: to.query, ...(sender.query === undefined ? {} : { sender: sender.query }), granularity } };
}

/** The sender, normalized as statistics group by it; undefined when not given. */
function parseSender(query: URLSearchParams): Parsed<string | undefined> {
  const senderText = query.get('sender');
  if (senderText === null) return { ok: true, query: undefined };
  if (senderText.length > MAX_LOOKUP_VALUE_LENGTH) return badRequest('sender', `The sender is longer than ${MAX_LOOKUP_VALUE_LENGTH} characters.`);
  if (CONTROL_CHARACTERS.test(senderText)) return badRequest('sender', 'The sender contains a control character.');
  const sender = normalizeSender(senderText);
  if (sender === null) return badRequest('sender', 'The sender is empty.');
  return { ok: true, query: sender };
}

/** The statuses a day's messages can be filtered by: the documented ones, and Pending (a report without one). */
export const DAY_MESSAGE_STATUSES = [...KNOWN_DELIVERY_STATUSES, PENDING];

/** The page token of a day's messages, bound to the day and the filters. */
const DAY_TOKEN_VERSION = 1;
const dayTokenScope = (query: Omit<DayMessagesQuery, 'limit' | 'from'>) => ['day-messages', query.day, query.sender ?? '', query.status ?? ''].join('\u0000');

export function encodeDayMessagesToken(query: Omit<DayMessagesQuery, 'limit' | 'from'>, position: DayPosition): string {
  return sealToken(dayTokenScope(query), [DAY_TOKEN_VERSION, position.shard, position.after ?? null]);
}

export function parseDayMessagesRequest(query: URLSearchParams, today: string): Parsed<DayMessagesQuery> {
  const listedDay = day(query, 'day', undefined);
  if (!listedDay.ok) return listedDay;
  if (listedDay.query > today) return badRequest('day', `day must not be later than today (${today}, UTC).`);
  const sender = parseSender(query);
  if (!sender.ok) return sender;
  const statusText = query.get('status')?.trim();
  const status = statusText === undefined ? undefined : statusText.toLowerCase() === PENDING.toLowerCase() ? PENDING : knownDeliveryStatus(statusText);
  if (statusText !== undefined && status === undefined) return badRequest('status', `status must be one of ${DAY_MESSAGE_STATUSES.join(', ')}.`);
  const limit = parseLimit(query, DEFAULT_RECIPIENT_PAGE_SIZE);
  if (!limit.ok) return limit;
  const filters = { day: listedDay.query, ...(sender.query === undefined ? {} : { sender: sender.query }), ...(status === undefined ? {} : { status }) };
  const token = query.get('pageToken');
  if (token === null) return { ok: true, query: { ...filters, limit: limit.query } };
  const fields = openToken(dayTokenScope(filters), token);
  const [version, shard, after] = fields ?? [];
  if (fields?.length !== 3 || version !== DAY_TOKEN_VERSION || typeof shard !== 'string' || !SHARDS.includes(shard) || !(after === null || (typeof after === 'string' && SHORT_DIGEST.test(after)))) {
    return badRequest('pageToken', 'pageToken is not a token this API issued for this day and these filters; use nextPageToken from the previous page.');
  }
  return { ok: true, query: { ...filters, limit: limit.query, from: { shard, ...(after === null ? {} : { after }) } } };
}
