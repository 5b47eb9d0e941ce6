/**
 * The keys of an address's log tail (Azure's log tail pattern): one row per delivery report, keyed so
 * that the newest attempt comes first in key order. Small and pure, so that parsing a page token needs
 * nothing more.
 */
import type { DeliveryEvent } from '../events/emailEvent.js';
import { instantSortKey } from '../events/timestamps.js';
import { eventDigest } from '../http/pageToken.js';
import { SHORT_DIGEST, shortDigest } from '../sha256.js';

/** Sorts after every key that starts with `<prefix>` and a character up to `|`. */
export const endOf = (prefix: string) => `${prefix.slice(0, -1)}}`;

export const messageDigest = (messageId: string) => shortDigest(messageId);

export const TAIL_PREFIX = 't|';
/**
 * An instant as a key that sorts newest first: the digits of its fixed-width sort key, each
 * subtracted from 9. A report without a time sorts last, after every real instant.
 */
export function invertedInstant(utcTimestamp: string | null): string {
  const key = instantSortKey(utcTimestamp ?? '0000-00-00T00:00:00Z');
  return key.replace(/\d/g, (digit) => String(9 - Number(digit)));
}

/** The tail row key of a delivery report: where its message stands in the address's list when this report is its latest. */
export function tailRowKey(report: Pick<DeliveryEvent, 'occurredAt' | 'messageId' | 'kind' | 'eventId'>): string {
  return `${TAIL_PREFIX}${invertedInstant(report.occurredAt)}|${messageDigest(report.messageId)}|${eventDigest(report)}`;
}

const TAIL_ROW_KEY = /^t\|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}\|[A-Za-z0-9_-]{22}\|[A-Za-z0-9_-]{22}$/;
export const isTailRowKey = (key: string) => TAIL_ROW_KEY.test(key);

/** The tail keys of reports at or after `since` and at or before `until`: [from, to). */
export function tailRange(since: string | undefined, until: string | undefined): { from: string; to: string } {
  return {
    from: until === undefined ? TAIL_PREFIX : `${TAIL_PREFIX}${invertedInstant(until)}`,
    to: since === undefined ? endOf(TAIL_PREFIX) : `${TAIL_PREFIX}${invertedInstant(since)}}`,
  };
}

/** The message digest a tail row key names. */
export function messageDigestOfTailKey(key: string): string {
  const digest = key.split('|')[2] ?? '';
  return SHORT_DIGEST.test(digest) ? digest : '';
}
