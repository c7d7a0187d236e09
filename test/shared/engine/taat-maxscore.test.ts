/**
 * taat-maxscore against exhaustive scoring on random indexes (the same generator as
 * algorithms.test.ts, which covers it too once it is registered), plus more terms and larger k
 * so that lists move between the essential and non-essential sets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exhaustive } from '../../../shared/engine/algorithms/exhaustive.ts';
import { taatMaxscore } from '../../../shared/engine/algorithms/taat-maxscore.ts';
import type { TopKResult } from '../../../shared/engine/types.ts';
import { searchCaseArb } from './random-index.ts';

const caseArb = searchCaseArb({
  maxTerms: 14,
  k: fc.oneof(
    fc.constant(1),
    fc.integer({ min: 0, max: 30 }),
    fc.integer({ min: 30, max: 300 }),
    fc.constant(5000),
  ),
});

const asPairs = (r: TopKResult) => Array.from(r.docs, (d, i) => [d, r.scores[i]]);

describe('taat-maxscore', () => {
  it('returns exactly the exhaustive hits (ids and scores)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(asPairs(taatMaxscore.search(c.request))).toEqual(asPairs(exhaustive.search(c.request)));
      }),
      { numRuns: 1500 },
    );
  });

  it('leaves no state behind between searches of different sizes', () => {
    fc.assert(
      fc.property(caseArb, caseArb, (a, b) => {
        taatMaxscore.search(a.request);
        expect(asPairs(taatMaxscore.search(b.request))).toEqual(asPairs(exhaustive.search(b.request)));
      }),
      { numRuns: 200 },
    );
  });
});
