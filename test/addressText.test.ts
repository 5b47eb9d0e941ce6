/** The pure rules of erasure and retention: an address found in text as a parser reads it, and the time that decides retention. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePercentEscapes } from '../src/events/percentEscapes.js';
import { ERASED, addressPattern, eraseAddressFromText, findAddressByDigest } from '../src/retention/addressText.js';
import { CLOCK_SKEW_MS, retentionTime } from '../src/retention/retentionTime.js';
import { normalizeEvent } from '../src/events/normalize.js';
import { seedDeliveryReport } from '../scripts/sampleEvents.js';
import { sha256 } from '../src/sha256.js';
import { compareTimestamps } from '../src/events/timestamps.js';

const erase = (text: string, address: string) => eraseAddressFromText(text, addressPattern(address));

describe('eraseAddressFromText', () => {
  const alice = 'alice.smith@fabrikam.example';
  it.each([
    ['forwarded to alice.smith@fabrikam.example.', `forwarded to ${ERASED}.`],
    ['https://contoso.com/p/Alice.Smith@Fabrikam.example?utm_term=alice.smith%40FABRIKAM.example', `https://contoso.com/p/${ERASED}?utm_term=${ERASED}`],
    ['to=alice.smith%2540fabrikam.example&x=1', `to=${ERASED}&x=1`],
    ['%3Calice%2esmith%40fabrikam%2Eexample%3E', `%3C${ERASED}%3E`],
    ['"Alice" <ALICE.SMITH@FABRIKAM.EXAMPLE>', `"Alice" <${ERASED}>`],
    // Other people's addresses that hold hers stay whole.
    ['malice.smith@fabrikam.example', 'malice.smith@fabrikam.example'],
    ['x.alice.smith@fabrikam.example', 'x.alice.smith@fabrikam.example'],
    ['alice.smith@fabrikam.example.org', 'alice.smith@fabrikam.example.org'],
    ['alice.smith@fabrikam.examples', 'alice.smith@fabrikam.examples'],
  ])('%s → %s', (text, erased) => {
    expect(erase(text, alice)).toBe(erased);
  });
});

const localPart = fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,14}[a-z0-9]$/);
const address = fc.tuple(localPart, fc.domain()).map(([local, domain]) => `${local}@${domain}`);

/** The address as some sender may have written it: each character in either case, some of them percent-encoded, some twice. */
const spelled = (text: string) =>
  fc.array(fc.tuple(fc.boolean(), fc.constantFrom(0, 0, 1, 2)), { minLength: text.length, maxLength: text.length }).map((choices) =>
    [...text]
      .map((character, i) => {
        const [upper, encodings] = choices[i]!;
        let spelling = upper ? character.toUpperCase() : character;
        for (let n = 0; n < encodings; n++) spelling = `%${(n === 0 ? spelling.charCodeAt(0).toString(16) : `25${spelling.slice(1)}`).toUpperCase()}`;
        return spelling;
      })
      .join(''),
  );

/** What may stand next to an address: spaces, URL delimiters, brackets, their escapes. */
const delimiter = fc.constantFrom(' ', '/', '=', '<', '>', '"', ':', ',', '?', '&', '(', ')', '%20', '%3C', '%3E', '%2F');
const filler = fc.stringMatching(/^[a-zA-Z0-9 ,.:/?=&-]{0,20}$/);

describe('eraseAddressFromText, for any address', () => {
  it('leaves no trace of it that a parser reads, however it was spelled, and is idempotent', () => {
    fc.assert(
      fc.property(
        address.chain((plain) => fc.tuple(fc.constant(plain), spelled(plain), filler, delimiter, delimiter, filler)),
        ([plain, spelling, before, left, right, after]) => {
          const text = `${before}${left}${spelling}${right}${after}`;
          const erased = erase(text, plain);
          expect(decodePercentEscapes(erased).toLowerCase()).not.toMatch(new RegExp(`(?<![a-z0-9._+-])${plain.replace(/[.+]/g, '\\$&')}(?![a-z0-9-])`));
          expect(erased).toContain(ERASED);
          expect(erase(erased, plain)).toBe(erased);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('changes no text that does not hold it', () => {
    fc.assert(
      fc.property(address, fc.string(), (plain, text) => {
        fc.pre(!decodePercentEscapes(text).toLowerCase().includes(plain));
        expect(erase(text, plain)).toBe(text);
      }),
      { numRuns: 1500 },
    );
  });

  it('is found again by its digest in the text that holds it, as a re-application does', () => {
    fc.assert(
      fc.property(address.chain((plain) => fc.tuple(fc.constant(plain), spelled(plain), delimiter, filler)), ([plain, spelling, left, after]) => {
        const normalized = normalizeEvent({ ...seedDeliveryReport, data: { ...seedDeliveryReport.data, deliveryStatusDetails: { statusMessage: `sent on to${left}${spelling} ${after}` } } });
        if (normalized.outcome !== 'accepted') throw new Error('a delivery report');
        expect(findAddressByDigest([normalized.event], sha256(plain))).toBe(plain);
      }),
      { numRuns: 500 },
    );
  });
});

describe('retentionTime', () => {
  const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
  it('is the event time unless that lies beyond its receipt plus the skew, then the receipt: never later than both', () => {
    fc.assert(
      fc.property(instant, instant, (occurredAt, receivedAt) => {
        const time = retentionTime(occurredAt, receivedAt)!;
        const believable = Date.parse(occurredAt) <= Date.parse(receivedAt) + CLOCK_SKEW_MS;
        expect(time).toBe(believable ? occurredAt : receivedAt);
        expect(compareTimestamps(time, new Date(Date.parse(receivedAt) + CLOCK_SKEW_MS).toISOString())).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2099-01-01T00:00:00Z', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01T10:30:00.1234567Z', '2026-12-01T10:00:00.000Z', '2026-12-01T10:30:00.1234567Z'],
    ['1999-01-01T00:00:00Z', '2026-12-01T10:00:00.000Z', '1999-01-01T00:00:00Z'],
    [null, '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z'],
    ['2099-01-01T00:00:00Z', null, '2099-01-01T00:00:00Z'],
  ])('occurred %s, received %s → %s', (occurredAt, receivedAt, time) => {
    expect(retentionTime(occurredAt, receivedAt)).toBe(time);
  });
});
