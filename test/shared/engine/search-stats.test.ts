/**
 * Work counters are per search: an algorithm writes them into the stats object the request carries,
 * so concurrent callers (explain output, benchmarks) never read another search's counters.
 */
import { describe, expect, it } from 'vitest';
import { bmp } from '../../../shared/engine/algorithms/bmp.ts';
import { taatMaxscore } from '../../../shared/engine/algorithms/taat-maxscore.ts';
import type { QueryTerm, SearchStats } from '../../../shared/engine/types.ts';
import { encodePostingList, PostingList } from '../../../shared/postings/posting-list.ts';

/** A list holding every `step`-th doc below numDocs, impacts cycling through 1..9. */
function everyNth(term: number, step: number, numDocs: number, weight: number): QueryTerm {
  const docs = Uint32Array.from({ length: Math.ceil(numDocs / step) }, (_, i) => i * step);
  const impacts = Uint16Array.from(docs, (_, i) => 1 + ((i * 7 + term) % 9));
  const bytes = encodePostingList(docs, impacts, numDocs, { blockSize: 32, rangeBlockBits: 4 });
  return { term, weight, postings: PostingList.decode(bytes) };
}

const numDocs = 4000;
const small = [everyNth(0, 3, numDocs, 2), everyNth(1, 50, numDocs, 5)];
const large = [...small, everyNth(2, 2, numDocs, 1), everyNth(3, 7, numDocs, 3), everyNth(4, 1, numDocs, 1)];

describe('search stats', () => {
  it('taat-maxscore counts each search into its own stats object', () => {
    const first: SearchStats = {};
    const second: SearchStats = {};
    taatMaxscore.search({ numDocs, terms: small, k: 10, stats: first });
    const seen = { ...first };
    taatMaxscore.search({ numDocs, terms: large, k: 100, stats: second });
    expect(first).toEqual(seen);
    const postings = (terms: QueryTerm[]) => terms.reduce((n, t) => n + t.postings.df, 0);
    expect(first.essentialPostings).toBeGreaterThan(0);
    expect(first.essentialPostings).toBeLessThanOrEqual(postings(small));
    expect(second.essentialPostings).toBeLessThanOrEqual(postings(large));
    expect(second.essentialLists).toBeGreaterThan(0);
    expect(Object.keys(second).sort()).toEqual(
      ['blocksDecoded', 'boundPassed', 'essentialLists', 'essentialPostings', 'rounds', 'tightPassed'].sort(),
    );
  });

  it('bmp counts each search into its own stats object', () => {
    const first: SearchStats = {};
    const second: SearchStats = {};
    bmp.search({ numDocs, terms: large, k: 10, stats: first });
    const seen = { ...first };
    bmp.search({ numDocs, terms: small, k: 1, stats: second });
    expect(first).toEqual(seen);
    expect(first.superblocksOpened).toBeGreaterThan(0);
    expect(first.rangeBlocksScored).toBeGreaterThan(0);
    expect(first.postingBlocksDecoded).toBeGreaterThan(0);
    expect(Object.keys(second).sort()).toEqual(
      ['postingBlocksDecoded', 'rangeBlocksScored', 'shortPostings', 'superblocksOpened'].sort(),
    );
  });

  it('leaves the stats object alone when none is given, and searches the same either way', () => {
    const withStats = taatMaxscore.search({ numDocs, terms: large, k: 20, stats: {} });
    const without = taatMaxscore.search({ numDocs, terms: large, k: 20 });
    expect(Array.from(without.docs)).toEqual(Array.from(withStats.docs));
    expect(Array.from(without.scores)).toEqual(Array.from(withStats.scores));
  });
});
