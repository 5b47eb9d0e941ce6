/**
 * The list as CSV (RFC 4180), for the ACS portal and the other providers' imports: the address first.
 * Pure. A cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage
 * return) is prefixed with ', as OWASP advises: the addresses and status messages come from outside.
 */
import type { SuppressionEntry } from './state.js';

export const CSV_COLUMNS = ['email', 'state', 'reason', 'firstSeenAt', 'lastSeenAt', 'count', 'messageId', 'statusMessage', 'updatedAt', 'syncState'] as const;

function cell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function entriesCsv(entries: readonly SuppressionEntry[]): string {
  const rows = entries.map((entry) =>
    [entry.address, entry.state, entry.reason, entry.firstSeenAt, entry.lastSeenAt, entry.count, entry.messageId, entry.statusMessage, entry.updatedAt, entry.sync.state].map(cell).join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
