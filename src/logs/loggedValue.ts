/**
 * What a log line may quote of a value that came from outside (an event's fields, a path, a query, a
 * header): the value only when it cannot be an address or a secret, and never longer than
 * MAX_LOGGED_CHARACTERS. Every log of input-derived values goes through here, so that the rule is one.
 *
 * Logs keep what an operator needs to find an event again (GUID message and event ids, event types)
 * and lose what the app promises never to log: an address (anything with an @, also percent-encoded)
 * or what looks like a credential (`key=…`, `Bearer …`, a long run of mixed letters and digits as keys,
 * tokens and signatures are). Redaction is by shape: a value that merely could be one is replaced too.
 */

/** Longest quote of an input value in a log line; a 1,000,000-character event type is logged as this much. */
export const MAX_LOGGED_CHARACTERS = 120;
/** Most items of a list a log line quotes (message ids of an Internet Message-ID, say). */
export const MAX_LOGGED_ITEMS = 20;

const ADDRESS = /@|%40/i;
/** A credential by its name (`key=`, `sig:`, `password=`) or its scheme (`Bearer x`, `Basic x`). */
const NAMED_SECRET = /\b(?:bearer|basic)\s+\S|(?:key|token|secret|passw(?:or)?d|pwd|sig|signature|code|credential|auth\w*)\s*[=:]/i;
/** A run of base64/base64url-like characters long enough for a key or token; GUID groups are 12 at most. */
const LONG_RUN = /[A-Za-z0-9+/_=]{20,}/g;
/** The event id the app derives for an event that has none, or an over-long one (events/normalize.ts): its own, not input. */
const DERIVED_EVENT_ID = /^sha256-[0-9a-f]{64}$/;
/** Line breaks and other control characters would let input forge log lines. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const looksLikeSecret = (text: string): boolean =>
  NAMED_SECRET.test(text) || (text.match(LONG_RUN) ?? []).some((run) => /[0-9]/.test(run) && /[A-Za-z]/.test(run));

/** `text` as a log line may show it. */
export function loggedText(text: string): string {
  if (DERIVED_EVENT_ID.test(text)) return text;
  if (ADDRESS.test(text)) return `[redacted: could be an address, ${text.length} characters]`;
  if (looksLikeSecret(text)) return `[redacted: could be a secret, ${text.length} characters]`;
  const shown = text.replace(CONTROL, '\ufffd');
  return shown.length <= MAX_LOGGED_CHARACTERS ? shown : `${shown.slice(0, MAX_LOGGED_CHARACTERS)}…[${text.length} characters]`;
}

/** A value of a log line's fields as it may be logged: strings as loggedText, lists cut to MAX_LOGGED_ITEMS, objects field by field. */
export function loggedValue(value: unknown): unknown {
  if (typeof value === 'string') return loggedText(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || value === undefined) return value;
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_LOGGED_ITEMS).map(loggedValue);
    return value.length > MAX_LOGGED_ITEMS ? [...shown, `…[${value.length} items]`] : shown;
  }
  if (typeof value === 'object') return loggedFields(value as Record<string, unknown>);
  return `[${typeof value}]`;
}

/** A log line's fields, each value as loggedValue shows it. */
export function loggedFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, loggedValue(value)]));
}
