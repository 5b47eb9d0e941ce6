/**
 * Opaque page tokens: a position in a list, bound to the list it came from (the message, or the
 * lookup and its filters) by a checksum.
 *
 * A position, not an offset, so that events arriving between two page reads never make an item show
 * twice. The checksum covers the list's scope: a token from another list, or an edited one, is a 400.
 * It is not a secret seal, and need not be: reads only ever touch the partition named in the URL, so a
 * token can never reach another message's or address's rows.
 */
import { eventIdentity, type EmailEvent } from '../events/emailEvent.js';
import { SHORT_DIGEST, shortDigest } from '../sha256.js';
import { toUtcTimestamp } from '../events/timestamps.js';

const MAX_TOKEN_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const checksum = (scope: string, payload: string) => shortDigest(`${scope}\n${payload}`);

/** `fields` as a token bound to `scope`. */
export function sealToken(scope: string, fields: readonly unknown[]): string {
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${checksum(scope, payload)}`;
}

/** The fields a token holds, or undefined when it is not a token this app sealed for `scope`. */
export function openToken(scope: string, token: string): unknown[] | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const [payload, seal, extra] = token.split('.');
  if (payload === undefined || seal === undefined || extra !== undefined || !BASE64URL.test(payload)) return undefined;
  if (seal !== checksum(scope, payload)) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return Array.isArray(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** The position of the last event a page of GET /api/messages/{messageId} returned. */
export interface PagePosition {
  /** The occurredAt of the last event returned. */
  occurredAt: string | null;
  /** A digest of the last event's identity (eventDigest). */
  eventDigest: string;
}

/** 2: the event is named by a digest of its identity (kind and id). */
const MESSAGE_TOKEN_VERSION = 2;

export const eventDigest = (event: Pick<EmailEvent, 'kind' | 'eventId'>) => shortDigest(eventIdentity(event));

export function encodePageToken(messageId: string, last: Pick<EmailEvent, 'occurredAt' | 'kind' | 'eventId'>): string {
  return sealToken(messageId, [MESSAGE_TOKEN_VERSION, last.occurredAt, eventDigest(last)]);
}

/** The position a token names, or undefined when it is not a token this app issued for this message. */
export function decodePageToken(messageId: string, token: string): PagePosition | undefined {
  const fields = openToken(messageId, token);
  if (fields === undefined || fields.length !== 3) return undefined;
  const [version, occurredAt, digest] = fields;
  if (version !== MESSAGE_TOKEN_VERSION || typeof digest !== 'string' || !SHORT_DIGEST.test(digest)) return undefined;
  if (occurredAt !== null && (typeof occurredAt !== 'string' || toUtcTimestamp(occurredAt) !== occurredAt)) return undefined;
  return { occurredAt, eventDigest: digest };
}
