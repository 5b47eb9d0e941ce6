/** What logs quote of input: capped, and never an address or something shaped like a secret. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DELIVERY_REPORT_EVENT_TYPE, ENGAGEMENT_REPORT_EVENT_TYPE } from '../src/events/emailEvent.js';
import { MAX_LOGGED_CHARACTERS, MAX_LOGGED_ITEMS, loggedFields, loggedText, loggedValue } from '../src/logs/loggedValue.js';

describe('loggedText', () => {
  it('keeps what an operator needs: GUIDs, event types, the ids the app derives, short plain text', () => {
    for (const text of [
      '3c2e8f4a-5b6d-4e7f-9a0b-1c2d3e4f5a6b',
      DELIVERY_REPORT_EVENT_TYPE,
      ENGAGEMENT_REPORT_EVENT_TYPE,
      'Contoso.Other',
      `sha256-${'0123456789abcdef'.repeat(4)}`,
      'with space+1',
      '2026-11-27T09:15:01.0000000Z',
    ]) {
      expect(loggedText(text)).toBe(text);
    }
  });

  it('never quotes what could be an address, plain or percent-encoded', () => {
    for (const text of ['Alice.Smith@Fabrikam.example', 'Alice.Smith%40Fabrikam.example', 'forwarded to alice.smith@contoso.com', 'x%40y']) {
      expect(loggedText(text)).toBe(`[redacted: could be an address, ${text.length} characters]`);
    }
  });

  it('never quotes what is shaped like a credential: named, with a scheme, or a long run of mixed letters and digits', () => {
    for (const text of ['token=abc', 'Bearer x', 'sig: 1', 'x-functions-key=k', 'password=hunter2', 'sk_live_51H8x9QmLs0aZ3Yv', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig', 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6']) {
      expect(loggedText(text)).toBe(`[redacted: could be a secret, ${text.length} characters]`);
    }
  });

  it(`cuts a value to ${MAX_LOGGED_CHARACTERS} characters, saying how long it was: a 1,000,000-character event type is not a 1,000,000-character line`, () => {
    const eventType = 'Contoso.'.repeat(125_000);
    const shown = loggedText(eventType);
    expect(shown).toBe(`${eventType.slice(0, MAX_LOGGED_CHARACTERS)}…[1000000 characters]`);
  });

  it('lets no line break through, so that input cannot forge a log line', () => {
    expect(loggedText('Contoso.Other\n  [error] forged\u2028')).toBe('Contoso.Other\ufffd  [error] forged\ufffd');
  });

  it('shows no address, no long run and nothing over the cap, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.emailAddress(), fc.string({ maxLength: 40 }), (prefix, address, suffix) => {
        for (const text of [prefix, `${prefix}${address}${suffix}`, `${prefix}${encodeURIComponent(address)}${suffix}`]) {
          const shown = loggedText(text);
          expect(shown.length).toBeLessThanOrEqual(MAX_LOGGED_CHARACTERS + 30);
          expect(shown).not.toContain('@');
          expect(shown).not.toMatch(/%40/i);
          expect(shown).not.toMatch(/[\n\r\u2028\u2029]/);
        }
        expect(loggedText(`${prefix}${address}${suffix}`)).not.toContain(address);
      }),
      { numRuns: 500 },
    );
  });
});

describe('loggedFields', () => {
  it('quotes every string of the fields, in lists and nested objects too, and keeps numbers and booleans', () => {
    const ids = Array.from({ length: MAX_LOGGED_ITEMS + 5 }, (_, i) => `id-${i}`);
    expect(loggedFields({ messageId: 'a@b.example', returned: 3, cut: true, none: null, messageIds: ids, nested: { eventType: 'token=x' } })).toEqual({
      messageId: '[redacted: could be an address, 11 characters]',
      returned: 3,
      cut: true,
      none: null,
      messageIds: [...ids.slice(0, MAX_LOGGED_ITEMS), `…[${ids.length} items]`],
      nested: { eventType: '[redacted: could be a secret, 7 characters]' },
    });
    expect(loggedValue(10n)).toBe('[bigint]');
  });
});
