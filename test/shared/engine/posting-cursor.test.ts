/**
 * The posting cursor the top-k algorithms share, against the decoded list: walking, advancing,
 * per-doc scores, bounds, and out-of-order block access through several slots.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { END, PostingCursor } from '../../../shared/engine/posting-cursor.ts';
import { encodePostingList, PostingList } from '../../../shared/postings/posting-list.ts';

/** A random list: blocks and range blocks small enough that walks cross many of them. */
const listArb = fc
  .record({
    numDocs: fc.integer({ min: 1, max: 3000 }),
    density: fc.double({ min: 0, max: 1, noNaN: true }),
    maxImpact: fc.constantFrom(1, 7, 255, 1000),
    blockSize: fc.integer({ min: 1, max: 70 }),
    rangeBlockBits: fc.integer({ min: 0, max: 6 }),
    rangeMaximaMinDf: fc.integer({ min: 0, max: 100 }),
    weight: fc.integer({ min: 1, max: 9 }),
    seed: fc.integer(),
  })
  .map((p) => {
    let s = p.seed >>> 0;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const docs: number[] = [];
    const impacts: number[] = [];
    for (let d = 0; d < p.numDocs; d++) {
      if (rnd() < p.density) {
        docs.push(d);
        impacts.push(1 + Math.floor(rnd() * p.maxImpact));
      }
    }
    const bytes = encodePostingList(Uint32Array.from(docs), Uint16Array.from(impacts), p.numDocs, {
      blockSize: p.blockSize,
      rangeBlockBits: p.rangeBlockBits,
      rangeMaximaMinDf: p.rangeMaximaMinDf,
    });
    const impactOf = new Map(docs.map((d, i) => [d, impacts[i]]));
    return { list: PostingList.decode(bytes), docs, impacts, impactOf, weight: p.weight, numDocs: p.numDocs };
  });

/** Increasing targets in [0, numDocs + 2) from random steps. */
const targetsOf = (steps: number[], numDocs: number) => {
  const out: number[] = [];
  let t = 0;
  for (const step of steps) {
    t += step;
    if (t >= numDocs + 2) break;
    out.push(t);
  }
  return out;
};

describe('PostingCursor: walking', () => {
  it('walks every posting in order with next, then stays at END', () => {
    fc.assert(
      fc.property(listArb, ({ list, docs, impacts, weight }) => {
        const c = new PostingCursor(list, weight);
        expect(c.doc).toBe(-1);
        for (let i = 0; i < docs.length; i++) {
          c.next();
          expect(c.doc).toBe(docs[i]);
          expect(c.score()).toBe(weight * impacts[i]);
        }
        c.next();
        expect(c.doc).toBe(END);
        c.next();
        expect(c.doc).toBe(END);
        expect(c.blocksDecoded).toBe(list.numBlocks);
      }),
      { numRuns: 200 },
    );
  });

  it('advances to the first posting at or after each target, and scores docs asked in increasing order', () => {
    fc.assert(
      fc.property(listArb, fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), (l, steps) => {
        const { list, docs, impactOf, weight, numDocs } = l;
        const targets = targetsOf(steps, numDocs);
        const walker = new PostingCursor(list, weight);
        const scorer = new PostingCursor(list, weight);
        for (const t of targets) {
          walker.advance(t);
          const expected = docs.find((d) => d >= t) ?? END;
          expect(walker.doc).toBe(expected);
          if (expected !== END) expect(walker.score()).toBe(weight * impactOf.get(expected)!);
          expect(scorer.scoreOf(t)).toBe(weight * (impactOf.get(t) ?? 0));
        }
        expect(walker.blocksDecoded).toBeLessThanOrEqual(list.numBlocks);
      }),
      { numRuns: 300 },
    );
  });
});

describe('PostingCursor: bounds and out-of-order blocks', () => {
  it('bounds every doc by its block maximum and, when stored, its range maximum, without decoding', () => {
    fc.assert(
      fc.property(listArb, fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }), (l, steps) => {
        const { list, docs, impacts, impactOf, weight, numDocs } = l;
        const blocks = new PostingCursor(list, weight);
        const tightest = new PostingCursor(list, weight);
        for (const t of targetsOf(steps, numDocs)) {
          const j = docs.findIndex((d) => d >= t);
          let blockMax = 0;
          if (j >= 0) {
            const b = list.findBlock(t);
            blockMax = list.blockMaxImpact(b);
            expect(impacts[j]).toBeLessThanOrEqual(blockMax);
          }
          expect(blocks.blockBound(t)).toBe(weight * blockMax);
          const bound = tightest.bound(t);
          expect(bound).toBeGreaterThanOrEqual(weight * (impactOf.get(t) ?? 0));
          const r = t >>> list.rangeBlockBits;
          if (!list.hasRangeMaxima) expect(bound).toBe(weight * blockMax);
          else expect(bound).toBe(r < list.numRangeBlocks ? weight * list.rangeMax(r) : 0);
        }
        expect(blocks.blocksDecoded + tightest.blocksDecoded).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('enters blocks in any order through its slots, decoding a block again only once its slot was reused', () => {
    fc.assert(
      fc.property(listArb, fc.array(fc.nat(), { maxLength: 40 }), (l, picks) => {
        const { list, docs, impacts, weight } = l;
        if (list.numBlocks === 0) return;
        const slots = 4;
        const c = new PostingCursor(list, weight, {
          docs: new Uint32Array(slots * list.blockSize),
          impacts: new Uint32Array(slots * list.blockSize),
          slots,
        });
        const starts = [0];
        for (let j = 0; j < list.numBlocks; j++) starts.push(starts[j] + list.blockLength(j));
        const inSlot = new Array(slots).fill(-1);
        let decodes = 0;
        for (const pick of picks) {
          const j = pick % list.numBlocks;
          if (inSlot[j % slots] !== j) decodes++;
          inSlot[j % slots] = j;
          c.enter(j);
          expect(Array.from(c.docs.subarray(c.pos, c.end))).toEqual(docs.slice(starts[j], starts[j + 1]));
          expect(c.doc).toBe(docs[starts[j]]);
          expect(c.score()).toBe(weight * impacts[starts[j]]);
        }
        expect(c.blocksDecoded).toBe(decodes);
      }),
      { numRuns: 200 },
    );
  });

  it('starts again from the first posting after reset', () => {
    fc.assert(
      fc.property(listArb, fc.integer({ min: 0, max: 3000 }), ({ list, docs, weight }, target) => {
        const c = new PostingCursor(list, weight);
        c.advance(target);
        c.reset();
        c.next();
        expect(c.doc).toBe(docs.length > 0 ? docs[0] : END);
      }),
      { numRuns: 100 },
    );
  });
});
