import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateUnpackers } from '../../../scripts/generate-unpackers.ts';
import { packBits, packedByteLength, unpackDocGaps, unpackPlusOne } from '../../../shared/codec/bitpack.ts';
import { MAX_UNROLLED_WIDTH } from '../../../shared/codec/unpack-unrolled.ts';
import { mulberry32 } from '../../../shared/random.ts';

describe('unrolled unpackers', () => {
  it('are exactly what scripts/generate-unpackers.ts prints (nobody edited the generated file)', () => {
    const committed = readFileSync(
      new URL('../../../shared/codec/unpack-unrolled.ts', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(generateUnpackers());
  });

  it('decode every width at group boundaries, at any byte offset, without reading past the packed bytes', () => {
    const rng = mulberry32(11);
    for (let width = 1; width <= MAX_UNROLLED_WIDTH; width++) {
      for (const count of [32, 33, 63, 64, 96, 128, 130]) {
        for (const offset of [0, 1, 3]) {
          // Extremes (all ones, zero) as well as random values, so every shift and mask is exercised.
          const values = Uint32Array.from({ length: count }, (_, i) =>
            i % 7 === 0 ? 2 ** width - 1 : i % 11 === 0 ? 0 : Math.floor(rng() * 2 ** width),
          );
          // Exactly sized: a read past the packed bytes would throw a RangeError.
          const bytes = new Uint8Array(offset + packedByteLength(count, width));
          expect(packBits(values, 0, count, width, bytes, offset)).toBe(bytes.length);

          const docs = new Uint32Array(count + 2);
          const prev = 1000;
          const last = unpackDocGaps(bytes, offset, count, width, prev, docs, 2);
          let doc = prev;
          for (let i = 0; i < count; i++) {
            doc += values[i] + 1;
            if (docs[2 + i] !== doc) throw new Error(`gaps width ${width} count ${count} at ${i}`);
          }
          expect(last).toBe(doc);

          const plusOne = new Uint32Array(count + 1);
          unpackPlusOne(bytes, offset, count, width, plusOne, 1);
          expect(Array.from(plusOne.subarray(1))).toEqual(Array.from(values, (v) => v + 1));
        }
      }
    }
  });
});
