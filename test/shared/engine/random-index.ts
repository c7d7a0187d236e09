/**
 * Random indexes and queries for testing top-k algorithms against exhaustive scoring (shared by the
 * registry-wide property test and the per-algorithm tests that push harder on one algorithm).
 */
import fc from 'fast-check';
import type { QueryTerm, SearchRequest } from '../../../shared/engine/types.ts';
import { encodePostingList, PostingList } from '../../../shared/postings/posting-list.ts';

export interface SearchCase {
  request: SearchRequest;
  raw: { weight: number; docs: Uint32Array; impacts: Uint16Array }[];
}

/**
 * A random index and query: few distinct impacts and weights so ties are common; tiny blocks and
 * range blocks so lists cross many boundaries; numDocs rarely a multiple of the range block;
 * a random share of lists with range maxima (others short), sometimes one list with another
 * geometry, sometimes empty and single-posting lists.
 */
export function searchCaseArb(options: {
  maxTerms: number;
  k: fc.Arbitrary<number>;
}): fc.Arbitrary<SearchCase> {
  return fc
    .record({
      numDocs: fc.integer({ min: 1, max: 2500 }),
      numTerms: fc.integer({ min: 0, max: options.maxTerms }),
      k: options.k,
      blockSize: fc.integer({ min: 1, max: 40 }),
      rangeBlockBits: fc.integer({ min: 0, max: 6 }),
      superBlockBits: fc.integer({ min: 0, max: 4 }),
      maxImpact: fc.constantFrom(1, 3, 255, 1000),
      oddGeometry: fc.boolean(),
      postingsPerBlock: fc.constantFrom(0, 0, 2, 16),
      seed: fc.integer(),
    })
    .map((p): SearchCase => {
      let s = p.seed >>> 0;
      const rnd = () => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        return s / 4294967296;
      };
      const terms: QueryTerm[] = [];
      const raw: SearchCase['raw'] = [];
      for (let t = 0; t < p.numTerms; t++) {
        const shape = rnd();
        const density = shape < 0.1 ? 0 : shape < 0.2 ? 1 / p.numDocs : rnd() ** 2;
        const docs: number[] = [];
        const impacts: number[] = [];
        // Clustered regions make block maxima vary, as after doc reordering.
        const hot = Math.floor(rnd() * p.numDocs);
        for (let d = 0; d < p.numDocs; d++) {
          const boost = Math.abs(d - hot) < p.numDocs / 10 ? 4 : 1;
          if (rnd() < density * boost || (shape >= 0.1 && shape < 0.2 && d === hot)) {
            docs.push(d);
            impacts.push(1 + Math.floor(rnd() * p.maxImpact));
          }
        }
        const odd = p.oddGeometry && t === 0;
        const bytes = encodePostingList(Uint32Array.from(docs), Uint16Array.from(impacts), p.numDocs, {
          blockSize: p.blockSize,
          rangeBlockBits: odd ? (p.rangeBlockBits + 1) % 7 : p.rangeBlockBits,
          superBlockBits: p.superBlockBits,
          rangeMaximaMinDf: Math.floor(rnd() * 60),
          rangeMaximaPostingsPerBlock: p.postingsPerBlock,
        });
        const weight = 1 + Math.floor(rnd() * 3);
        terms.push({ term: t, weight, postings: PostingList.decode(bytes) });
        raw.push({ weight, docs: Uint32Array.from(docs), impacts: Uint16Array.from(impacts) });
      }
      return { request: { numDocs: p.numDocs, terms, k: p.k }, raw };
    });
}
