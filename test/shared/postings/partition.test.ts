import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitWidth } from '../../../shared/codec/bitpack.ts';
import { chooseBlockEnds, GRANULE } from '../../../shared/postings/partition.ts';

const SKIP_ENTRY = 7;

/** Bytes of a partition as the encoder writes it: skip entries plus bit-packed gaps and impacts. */
function bytesOf(docs: Uint32Array, impacts: Uint16Array, ends: ArrayLike<number>): number {
  let total = 0;
  let from = 0;
  for (let b = 0; b < ends.length; b++) {
    let gaps = 0;
    let imps = 0;
    for (let i = from; i < ends[b]; i++) {
      gaps |= docs[i] - (i === 0 ? -1 : docs[i - 1]) - 1;
      imps |= impacts[i] - 1;
    }
    const n = ends[b] - from;
    total += SKIP_ENTRY + Math.ceil((n * bitWidth(gaps)) / 8) + Math.ceil((n * bitWidth(imps)) / 8);
    from = ends[b];
  }
  return total;
}

/**
 * The fewest bytes over every partition into blocks of at most floor(blockSize / granule) granules
 * (the list's last granule may be partial), by brute force.
 */
function bestBytes(docs: Uint32Array, impacts: Uint16Array, blockSize: number): number {
  const granule = Math.min(GRANULE, blockSize);
  const longest = Math.floor(blockSize / granule) * granule;
  const n = docs.length;
  const cuts: number[] = [];
  for (let at = granule; at < n; at += granule) cuts.push(at);
  let best = Number.POSITIVE_INFINITY;
  // Every subset of the granule boundaries is a partition; keep those whose blocks fit.
  for (let mask = 0; mask < 1 << cuts.length; mask++) {
    const ends = cuts.filter((_, i) => mask & (1 << i)).concat(n);
    if (ends.some((e, i) => e - (i === 0 ? 0 : ends[i - 1]) > longest)) continue;
    best = Math.min(best, bytesOf(docs, impacts, ends));
  }
  return best;
}

const listArb = fc
  .record({
    n: fc.integer({ min: 1, max: 300 }),
    seed: fc.integer(),
    jumpEvery: fc.integer({ min: 2, max: 200 }),
    blockSize: fc.constantFrom(1, 5, 16, 32, 40, 64, 128),
  })
  .map(({ n, seed, jumpEvery, blockSize }) => {
    // Small gaps with a long jump now and then, as a clustered term has; impacts of mixed widths.
    let x = seed >>> 0;
    const rnd = () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x / 2 ** 32;
    };
    const docs = new Uint32Array(n);
    const impacts = new Uint16Array(n);
    let doc = -1;
    for (let i = 0; i < n; i++) {
      doc += 1 + (i % jumpEvery === 0 ? Math.floor(rnd() * 100_000) : Math.floor(rnd() * 4));
      docs[i] = doc;
      impacts[i] = 1 + Math.floor(rnd() * (rnd() < 0.1 ? 255 : 15));
    }
    return { docs, impacts, blockSize };
  });

describe('chooseBlockEnds', () => {
  it('cuts whole granules of at most blockSize, ending at the list end', () => {
    fc.assert(
      fc.property(listArb, ({ docs, impacts, blockSize }) => {
        const ends = chooseBlockEnds(docs, impacts, 0, docs.length, blockSize, SKIP_ENTRY);
        const granule = Math.min(GRANULE, blockSize);
        expect(ends[ends.length - 1]).toBe(docs.length);
        ends.forEach((e, b) => {
          const n = e - (b === 0 ? 0 : ends[b - 1]);
          expect(n).toBeGreaterThan(0);
          expect(n).toBeLessThanOrEqual(blockSize);
          if (b < ends.length - 1) expect(n % granule).toBe(0);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('finds the smallest encoding among all granule partitions (never larger than fixed blocks)', () => {
    fc.assert(
      fc.property(
        listArb.filter(({ docs, blockSize }) => docs.length <= 12 * Math.min(GRANULE, blockSize)),
        ({ docs, impacts, blockSize }) => {
          const ends = chooseBlockEnds(docs, impacts, 0, docs.length, blockSize, SKIP_ENTRY);
          const chosen = bytesOf(docs, impacts, ends);
          expect(chosen).toBe(bestBytes(docs, impacts, blockSize));
          const fixed = Array.from({ length: Math.ceil(docs.length / blockSize) }, (_, b) =>
            Math.min(docs.length, (b + 1) * blockSize),
          );
          // Fixed blocks are one of the candidates when blockSize is whole granules (128 is).
          if (blockSize % Math.min(GRANULE, blockSize) === 0)
            expect(chosen).toBeLessThanOrEqual(bytesOf(docs, impacts, fixed));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fences a long jump between two dense runs into the smallest block', () => {
    // 64 consecutive docs, a jump of a million, 64 more: one 128-block would pack every gap in
    // 20 bits; cut around the jump, only the 32 postings of its granule do.
    const docs = Uint32Array.from({ length: 128 }, (_, i) => (i < 64 ? i : 1_000_000 + i));
    const impacts = new Uint16Array(128).fill(1);
    expect(Array.from(chooseBlockEnds(docs, impacts, 0, 128, 128, SKIP_ENTRY))).toEqual([64, 96, 128]);
  });

  it('works on a slice of larger arrays', () => {
    const docs = Uint32Array.from([5, 0, 1, 2, 3, 9]);
    const impacts = Uint16Array.from([1, 2, 2, 2, 2, 1]);
    expect(Array.from(chooseBlockEnds(docs, impacts, 1, 5, 2, SKIP_ENTRY))).toEqual([2, 4]);
  });
});
