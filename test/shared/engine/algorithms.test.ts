import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exhaustive } from '../../../shared/engine/algorithms/exhaustive.ts';
import { addDoc, emptyDocSet, hasDoc } from '../../../shared/engine/doc-set.ts';
import { getAlgorithm, listAlgorithms } from '../../../shared/engine/registry.ts';
import type { TopKResult } from '../../../shared/engine/types.ts';
import { encodePostingList, PostingList } from '../../../shared/postings/posting-list.ts';
import { exhaustiveRawTopK } from '../../bench/raw-baseline.ts';
import { type SearchCase, searchCaseArb } from './random-index.ts';

type Case = SearchCase;

const caseArb = searchCaseArb({
  maxTerms: 8,
  k: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 30 }), fc.constant(5000)),
});

function naive(c: Case, accept?: (doc: number) => boolean): TopKResult {
  const scores = new Map<number, number>();
  for (const t of c.raw) {
    for (let i = 0; i < t.docs.length; i++) {
      if (accept && !accept(t.docs[i])) continue;
      scores.set(t.docs[i], (scores.get(t.docs[i]) ?? 0) + t.weight * t.impacts[i]);
    }
  }
  const hits = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, c.request.k);
  return { docs: Uint32Array.from(hits, (h) => h[0]), scores: Float64Array.from(hits, (h) => h[1]) };
}

const asPairs = (r: TopKResult) => Array.from(r.docs, (d, i) => [d, r.scores[i]]);

describe('top-k algorithms', () => {
  it('exhaustive (encoded and raw) equals a naive scorer', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const expected = asPairs(naive(c));
        expect(asPairs(exhaustive.search(c.request))).toEqual(expected);
        expect(asPairs(exhaustiveRawTopK(c.request.numDocs, c.raw, c.request.k))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  for (const name of listAlgorithms().filter((n) => n !== 'exhaustive')) {
    it(`${name} returns exactly the exhaustive hits (ids and scores)`, () => {
      const algorithm = getAlgorithm(name);
      fc.assert(
        fc.property(caseArb, (c) => {
          expect(asPairs(algorithm.search(c.request))).toEqual(asPairs(exhaustive.search(c.request)));
        }),
        { numRuns: 400 },
      );
    });
  }

  // Filters from empty through a handful of docs to nearly all, so pruning meets thresholds that come
  // only from the docs that pass.
  const filteredArb = fc.tuple(
    caseArb,
    fc.constantFrom(0, 0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 1),
    fc.integer(),
  );
  const withFilter = ([c, share, seed]: [Case, number, number]) => {
    let s = seed >>> 0;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const accept = emptyDocSet(c.request.numDocs);
    for (let d = 0; d < c.request.numDocs; d++) if (rnd() < share) addDoc(accept, d);
    return { c, accept, request: { ...c.request, accept } };
  };

  for (const name of listAlgorithms()) {
    it(`${name} with a filter returns exactly the naive filtered hits`, () => {
      const algorithm = getAlgorithm(name);
      fc.assert(
        fc.property(filteredArb, (input) => {
          const { c, accept, request } = withFilter(input);
          const expected = asPairs(naive(c, (d) => hasDoc(accept, d)));
          expect(asPairs(algorithm.search(request))).toEqual(expected);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('rejects a filter smaller than the shard', () => {
    for (const name of listAlgorithms()) {
      expect(() =>
        getAlgorithm(name).search({ numDocs: 100, k: 1, terms: [], accept: new Uint32Array(3) }),
      ).toThrow(/accept holds 96 docs, the request has 100/);
    }
  });

  it('rejects malformed requests with a named error', () => {
    const list = PostingList.decode(encodePostingList(Uint32Array.of(1), Uint16Array.of(2), 10));
    for (const name of listAlgorithms()) {
      const a = getAlgorithm(name);
      expect(() => a.search({ numDocs: 10, k: -1, terms: [] })).toThrow(/k must be/);
      expect(() => a.search({ numDocs: 10, k: 1, terms: [{ term: 3, weight: 0, postings: list }] })).toThrow(
        /term 3: weight must be a positive integer/,
      );
      expect(() => a.search({ numDocs: 5, k: 1, terms: [{ term: 3, weight: 1, postings: list }] })).toThrow(
        /written for 10 docs/,
      );
    }
    expect(() => getAlgorithm('nope')).toThrow(/unknown top-k algorithm 'nope'/);
  });
});

describe('scores beyond 32 bits', () => {
  it('every algorithm stays exact when weight × impact sums exceed 2^31', () => {
    const numDocs = 300;
    const docs = Uint32Array.from({ length: 100 }, (_, i) => i * 3);
    const impacts = Uint16Array.from({ length: 100 }, (_, i) => 65535 - (i % 7));
    const list = PostingList.decode(encodePostingList(docs, impacts, numDocs, { rangeMaximaMinDf: 1 }));
    const terms = [0, 1, 2].map((term) => ({ term, weight: 2 ** 20 + term, postings: list }));
    const request = { numDocs, terms, k: 5 };
    const expected = asPairs(
      exhaustiveRawTopK(
        numDocs,
        terms.map((t) => ({ weight: t.weight, docs, impacts })),
        5,
      ),
    );
    expect(expected[0][1]).toBeGreaterThan(2 ** 31);
    for (const name of listAlgorithms())
      expect(asPairs(getAlgorithm(name).search(request))).toEqual(expected);
  });
});
