/** How the lookups match what people type: addresses and Internet Message-IDs, normalized. Pure. */

/** An address as lookups match it: trimmed and lowercased, as the big email providers match them. */
export function normalizeAddress(address: string): string | undefined {
  const normalized = address.trim().toLowerCase();
  return normalized === '' ? undefined : normalized;
}

/** An Internet Message-ID as lookups match it: trimmed, without its angle brackets. */
export function normalizeInternetMessageId(id: string): string | undefined {
  const trimmed = id.trim();
  const bare = trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1).trim() : trimmed;
  return bare === '' ? undefined : bare;
}
