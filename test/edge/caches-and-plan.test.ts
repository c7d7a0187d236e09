/**
 * The isolate's building blocks on their own: the byte-bounded LRU, the range cache's containment and
 * straddling lookups, and the read planner (coalescing by modelled latency, the budget, the connection
 * limit) checked by property tests over random query shapes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteLru } from '../../edge/search/byte-lru.ts';
import { ByteTiers, type QueryIo, runLimited, type SharedRangeCache } from '../../edge/search/byte-tiers.ts';
import { meteredStore } from '../../edge/search/metered-store.ts';
import { RangeCache } from '../../edge/search/range-cache.ts';
import { modelledLatency, planRanges, REQUEST_COST_MS } from '../../edge/search/read-planner.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';

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

const model = { ttfbMedianMs: 30, bandwidthMBps: 55, connections: 6 };
const rangeArb = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
  offset: fc.integer({ min: 0, max: 20_000_000 }),
  length: fc.integer({ min: 1, max: 400_000 }),
});

describe('planRanges (the read planner)', () => {
  it('reads near ranges of one object together and far ones apart, never mixing objects', () => {
    const reads = planRanges(
      [
        { key: 'a', offset: 0, length: 100 },
        { key: 'a', offset: 200, length: 100 }, // 100-byte gap: far cheaper than a first byte
        { key: 'b', offset: 300, length: 100 }, // same offsets, other object: its own read
      ],
      model,
      50,
    );
    expect(reads).toEqual([
      { key: 'a', offset: 0, length: 300, parts: [0, 1] },
      { key: 'b', offset: 300, length: 100, parts: [2] },
    ]);
    // 100 MB apart: transferring the gap costs more than a request on a free connection.
    const far = planRanges(
      [
        { key: 'a', offset: 0, length: 100 },
        { key: 'a', offset: 100_000_000, length: 100 },
      ],
      model,
      50,
    );
    expect(far).toHaveLength(2);
  });

  it('merges more when the budget demands it', () => {
    const needed = Array.from({ length: 10 }, (_, i) => ({ key: 'a', offset: i * 50_000_000, length: 10 }));
    expect(planRanges(needed, model, 50)).toHaveLength(10);
    expect(planRanges(needed, model, 3)).toHaveLength(3);
  });
});

describe('planRanges over random query shapes', () => {
  it('over random query shapes: covers every range once, keeps within the budget, never loses latency', () => {
    fc.assert(
      fc.property(
        fc.array(rangeArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 60 }),
        (needed, budget) => {
          const keys = new Set(needed.map((r) => r.key)).size;
          const reads = planRanges(needed, model, budget);
          // Every needed range lies inside exactly the read that lists it, of its own object.
          const covered = new Array(needed.length).fill(0);
          for (const read of reads) {
            for (const p of read.parts) {
              covered[p]++;
              const r = needed[p];
              expect(read.key).toBe(r.key);
              expect(r.offset >= read.offset && r.offset + r.length <= read.offset + read.length).toBe(true);
            }
          }
          expect(covered.every((n) => n === 1)).toBe(true);
          // Within the budget whenever it can be (one read per object at least).
          expect(reads.length).toBeLessThanOrEqual(Math.max(budget, keys));
          // Merging was only kept where it did not make the plan costlier than reading every run apart.
          if (budget >= needed.length) {
            const apart = planRanges(
              needed,
              { ...model, ttfbMedianMs: 0, bandwidthMBps: 1e-9 },
              needed.length,
            );
            const cost = (plan: typeof reads) =>
              modelledLatency(
                plan.map((r) => r.length),
                model,
              ) +
              REQUEST_COST_MS * plan.length;
            expect(cost(reads)).toBeLessThanOrEqual(cost(apart) + 1e-6);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('runLimited (the read executor)', () => {
  it('the executor never has more reads in flight than connections', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 8 }), async (n, limit) => {
        let inFlight = 0;
        let peak = 0;
        const done: number[] = [];
        await runLimited(
          Array.from({ length: n }, (_, i) => i),
          limit,
          async (i) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            await new Promise((resolve) => setTimeout(resolve, (i * 7) % 3));
            inFlight--;
            done.push(i);
          },
        );
        expect(peak).toBeLessThanOrEqual(limit);
        expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      { numRuns: 40 },
    );
  });
});

describe('ByteTiers and a cold location', () => {
  /** A shared cache that counts its lookups. */
  class CountingShared implements SharedRangeCache {
    readonly entries = new Map<string, Uint8Array>();
    lookups = 0;
    async match(id: string) {
      this.lookups++;
      return this.entries.get(id);
    }
    async put(id: string, bytes: Uint8Array) {
      this.entries.set(id, bytes);
    }
  }

  async function setUp() {
    const store = new MemoryObjectStore();
    await store.put('idx/versions/v1/manifest.json', new TextEncoder().encode('{}'));
    await store.put(
      'idx/versions/v1/shard-0',
      Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff),
    );
    const shared = new CountingShared();
    const pending: Promise<unknown>[] = [];
    const io = (): QueryIo => {
      const { store: metered, cost } = meteredStore(store);
      return { store: metered, cost, budgetLeft: () => 50, defer: (task) => void pending.push(task) };
    };
    return { shared, io, settle: () => Promise.all(pending) };
  }
  const ranges = [
    { key: 'idx/versions/v1/shard-0', offset: 0, length: 100 },
    { key: 'idx/versions/v1/shard-0', offset: 800, length: 100 },
  ];

  it('skips per-range lookups in a request whose version object missed the shared cache', async () => {
    const { shared, io, settle } = await setUp();
    const cold = io();
    const tiers = new ByteTiers(1 << 20, shared);
    await tiers.readObject('idx/versions/v1/manifest.json', cold);
    expect(cold.sharedCold).toBe(true);
    expect(shared.lookups).toBe(1);
    await tiers.read(ranges, cold);
    expect(shared.lookups).toBe(1); // no lookups for the ranges: they went straight to the store
    expect(cold.cost.subrequests).toBe(2); // the manifest, then both ranges in one coalesced read
    await settle();

    // Another isolate of the location, once the cache holds the version: lookups, hits, no store reads.
    const warm = io();
    const fresh = new ByteTiers(1 << 20, shared);
    await fresh.readObject('idx/versions/v1/manifest.json', warm);
    expect(warm.sharedCold).toBeFalsy();
    const bytes = await fresh.read(ranges, warm);
    expect(bytes[1][0]).toBe(800 & 0xff);
    expect(warm.cost.subrequests).toBe(0);
    expect(warm.cost.cacheHitsByTier.shared).toBe(3);
  });
});
