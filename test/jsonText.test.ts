/** jsonText: JSON.stringify's text for any value, at any depth, never an exception. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonText, jsonTextWithoutRecursion } from '../src/jsonText.js';

describe('jsonText', () => {
  it('writes what JSON.stringify writes, for any JSON value and any value JSON.stringify takes', () => {
    const values = fc.oneof(
      fc.jsonValue(),
      fc.anything({ withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true, withTypedArray: true }),
    );
    fc.assert(
      fc.property(values, (value) => {
        expect(jsonTextWithoutRecursion(value)).toBe(JSON.stringify(value));
        expect(jsonText(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes values nested deeper than JSON.stringify can, as the JSON they were parsed from', () => {
    const text = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const parsed: unknown = JSON.parse(text);
    expect(() => JSON.stringify(parsed)).toThrow(RangeError);
    expect(jsonText(parsed)).toBe(text);
    const deepObject = `${'{"a":'.repeat(50_000)}"end"${'}'.repeat(50_000)}`;
    expect(jsonText(JSON.parse(deepObject))).toBe(deepObject);
  });

  it('never throws: BigInts, cycles and throwing toJSON get a stable text', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(jsonText(cyclic)).toBe('{"a":1,"self":"[Circular]"}');
    expect(jsonText({ n: 10n })).toBe('{"n":"10"}');
    expect(jsonText({ bad: { toJSON: () => { throw new Error('no'); } } })).toBe('{"bad":{}}');
    expect(jsonText(undefined)).toBeUndefined();
  });
});
