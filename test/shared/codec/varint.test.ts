import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VarintError, VarintReader, varintLength, writeVarint } from '../../../shared/codec/varint.ts';

describe('varints', () => {
  it('round-trip any uint32 sequence in exactly the predicted length', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 50 }), (values) => {
        const size = values.reduce((a, v) => a + varintLength(v), 0);
        const out = new Uint8Array(size);
        let p = 0;
        for (const v of values) p = writeVarint(out, p, v);
        expect(p).toBe(size);
        const reader = new VarintReader(out);
        expect(values.map(() => reader.next())).toEqual(values);
        expect(reader.done).toBe(true);
      }),
    );
    expect([0, 127, 128, 16383, 16384, 0xffffffff].map(varintLength)).toEqual([1, 1, 2, 2, 3, 5]);
  });

  it('refuses truncated, overlong and out-of-range varints', () => {
    expect(() => new VarintReader(Uint8Array.of(0x80)).next()).toThrow(VarintError);
    expect(() => new VarintReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).next()).toThrow(
      /longer than 5/,
    );
    expect(() => new VarintReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f)).next()).toThrow(/above 2\^32/);
    expect(new VarintReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f)).next()).toBe(0xffffffff);
  });
});
