/**
 * The isolate's building blocks on their own: the byte-bounded LRU, the range cache's containment and
 * straddling lookups, and the postings read planner (fewest bytes for a number of reads, the budget, the
 * per-shard cap, the overread target) checked against brute force over every set of splits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteLru } from '../../edge/search/byte-lru.ts';
import { RangeCache } from '../../edge/search/range-cache.ts';
import { type BlobRange, planReads } from '../../edge/search/read-plan.ts';

describe('ByteLru', () => {
  it('evicts least recently used entries to stay within its bytes, and skips values larger than it', () => {
    const evicted: string[] = [];
    const lru = new ByteLru<string>(10, (key) => evicted.push(key));
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    lru.set('c', 'C', 4);
    expect(evicted).toEqual(['b']);
    expect([...lru.keys()]).toEqual(['a', 'c']);
    expect(lru.bytes).toBe(8);
    lru.set('huge', 'H', 11);
    expect(lru.has('huge')).toBe(false);
    lru.set('a', 'A2', 2);
    expect(lru.bytes).toBe(6);
  });
});

describe('RangeCache', () => {
  const bytes = (offset: number, length: number) =>
    Uint8Array.from({ length }, (_, i) => (offset + i) & 0xff);

  it('answers any sub-range of a cached range, and reads that straddle adjacent ranges', () => {
    const cache = new RangeCache(1000);
    cache.put('k', 100, bytes(100, 50));
    cache.put('k', 150, bytes(150, 50));
    expect(cache.find('k', 110, 20)).toEqual(bytes(110, 20));
    expect(cache.find('k', 140, 30)).toEqual(bytes(140, 30)); // straddles both
    expect(cache.find('k', 90, 20)).toBeUndefined();
    expect(cache.find('k', 190, 20)).toBeUndefined();
    expect(cache.find('other', 110, 1)).toBeUndefined();
    cache.forget('k');
    expect(cache.find('k', 110, 1)).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('drops evicted ranges from its index', () => {
    const cache = new RangeCache(100);
    cache.put('k', 0, bytes(0, 60));
    cache.put('k', 1000, bytes(1000, 60));
    expect(cache.find('k', 0, 10)).toBeUndefined();
    expect(cache.find('k', 1000, 10)).toEqual(bytes(1000, 10));
  });
});

describe('planReads', () => {
  const plan = (shards: BlobRange[][], maxReads = 100, maxReadsPerShard = 3, maxOverread = 1) =>
    planReads(shards, maxReads, { maxReadsPerShard, maxOverread, minSplitGap: 0 });

  it('covers every blob, never splits touching blobs, and splits at the widest gaps', () => {
    const shard = [
      { offset: 0, length: 10 },
      { offset: 10, length: 10 }, // touches the first
      { offset: 25, length: 5 }, // gap 5
      { offset: 1000, length: 10 }, // gap 970
      { offset: 1100, length: 10 }, // gap 90
    ];
    expect(plan([shard], 100, 3).reads).toEqual([
      [
        { offset: 0, length: 30 },
        { offset: 1000, length: 10 },
        { offset: 1100, length: 10 },
      ],
    ]);
    expect(plan([shard], 100, 2).reads[0]).toEqual([
      { offset: 0, length: 30 },
      { offset: 1000, length: 110 },
    ]);
  });

  it('stops splitting when the overread target is met, and at the budget', () => {
    const shard = [
      { offset: 0, length: 100 },
      { offset: 150, length: 100 },
    ];
    expect(plan([shard], 100, 3, 2).reads[0]).toHaveLength(1); // 250 bytes for 200 needed: within 2×
    expect(plan([shard, shard], 2, 3, 1).reads.map((r) => r.length)).toEqual([1, 1]);
  });

  it('counts a blob listed twice once (found by the property below)', () => {
    const result = plan(
      [
        [
          { offset: 0, length: 1 },
          { offset: 2, length: 1 },
          { offset: 2, length: 1 },
        ],
      ],
      2,
    );
    expect(result.bytesNeeded).toBe(2);
    expect(result.reads[0]).toEqual([
      { offset: 0, length: 1 },
      { offset: 2, length: 1 },
    ]);
  });

  it('spends the budget where it saves the most bytes across shards (brute force)', () => {
    const blob = fc.record({
      offset: fc.integer({ min: 0, max: 10_000 }),
      length: fc.integer({ min: 1, max: 300 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(blob, { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 8 }),
        (shards, budget) => {
          const result = plan(shards, budget, 3, 1);
          let reads = 0;
          shards.forEach((blobs, s) => {
            for (const b of blobs) {
              expect(
                result.reads[s].some(
                  (r) => r.offset <= b.offset && b.offset + b.length <= r.offset + r.length,
                ),
              ).toBe(true);
            }
            expect(result.reads[s].length).toBeLessThanOrEqual(3);
            reads += result.reads[s].length;
          });
          const withBlobs = shards.filter((b) => b.length > 0).length;
          expect(reads).toBeLessThanOrEqual(Math.max(budget, withBlobs));
          const planned = result.reads.flat().reduce((n, r) => n + r.length, 0);
          expect(planned).toBe(result.bytesPlanned);
          expect(planned).toBe(bestBytes(shards, Math.max(budget, withBlobs)));
        },
      ),
    );
  });
});

/** Fewest bytes reachable with at most `budget` reads and ≤ 3 per shard: try every split set. */
function bestBytes(shards: BlobRange[][], budget: number): number {
  const options = shards.map((blobs) => {
    const runs: { offset: number; end: number }[] = [];
    for (const b of [...blobs].sort((x, y) => x.offset - y.offset)) {
      const last = runs[runs.length - 1];
      if (last && b.offset <= last.end) last.end = Math.max(last.end, b.offset + b.length);
      else runs.push({ offset: b.offset, end: b.offset + b.length });
    }
    if (runs.length === 0) return [{ reads: 0, bytes: 0 }];
    const gaps = runs.slice(1).map((r, i) => r.offset - runs[i].end);
    const span = runs[runs.length - 1].end - runs[0].offset;
    const out: { reads: number; bytes: number }[] = [];
    for (let mask = 0; mask < 1 << gaps.length; mask++) {
      const chosen = gaps.filter((_, i) => mask & (1 << i));
      if (chosen.length > 2) continue;
      out.push({ reads: chosen.length + 1, bytes: span - chosen.reduce((a, b) => a + b, 0) });
    }
    return out;
  });
  let best = Number.POSITIVE_INFINITY;
  const walk = (s: number, reads: number, bytes: number) => {
    if (reads > budget) return;
    if (s === options.length) {
      best = Math.min(best, bytes);
      return;
    }
    for (const o of options[s]) walk(s + 1, reads + o.reads, bytes + o.bytes);
  };
  walk(0, 0, 0);
  return best;
}
