/**
 * Where the suppression list lives in the index table. Pure, so that ingest, the reads, erasure and the
 * sync agree on every key.
 *
 * 16 partitions `suppression|<0–f>`, an address's shard chosen by a digest of it. Each holds, for its
 * addresses:
 * - `a|<address digest>|c|<change digest>`: one row per change (a bounce, an add by hand, a
 *   reactivation): the address's history, from which its entry is derived;
 * - `a|<address digest>|s`: what the sync last did for the address (written by the sync only);
 * - `l|<inverted time>|<address digest>|<change digest>`: the list, newest change first in key order;
 * - `o|<address digest>|<change digest>`: the outbox, a change the sync has yet to carry to ACS.
 * A change's three rows share a partition, so they are written in one entity group transaction: one
 * request, all or nothing, and a redelivery conflicts on all of them and changes nothing.
 *
 * No partition takes every bounce (16 share them), and none grows with time alone. The address is in
 * no key, only its SHA-256 digest.
 */
import { sha256, shortDigest } from '../sha256.js';
import { endOf, invertedInstant } from '../storage/tailKeys.js';

export const SUPPRESSION_PARTITION = 'suppression';
export const SHARDS = 16;
/** The partition of the sync's own state (how long ARM asked it to wait). */
export const SYNC_STATE_PARTITION = `${SUPPRESSION_PARTITION}|sync`;
export const THROTTLE_ROW = 'throttle';

/** SHA-256 (hex) of a normalized address: in keys, and in erasure records. */
export const addressDigest = (normalizedAddress: string) => sha256(normalizedAddress);

export const shardPartition = (shard: number) => `${SUPPRESSION_PARTITION}|${shard.toString(16)}`;
export const ALL_SHARD_PARTITIONS: readonly string[] = Array.from({ length: SHARDS }, (_, shard) => shardPartition(shard));
export const partitionOfDigest = (digest: string) => shardPartition(parseInt(digest.slice(0, 8), 16) % SHARDS);

const ADDRESS_PREFIX = 'a|';
export const LIST_PREFIX = 'l|';
export const OUTBOX_PREFIX = 'o|';

export const changeKey = (kind: string, id: string) => shortDigest(`${kind}|${id}`);
export const changeRowKey = (digest: string, change: string) => `${ADDRESS_PREFIX}${digest}|c|${change}`;
export const syncRowKey = (digest: string) => `${ADDRESS_PREFIX}${digest}|s`;
export const listRowKey = (at: string | null, digest: string, change: string) => `${LIST_PREFIX}${invertedInstant(at)}|${digest}|${change}`;
export const outboxRowKey = (digest: string, change: string) => `${OUTBOX_PREFIX}${digest}|${change}`;

/** Every row of one address (its changes and its sync row): [from, to). */
export function addressRange(digest: string): { from: string; to: string } {
  const prefix = `${ADDRESS_PREFIX}${digest}|`;
  return { from: prefix, to: endOf(prefix) };
}

export const isSyncRowKey = (key: string) => key.endsWith('|s');

/** The list rows of changes at or after `since` and at or before `until`: [from, to). */
export function listRange(since: string | undefined, until: string | undefined): { from: string; to: string } {
  return {
    from: until === undefined ? LIST_PREFIX : `${LIST_PREFIX}${invertedInstant(until)}`,
    to: since === undefined ? endOf(LIST_PREFIX) : `${LIST_PREFIX}${invertedInstant(since)}}`,
  };
}

export const OUTBOX_RANGE = { from: OUTBOX_PREFIX, to: endOf(OUTBOX_PREFIX) };

const LIST_ROW_KEY = /^l\|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}\|[0-9a-f]{64}\|[A-Za-z0-9_-]{22}$/;
export const isListRowKey = (key: string) => LIST_ROW_KEY.test(key);

/** The address digest a list or outbox row key names. */
export const digestOfListKey = (key: string) => key.split('|')[2] ?? '';
export const digestOfOutboxKey = (key: string) => key.split('|')[1] ?? '';

/**
 * The name of the address's entry in the ACS suppression list: a GUID derived from the address's digest
 * (version 8, RFC 9562's custom form), so the same address always maps to the same entry, and a repeated
 * sync changes nothing.
 */
export function armAddressId(digest: string): string {
  const hex = digest.slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20, 32)}`;
}
