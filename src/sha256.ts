import { createHash } from 'node:crypto';

/** The SHA-256 digest of `text`: for keys that must be short and stable. */
export function sha256(text: string, encoding: 'hex' | 'base64url' = 'hex'): string {
  return createHash('sha256').update(text).digest(encoding);
}
