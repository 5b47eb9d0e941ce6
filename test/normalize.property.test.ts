import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMAIL_EVENT_TYPES } from '../src/events/emailEvent.js';
import { normalizeEvent } from '../src/events/normalize.js';
import { compareTimestamps, toUtcTimestamp } from '../src/events/timestamps.js';

/** Envelope-shaped values with arbitrary contents, so that generation reaches past the first checks. */
const fieldValue = fc.oneof(fc.jsonValue(), fc.string(), fc.constantFrom('2020-09-18T00:22:20.2855749+00:00', 'Delivered', 'view'));
const envelopeLike = fc.record(
  {
    id: fieldValue,
    eventType: fc.oneof(fc.constantFrom(...EMAIL_EVENT_TYPES), fieldValue),
    type: fc.oneof(fc.constantFrom(...EMAIL_EVENT_TYPES), fieldValue),
    specversion: fc.constant('1.0'),
    eventTime: fieldValue,
    time: fieldValue,
    data: fc.oneof(
      fieldValue,
      fc.dictionary(
        fc.constantFrom('messageId', 'sender', 'recipient', 'status', 'deliveryStatusDetails', 'deliveryAttemptTimeStamp', 'deliveryAttemptTimestamp', 'userActionTimeStamp', 'engagementType', 'engagementContext', 'userAgent', 'internetMessageId'),
        fieldValue,
      ),
    ),
  },
  { requiredKeys: [] },
);

describe('normalizeEvent never throws', () => {
  it('on any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => void normalizeEvent(value)), { numRuns: 2000 });
  });

  it('on any envelope-shaped object, and always decides', () => {
    fc.assert(
      fc.property(envelopeLike, (value) => {
        const result = normalizeEvent(value);
        expect(['accepted', 'quarantined']).toContain(result.outcome);
      }),
      { numRuns: 2000 },
    );
  });

  it('on values JSON cannot even hold', () => {
    fc.assert(fc.property(fc.anything(), (value) => void normalizeEvent(value)), { numRuns: 1000 });
  });
});

/** An instant with nanosecond precision between 1900 and 2200, and a way of writing it. */
const MIN_SECOND = Date.UTC(1900, 0, 1) / 1000;
const MAX_SECOND = Date.UTC(2200, 0, 1) / 1000;
const writtenInstant = fc.record({
  second: fc.integer({ min: MIN_SECOND, max: MAX_SECOND }),
  nanos: fc.integer({ min: 0, max: 999_999_999 }),
  digits: fc.integer({ min: 0, max: 9 }),
  offsetMinutes: fc.integer({ min: -14 * 60, max: 14 * 60 }),
});

function write({ second, nanos, digits, offsetMinutes }: { second: number; nanos: number; digits: number; offsetMinutes: number }) {
  const fraction = String(nanos).padStart(9, '0').slice(0, digits);
  const wallClock = new Date((second + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const instant = BigInt(second) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
  return { text: `${wallClock}${digits ? `.${fraction}` : ''}${offset}`, instant };
}

describe('normalized times', () => {
  it('sort the same way as the instants they denote, whatever the offset and precision', () => {
    fc.assert(
      fc.property(writtenInstant, writtenInstant, (a, b) => {
        const first = write(a);
        const second = write(b);
        const order = compareTimestamps(toUtcTimestamp(first.text)!, toUtcTimestamp(second.text)!);
        expect(Math.sign(order)).toBe(first.instant < second.instant ? -1 : first.instant > second.instant ? 1 : 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('are UTC with Z and keep the digits sent', () => {
    fc.assert(
      fc.property(writtenInstant, (a) => {
        const { text } = write(a);
        const utc = toUtcTimestamp(text)!;
        expect(utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
        expect(utc.length - 'YYYY-MM-DDTHH:MM:SSZ'.length - (a.digits ? 1 : 0)).toBe(a.digits);
      }),
    );
  });
});
