/**
 * What Azure Table Storage (and Azure Cosmos DB for Table) can hold, in one place.
 * https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model
 */

/** PartitionKey and RowKey: up to 1 KiB of UTF-16, that is 512 code units (Azurite checks the same). */
export const MAX_KEY_LENGTH = 512;

/** A string property: up to 64 KiB of UTF-16, that is 32,768 code units. */
export const MAX_STRING_PROPERTY_LENGTH = 32 * 1024;

/** Appended where a value was cut to fit, so that a reader sees it is not the whole value. */
export const TRUNCATION_MARKER = '…[truncated]';

// Keys may not contain / \ # ? nor control characters (U+0000–U+001F, U+007F–U+009F).
const FORBIDDEN_KEY_CHARACTERS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

/**
 * Why `value` cannot be a partition or row key, or undefined when it can.
 * The same rule decides which message ids are stored and which are a 400 over HTTP.
 */
export function keyProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_KEY_LENGTH) return `is longer than ${MAX_KEY_LENGTH} characters`;
  if (FORBIDDEN_KEY_CHARACTERS.test(value)) return 'contains a control character or one of / \\ # ?';
  return undefined;
}

/**
 * `value` cut to `maxLength` (by default what a string property holds), with TRUNCATION_MARKER at the
 * end when it was cut. Never splits a surrogate pair.
 */
export function fitStringProperty(value: string, maxLength = MAX_STRING_PROPERTY_LENGTH): { value: string; truncated: boolean } {
  if (value.length <= maxLength) return { value, truncated: false };
  let end = maxLength - TRUNCATION_MARKER.length;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { value: value.slice(0, end) + TRUNCATION_MARKER, truncated: true };
}
