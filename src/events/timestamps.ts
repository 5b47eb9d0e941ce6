/**
 * Timestamps as ACS sends them: ISO 8601 with up to 7 fractional digits (100 ns ticks) and an offset
 * such as `+00:00`. JavaScript's Date keeps milliseconds only, so instants are handled as strings:
 * the whole seconds go through Date (to apply the offset), the fraction is carried through untouched.
 */

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,64}))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Fractions beyond nanoseconds carry no information any producer has; they are cut there. */
const MAX_FRACTION_DIGITS = 9;

/**
 * The instant `text` denotes, in UTC with `Z`, keeping the fraction digits as sent
 * (`2020-09-18T00:22:20.2855749+00:00` → `2020-09-18T00:22:20.2855749Z`).
 * A timestamp without an offset is taken as UTC, as ACS and Event Grid write UTC.
 * Returns undefined for anything that is not a real calendar instant in years 0001–9999.
 */
export function toUtcTimestamp(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const match = ISO_TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHours, offsetMinutes] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return undefined;
  const wallClock = new Date(0);
  wallClock.setUTCFullYear(y, mo - 1, d);
  wallClock.setUTCHours(h, mi, s, 0);
  if (wallClock.getUTCDate() !== d || wallClock.getUTCMonth() !== mo - 1) return undefined;

  let epochMs = wallClock.getTime();
  if (sign) {
    const offsetH = Number(offsetHours);
    const offsetM = Number(offsetMinutes ?? 0);
    if (offsetH > 23 || offsetM > 59) return undefined;
    const offsetMs = (offsetH * 60 + offsetM) * 60_000;
    epochMs += sign === '+' ? -offsetMs : offsetMs;
  }
  const utc = new Date(epochMs).toISOString();
  if (!/^\d{4}-/.test(utc) || utc.startsWith('0000')) return undefined;
  const digits = fraction ? fraction.slice(0, MAX_FRACTION_DIGITS) : '';
  return `${utc.slice(0, 19)}${digits ? `.${digits}` : ''}Z`;
}

/**
 * A key that sorts (as a plain string) in the order of the instants: the fraction is padded to a
 * fixed width so that `.2855749Z` and `.822Z` compare as the instants they denote.
 * Takes the output of toUtcTimestamp.
 */
export function instantSortKey(utcTimestamp: string): string {
  const seconds = utcTimestamp.slice(0, 19);
  const fraction = utcTimestamp.length > 20 ? utcTimestamp.slice(20, -1) : '';
  return `${seconds}.${fraction.padEnd(MAX_FRACTION_DIGITS, '0')}`;
}

/** Orders two UTC timestamps (from toUtcTimestamp) by instant; a missing one sorts first. */
export function compareTimestamps(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const keyA = instantSortKey(a);
  const keyB = instantSortKey(b);
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}
