/**
 * Pure parsing of GET /api/stats?from=&to=&sender=&granularity= into a query or a 400 problem naming
 * the parameter at fault. `today` is passed in (UTC, YYYY-MM-DD), so that tests say what day it is.
 */
import { addDays, normalizeSender } from '../stats/facts.js';
import type { Granularity, StatsQuery } from '../stats/report.js';
import { MAX_LOOKUP_VALUE_LENGTH } from './lookupRequests.js';
import { badRequest, type Parsed } from './problem.js';

/** A year, leap day included. */
export const MAX_STATS_DAYS = 366;
/** Hours of up to a week: 168 buckets. */
export const MAX_HOURLY_DAYS = 7;
export const DEFAULT_STATS_DAYS = 30;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

function day(query: URLSearchParams, parameter: 'from' | 'to', fallback: string): Parsed<string> {
  const text = query.get(parameter)?.trim();
  if (text === undefined) return { ok: true, query: fallback };
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
  const senderText = query.get('sender');
  if (senderText === null) return { ok: true, query: { from: from.query, to: to.query, granularity } };
  if (senderText.length > MAX_LOOKUP_VALUE_LENGTH) return badRequest('sender', `The sender is longer than ${MAX_LOOKUP_VALUE_LENGTH} characters.`);
  if (CONTROL_CHARACTERS.test(senderText)) return badRequest('sender', 'The sender contains a control character.');
  const sender = normalizeSender(senderText);
  if (sender === null) return badRequest('sender', 'The sender is empty.');
  return { ok: true, query: { from: from.query, to: to.query, sender, granularity } };
}
