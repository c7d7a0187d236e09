/**
 * RangeCache against a plain model: whatever ranges were put and not forgotten, a read is answered exactly
 * when their union covers it, with the object's bytes — for overlapping, adjacent, nested and
 * bucket-straddling ranges (the cache indexes ranges by 4 KiB buckets of the object).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeCache } from '../../edge/search/range-cache.ts';

/** The content of object `key` at byte `i` (every cached range of it is a slice of this). */
const byteOf = (key: string, i: number) => (i * 31 + key.length * 7) & 0xff;
const slice = (key: string, offset: number, length: number) =>
  Uint8Array.from({ length }, (_, i) => byteOf(key, offset + i));

type Op =
  | { op: 'put'; key: string; offset: number; length: number }
  | { op: 'forgetRange'; pick: number }
  | { op: 'forget'; key: string }
  | { op: 'find'; key: string; offset: number; length: number };

const key = fc.constantFrom('a', 'bb');
const offset = fc.integer({ min: 0, max: 20_000 });
const length = fc.integer({ min: 1, max: 9_000 });
const ops = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('put' as const), key, offset, length }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('forgetRange' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), key }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('find' as const), key, offset, length }) },
  ),
  { maxLength: 60 },
);

function covered(
  live: { key: string; offset: number; length: number }[],
  k: string,
  from: number,
  n: number,
) {
  let at = from;
  for (;;) {
    const next = live
      .filter((r) => r.key === k && r.offset <= at && r.offset + r.length > at)
      .reduce((far, r) => Math.max(far, r.offset + r.length), at);
    if (next === at) return false;
    if (next >= from + n) return true;
    at = next;
  }
}

describe('RangeCache (bucketed containment index)', () => {
  it('answers a read exactly when the live ranges cover it, with the right bytes', () => {
    fc.assert(
      fc.property(ops, (script) => {
        const cache = new RangeCache(1 << 30); // nothing is evicted: the model needs no LRU
        let live: { key: string; offset: number; length: number }[] = [];
        for (const step of script as Op[]) {
          if (step.op === 'put') {
            cache.put(step.key, step.offset, slice(step.key, step.offset, step.length));
            live = live.filter(
              (r) => !(r.key === step.key && r.offset === step.offset && r.length === step.length),
            );
            live.push({ key: step.key, offset: step.offset, length: step.length });
          } else if (step.op === 'forgetRange') {
            if (live.length === 0) continue;
            const r = live[step.pick % live.length];
            cache.forgetRange(r.key, r.offset, r.length);
            live = live.filter((x) => x !== r);
          } else if (step.op === 'forget') {
            cache.forget(step.key);
            live = live.filter((r) => r.key !== step.key);
          } else {
            const got = cache.find(step.key, step.offset, step.length);
            if (covered(live, step.key, step.offset, step.length)) {
              expect(got).toEqual(slice(step.key, step.offset, step.length));
            } else {
              expect(got).toBeUndefined();
            }
          }
        }
        expect(cache.bytes).toBe(live.reduce((n, r) => n + r.length, 0));
      }),
      { numRuns: 300, seed: 20261206 },
    );
  });

  it('under eviction, answers only with the right bytes and stays within its bound', () => {
    fc.assert(
      fc.property(ops, (script) => {
        const cache = new RangeCache(20_000);
        for (const step of script as Op[]) {
          if (step.op === 'put') cache.put(step.key, step.offset, slice(step.key, step.offset, step.length));
          if (step.op === 'forget') cache.forget(step.key);
          if (step.op === 'find') {
            const got = cache.find(step.key, step.offset, step.length);
            if (got) expect(got).toEqual(slice(step.key, step.offset, step.length));
          }
          expect(cache.bytes).toBeLessThanOrEqual(20_000);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
