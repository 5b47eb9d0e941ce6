/**
 * What the activity page's one search box was given, and which lookups to try, in order. Pure, and
 * self-contained on purpose: the page's script is built from this function's source (see
 * activityPage.ts), so it may use no import and nothing outside its own body.
 *
 * The rule (README, "Activity page"):
 * - `<…>` is an Internet Message-ID (a Message-ID header keeps its angle brackets).
 * - Text with an `@` and no `<>` is an address first; a Message-ID header without its brackets has the
 *   same form (`3c2e8f4a@contoso.com`), so when no address matches, it is tried as one, then as a
 *   messageId.
 * - Anything else is a messageId (ACS messageIds are GUIDs; a Message-ID header always has an `@`).
 */
export type LookupKind = 'message' | 'address' | 'internetMessage';

export interface ClassifiedQuery {
  /** The text to look up, trimmed. */
  value: string;
  /** The lookups to try, most likely first; the first one that finds something wins. */
  kinds: LookupKind[];
}

export function classifyQuery(text: string): ClassifiedQuery | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  if (value.startsWith('<') && value.endsWith('>')) return { value, kinds: ['internetMessage'] };
  if (value.includes('@')) return { value, kinds: ['address', 'internetMessage', 'message'] };
  return { value, kinds: ['message'] };
}
