import { createRequire } from 'node:module';

let crypto: typeof import('node:crypto') | undefined;

/**
 * The SHA-256 digest of `text`. node:crypto is loaded on first use: loading it takes about as long
 * as the rest of the app's start-up, and most invocations never hash anything.
 */
export function sha256(text: string, encoding: 'hex' | 'base64url' = 'hex'): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(text).digest(encoding);
}
