/**
 * Sends every request body to Table Storage as ASCII: each character outside ASCII becomes its JSON
 * escape (`\uXXXX`), which every JSON parser reads back as the same character, so the stored value is
 * unchanged. Azurite, where the app runs locally and where its tests run, needs this twice over:
 *
 * - it decodes a request body in chunks, each on its own, so a character whose UTF-8 bytes straddle two
 *   chunks comes out as replacement characters: a long non-ASCII value is silently changed, and one
 *   near the 32,768-unit limit of a string property grows past it and is refused;
 * - it refuses an entity group transaction that holds U+2028 or U+2029.
 *
 * Outside string values a JSON body, and the multipart frame of a transaction, is ASCII already, so only
 * characters inside strings are escaped.
 */
import type { TableServiceClientOptions } from '@azure/data-tables';

type AdditionalPolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

const NON_ASCII = /[^\u0000-\u007f]/g;

/** `text` with every UTF-16 code unit outside ASCII written as a JSON escape. */
export function asciiJson(text: string): string {
  return text.replace(NON_ASCII, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const asciiBodies: AdditionalPolicy = {
  position: 'perCall',
  policy: {
    name: 'asciiBodies',
    sendRequest(request, next) {
      if (typeof request.body === 'string') request.body = asciiJson(request.body);
      return next(request);
    },
  },
};
