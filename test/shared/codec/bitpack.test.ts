import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitWidth,
  packBits,
  packedByteLength,
  unpackBits,
  unpackDocGaps,
  unpackPlusOne,
} from '../../../shared/codec/bitpack.ts';

describe('bitpack', () => {
  it('bitWidth is the number of significant bits', () => {
    expect([0, 1, 2, 3, 255, 256, 0xffffffff].map(bitWidth)).toEqual([0, 1, 2, 2, 8, 9, 32]);
  });

  it('round-trips any width 0..32 at any byte offset and writes exactly packedByteLength bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 7 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 300 }),
        (width, offset, raw) => {
          const values = Uint32Array.from(raw, (v) => (width === 32 ? v : v % 2 ** width));
          const out = new Uint8Array(offset + packedByteLength(values.length, width) + 4).fill(0xaa);
          const end = packBits(values, 0, values.length, width, out, offset);
          expect(end).toBe(offset + packedByteLength(values.length, width));
          expect(Array.from(out.subarray(end))).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
          const decoded = new Uint32Array(values.length);
          // Decoding from a copy that ends exactly at `end` proves no byte past it is read.
          unpackBits(out.slice(0, end), offset, values.length, width, decoded);
          expect(Array.from(decoded)).toEqual(Array.from(values));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fused gap and plus-one decoders agree with packing, up to the last byte of the buffer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 32 }),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }),
        fc.integer({ min: -1, max: 1000 }),
        (width, raw, prev) => {
          const gapWidth = Math.min(width, 16);
          const values = Uint32Array.from(raw, (v) => v % 2 ** gapWidth);
          // Packed run at the very end of the buffer: the word-at-a-time path must stop in time.
          const bytes = new Uint8Array(3 + packedByteLength(values.length, gapWidth));
          packBits(values, 0, values.length, gapWidth, bytes, 3);
          const docs = new Uint32Array(values.length + 2);
          const last = unpackDocGaps(bytes, 3, values.length, gapWidth, prev, docs, 2);
          let doc = prev;
          const expected = Array.from(values, (g) => (doc += g + 1));
          expect(Array.from(docs.subarray(2))).toEqual(expected);
          expect(last).toBe(values.length ? expected[expected.length - 1] : prev);
          const plus = new Uint32Array(values.length);
          unpackPlusOne(bytes, 3, values.length, gapWidth, plus, 0);
          expect(Array.from(plus)).toEqual(Array.from(values, (v) => v + 1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
