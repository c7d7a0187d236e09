import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitWidth, packBits, packedByteLength, unpackBits } from '../../../shared/codec/bitpack.ts';

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
});
