/**
 * The opaque `pageToken` of GET /api/messages/{messageId}: a position in the message's event order
 * (the last event returned), bound to the message and sealed with a checksum.
 *
 * A position, not an offset, so that events arriving between two page reads never make an event show
 * twice. Reads only ever touch the partition named in the URL, so a token can never reveal another
 * message's events; the binding and checksum make a token for another message, or an edited one, a 400.
 */
import { sha256 } from './sha256.js';
import { toUtcTimestamp } from './timestamps.js';

export interface PagePosition {
  /** The occurredAt of the last event returned. */
  occurredAt: string | null;
  /** The id of the last event returned. */
  eventId: string;
}

const VERSION = 1;
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function checksum(messageId: string, payload: string): string {
  return sha256(`${messageId}\n${payload}`, 'base64url').slice(0, 22);
}

export function encodePageToken(messageId: string, position: PagePosition): string {
  const payload = Buffer.from(JSON.stringify([VERSION, position.occurredAt, position.eventId])).toString('base64url');
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
  const [version, occurredAt, eventId] = decoded as unknown[];
  if (version !== VERSION || typeof eventId !== 'string') return undefined;
  if (occurredAt !== null && (typeof occurredAt !== 'string' || toUtcTimestamp(occurredAt) !== occurredAt)) return undefined;
  return { occurredAt, eventId };
}
