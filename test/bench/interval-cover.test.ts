import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverBytes, neededBytes } from './interval-cover.ts';

/** Every way to split the sorted ranges into at most `reads` consecutive runs, cheapest cost. */
function bruteForce(ranges: [number, number][], reads: number): number {
  if (ranges.length === 0) return 0;
  let best = Number.POSITIVE_INFINITY;
  const cuts = ranges.length - 1;
  for (let mask = 0; mask < 2 ** cuts; mask++) {
    let runs = 1;
    for (let i = 0; i < cuts; i++) if (mask & (1 << i)) runs++;
    if (runs > reads) continue;
    let cost = 0;
    let runStart = ranges[0][0];
    for (let i = 0; i < ranges.length; i++) {
      const last = i === cuts || (mask & (1 << i)) !== 0;
      if (last) {
        cost += ranges[i][1] - runStart;
        if (i < cuts) runStart = ranges[i + 1][0];
      }
    }
    best = Math.min(best, cost);
  }
  return best;
}

/** Sorted, disjoint ranges from random (gap, length) pairs. */
const rangesArb = fc
  .array(fc.tuple(fc.nat(50), fc.integer({ min: 1, max: 30 })), { maxLength: 9 })
  .map((parts) => {
    let at = 0;
    return parts.map(([gap, length]): [number, number] => {
      const start = at + gap;
      at = start + length;
      return [start, at];
    });
  });

describe('coverBytes', () => {
  it('equals the cheapest of all ways to split the ranges into at most R reads', () => {
    fc.assert(
      fc.property(rangesArb, fc.integer({ min: 1, max: 10 }), (ranges, reads) => {
        expect(coverBytes(ranges, reads)).toBe(bruteForce(ranges, reads));
      }),
      { numRuns: 500 },
    );
  });

  it('reads exactly the needed bytes once there is a read per range, and the whole span with one', () => {
    const ranges: [number, number][] = [
      [0, 10],
      [50, 60],
      [100, 130],
    ];
    expect(coverBytes(ranges, 3)).toBe(neededBytes(ranges));
    expect(coverBytes(ranges, 1)).toBe(130);
    expect(coverBytes(ranges, 2)).toBe(130 - 40);
    expect(coverBytes([], 3)).toBe(0);
  });
});
