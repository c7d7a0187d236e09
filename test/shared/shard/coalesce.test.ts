import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coalesceRanges } from '../../../shared/shard/coalesce.ts';

describe('coalesceRanges', () => {
  it('merges ranges whose gap is at most maxGap', () => {
    const merged = coalesceRanges(
      [
        { offset: 100, length: 10, key: 'c' },
        { offset: 0, length: 10, key: 'a' },
        { offset: 12, length: 4, key: 'b' },
      ],
      2,
    );
    expect(merged.map((r) => [r.offset, r.length, r.parts.map((p) => p.key)])).toEqual([
      [0, 16, ['a', 'b']],
      [100, 10, ['c']],
    ]);
  });

  it('covers every input range exactly once, with gaps between reads above maxGap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(10_000), fc.integer({ min: 1, max: 500 }))),
        fc.nat(1000),
        (raw, gap) => {
          const ranges = raw.map(([offset, length], key) => ({ offset, length, key }));
          const merged = coalesceRanges(ranges, gap);
          expect(merged.flatMap((r) => r.parts.map((p) => p.key)).sort((a, b) => a - b)).toEqual(
            ranges.map((r) => r.key),
          );
          for (const r of merged) {
            for (const p of r.parts) {
              expect(p.offset).toBeGreaterThanOrEqual(r.offset);
              expect(p.offset + p.length).toBeLessThanOrEqual(r.offset + r.length);
            }
          }
          for (let i = 1; i < merged.length; i++) {
            expect(merged[i].offset - (merged[i - 1].offset + merged[i - 1].length)).toBeGreaterThan(gap);
          }
        },
      ),
    );
  });
});
