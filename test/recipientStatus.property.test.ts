/** The pure address summary: `byStatus` counts the address's messages by the status its message list shows, whatever ACS sent. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DELIVERY_REPORT_EVENT_TYPE, type DeliveryEvent } from '../src/events/emailEvent.js';
import { placedMessages, recipientSummary } from '../src/status/recipientStatus.js';

const ADDRESS = 'sam@northwind.example';

/** One delivery report to ADDRESS per status, each its own message, a second apart. */
function reports(statuses: readonly (string | null)[]): DeliveryEvent[] {
  return statuses.map((status, i) => ({
    kind: 'delivery',
    messageId: `message-${i}`,
    eventId: `event-${i}`,
    eventType: DELIVERY_REPORT_EVENT_TYPE,
    envelope: 'EventGrid',
    occurredAt: new Date(Date.UTC(2026, 10, 27, 9, 0, i)).toISOString(),
    eventTime: null,
    source: null,
    subject: null,
    sender: 'noreply@contoso.example',
    recipient: ADDRESS,
    truncatedFields: [],
    status,
    statusMessage: null,
    recipientMailServerHostName: null,
    internetMessageId: null,
  }));
}

/** `byStatus` as a client reads it: the JSON the API answers, parsed. */
const byStatusOnTheWire = (statuses: readonly (string | null)[]): Record<string, number> => JSON.parse(JSON.stringify(recipientSummary(reports(statuses)).messages.byStatus));

describe('recipientSummary: byStatus', () => {
  it('counts statuses named like Object.prototype\'s members as statuses', () => {
    const counts = byStatusOnTheWire(['constructor', '__proto__', 'constructor', 'toString', 'Delivered']);
    expect(Object.entries(counts)).toEqual([
      ['Delivered', 1],
      ['__proto__', 1],
      ['constructor', 2],
      ['toString', 1],
    ]);
  });

  it('names an empty or missing status as the message list shows it, "" (not Pending: a report has arrived)', () => {
    const statuses = ['', null, 'Delivered'];
    expect(placedMessages(reports(statuses)).map(({ message }) => message.status).sort()).toEqual([null, '', 'Delivered'].sort());
    expect(Object.entries(byStatusOnTheWire(statuses))).toEqual([
      ['', 2],
      ['Delivered', 1],
    ]);
  });

  it('counts every listed message once, under the status the list shows, for any status strings', () => {
    const status = fc.oneof(fc.string(), fc.constantFrom(null, '', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'Delivered', 'Bounced'));
    fc.assert(
      fc.property(fc.array(status, { maxLength: 20 }), (statuses) => {
        const summary = recipientSummary(reports(statuses));
        const counts = byStatusOnTheWire(statuses);
        const listed = placedMessages(reports(statuses)).map(({ message }) => message.status ?? '');
        const expected = new Map<string, number>();
        for (const shown of listed) expected.set(shown, (expected.get(shown) ?? 0) + 1);
        expect(Object.entries(counts).sort()).toEqual([...expected].sort());
        expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(summary.messages.total);
        // The same reports in another order answer the same bytes (invariant 2).
        expect(JSON.stringify(recipientSummary(reports(statuses).reverse()).messages.byStatus)).toBe(JSON.stringify(summary.messages.byStatus));
      }),
      { numRuns: 500 },
    );
  });
});
