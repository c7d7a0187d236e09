import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitWriter, decodeBlock, encodeBlock } from './interpolative.ts';

describe('binary interpolative coding of a block of doc ids', () => {
  it('round-trips blocks one after another, each from its skip data', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 130 }),
        (values, blockSize) => {
          const docs = Uint32Array.from(values.sort((a, b) => a - b));
          const w = new BitWriter();
          const starts: number[] = [];
          for (let s = 0; s < docs.length; s += blockSize) {
            starts.push(w.bit >>> 3);
            encodeBlock(w, docs, s, Math.min(docs.length, s + blockSize), s === 0 ? -1 : docs[s - 1]);
          }
          const bytes = new Uint8Array((w.bit >>> 3) + 4);
          bytes.set(w.bytes.subarray(0, w.bit >>> 3));
          const out = new Uint32Array(blockSize);
          starts.forEach((at, b) => {
            const s = b * blockSize;
            const n = Math.min(docs.length, s + blockSize) - s;
            decodeBlock(bytes, at, n, s === 0 ? -1 : docs[s - 1], docs[s + n - 1], out);
            expect(Array.from(out.subarray(0, n))).toEqual(Array.from(docs.subarray(s, s + n)));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('spends no bits on a run of consecutive doc ids', () => {
    const docs = Uint32Array.from({ length: 128 }, (_, i) => 1000 + i);
    const w = new BitWriter();
    encodeBlock(w, docs, 0, 128, 999);
    expect(w.bit).toBe(0);
  });
});
