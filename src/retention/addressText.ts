/**
 * An erased address in stored text: found as a parser reads it (percent-escapes decoded, however often
 * they nest, and in any case), and replaced by a marker. Pure.
 *
 * An address is matched where it stands as an address: not inside a longer one (`malice@x` is not
 * `alice@x`, nor is `alice@x.org`), so that erasing one person's address leaves the others' text whole.
 * What may stand before it: anything but a letter, a digit or `. _ + -` (so `/p/alice@x` and
 * `?utm_term=alice@x` match); after it: anything but a letter, a digit, `-` or a `.` that goes on
 * with the domain. A percent-escape next to it counts as a boundary, whatever it decodes to.
 */
import type { EmailEvent } from '../events/emailEvent.js';
import { decodePercentEscapes } from '../events/percentEscapes.js';
import { sha256 } from '../sha256.js';
import { fitStringProperty } from '../storage/tableLimits.js';

/** What stands where the address was. */
export const ERASED = '[erased]';

/** What may not stand right before an address: it would be part of a longer one. */
const WITHIN_ADDRESS = /[\p{L}\p{N}._+-]/u;
const BEFORE = String.raw`(?:(?<=%[0-9a-f]{2})|(?<![\p{L}\p{N}._+\-]))`;
const AFTER = String.raw`(?![\p{L}\p{N}\-]|\.[\p{L}\p{N}])`;

/** One character of the address, as sent or percent-encoded (its UTF-8 bytes, escaped any number of times), in any case. */
function characterPattern(character: string): string {
  const spellings = new Set([character, character.toLowerCase(), character.toUpperCase()]);
  const alternatives = [`\\u{${character.codePointAt(0)!.toString(16)}}`];
  for (const spelling of spellings) {
    const bytes = [...new TextEncoder().encode(spelling)];
    alternatives.push(bytes.map((byte) => `%(?:25)*${byte.toString(16).padStart(2, '0')}`).join(''));
  }
  return `(?:${alternatives.join('|')})`;
}

/** Every place the address stands in a text, however it is spelled there. */
export function addressPattern(normalizedAddress: string): RegExp {
  return new RegExp(`${BEFORE}${[...normalizedAddress].map(characterPattern).join('')}${AFTER}`, 'giu');
}

/**
 * Only an address with an `@` is looked for in text: anything shorter names too little to be told
 * from the rest of a sentence.
 */
export const isFindableInText = (normalizedAddress: string) => /.@./u.test(normalizedAddress);

/** The text with the address replaced by ERASED wherever it stands. */
export function eraseAddressFromText(text: string, pattern: RegExp): string {
  return text.replace(pattern, ERASED);
}

/**
 * Fields left as they are: they identify the event or say when, and keys are derived from them (the
 * Message-ID's lookup row too), so that a rewritten event keeps its rows where they are.
 */
const KEPT_FIELDS = new Set(['messageId', 'eventId', 'kind', 'eventType', 'envelope', 'occurredAt', 'eventTime', 'internetMessageId', 'truncatedFields']);

/** The event with the address erased from its text, or undefined when none of its text holds it. */
export function eraseAddressFromEvent(event: EmailEvent, pattern: RegExp): EmailEvent | undefined {
  let changed = false;
  const erased = { ...event, truncatedFields: [...event.truncatedFields] };
  const fields = erased as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(event)) {
    if (typeof value !== 'string' || KEPT_FIELDS.has(field)) continue;
    const text = eraseAddressFromText(value, pattern);
    if (text === value) continue;
    // The marker can be longer than a short address.
    const fit = fitStringProperty(text);
    fields[field] = fit.value;
    if (fit.truncated && !erased.truncatedFields.includes(field)) erased.truncatedFields.push(field);
    changed = true;
  }
  return changed ? erased : undefined;
}

const LOCAL_PART = /[^\s<>()[\]{},;:"'`\\/=?&#|@]/u;
const DOMAIN = /[\p{L}\p{N}.-]/u;
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 255;

/**
 * The address-shaped words of a text (after decoding its percent-escapes), lowercased: every way of
 * reading one around each `@`, so that the one whose digest is known is among them.
 */
function addressCandidates(text: string): Set<string> {
  const decoded = decodePercentEscapes(text).toLowerCase();
  const candidates = new Set<string>();
  for (let at = decoded.indexOf('@'); at >= 0; at = decoded.indexOf('@', at + 1)) {
    const ends: number[] = [];
    for (let end = at + 1; end <= Math.min(decoded.length, at + 1 + MAX_DOMAIN); end++) {
      const next = decoded[end];
      if (next === undefined || !DOMAIN.test(next)) {
        ends.push(end);
        break;
      }
      if (next === '.') ends.push(end);
    }
    for (let start = at - 1; start >= Math.max(0, at - MAX_LOCAL_PART) && LOCAL_PART.test(decoded[start]!); start--) {
      // Only where an address may begin, as addressPattern has it.
      if (start > 0 && WITHIN_ADDRESS.test(decoded[start - 1]!)) continue;
      for (const end of ends) if (end > at + 1) candidates.add(decoded.slice(start, end));
    }
  }
  return candidates;
}

/**
 * The address whose SHA-256 is `digest` (as address partitions are keyed), read back from the events'
 * text, or undefined when none holds it. An erasure's re-application knows the address only by that
 * digest, and needs it to find the address in events that came after the erasure.
 */
export function findAddressByDigest(events: readonly EmailEvent[], digest: string): string | undefined {
  for (const event of events) {
    for (const value of Object.values(event)) {
      if (typeof value !== 'string' || (!value.includes('@') && !value.includes('%'))) continue;
      for (const candidate of addressCandidates(value)) if (sha256(candidate) === digest) return candidate;
    }
  }
  return undefined;
}
