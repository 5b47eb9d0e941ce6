/**
 * The opaque `pageToken` of GET /api/messages/{messageId}: the position of the last event a page
 * returned, bound to the message, with a checksum.
 *
 * A position, not an offset, so that events arriving between two page reads never make an event show
 * twice. The event is named by its time and a digest of its identity (kind and id), so the token stays
 * short whatever the id. The checksum covers the message id: a token from another message, or an edited one, is a 400.
 * It is not a secret seal, and need not be: reads only ever touch the partition named in the URL, so a
 * token can never reach another message's events.
 */
import { eventIdentity, type EmailEvent } from '../events/emailEvent.js';
import { sha256 } from '../sha256.js';
import { toUtcTimestamp } from '../events/timestamps.js';

export interface PagePosition {
  /** The occurredAt of the last event returned. */
  occurredAt: string | null;
  /** A digest of the last event's identity (eventDigest). */
  eventDigest: string;
}

/** 2: the event is named by a digest of its identity (kind and id). */
const VERSION = 2;
const MAX_TOKEN_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const DIGEST = /^[A-Za-z0-9_-]{22}$/;

/** 132 bits of SHA-256 in 22 base64url characters: enough to tell the events of one message apart. */
const shortDigest = (text: string) => sha256(text, 'base64url').slice(0, 22);

export const eventDigest = (event: Pick<EmailEvent, 'kind' | 'eventId'>) => shortDigest(eventIdentity(event));

const checksum = (messageId: string, payload: string) => shortDigest(`${messageId}\n${payload}`);

export function encodePageToken(messageId: string, last: Pick<EmailEvent, 'occurredAt' | 'kind' | 'eventId'>): string {
  const payload = Buffer.from(JSON.stringify([VERSION, last.occurredAt, eventDigest(last)])).toString('base64url');
  return `${payload}.${checksum(messageId, payload)}`;
}

/** The position a token names, or undefined when it is not a token this app issued for this message. */
export function decodePageToken(messageId: string, token: string): PagePosition | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const [payload, seal, extra] = token.split('.');
  if (payload === undefined || seal === undefined || extra !== undefined || !BASE64URL.test(payload)) return undefined;
  if (seal !== checksum(messageId, payload)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) return undefined;
  const [version, occurredAt, digest] = decoded as unknown[];
  if (version !== VERSION || typeof digest !== 'string' || !DIGEST.test(digest)) return undefined;
  if (occurredAt !== null && (typeof occurredAt !== 'string' || toUtcTimestamp(occurredAt) !== occurredAt)) return undefined;
  return { occurredAt, eventDigest: digest };
}
