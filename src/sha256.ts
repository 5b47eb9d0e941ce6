import { createHash } from 'node:crypto';

/** The SHA-256 digest of `text`: for keys that must be short and stable. */
export function sha256(text: string, encoding: 'hex' | 'base64url' = 'hex'): string {
  return createHash('sha256').update(text).digest(encoding);
}

/** 132 bits of SHA-256 in 22 base64url characters: enough to tell apart the events or messages of one key. */
export const shortDigest = (text: string): string => sha256(text, 'base64url').slice(0, 22);

/** What shortDigest returns, for parsers that check it. */
export const SHORT_DIGEST = /^[A-Za-z0-9_-]{22}$/;
