import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  countRelevant,
  ndcgAt,
  recallAt,
  reciprocalRankAt,
} from '../../../shared/eval/metrics.ts';

// Expected values are computed by hand from trec_eval's formulas; the decimal forms are written out
// so that a wrong discount (e.g. trec_eval 8's log2(rank) with rank 1 undiscounted) would fail.
describe('ndcgAt (trec_eval ndcg_cut)', () => {
  it('discounts rank r by log2(r + 1)', () => {
    // DCG = 1 / log2(3) = 0.6309297535714575; IDCG = 1.
    expect(ndcgAt([0, 1], [1], 10)).toBeCloseTo(0.6309297535714575, 12);
  });

  it('uses graded gains and the ideal ranking of the qrels', () => {
    // run gains 1, 2, 0, 3: DCG = 1 + 2/log2(3) + 3/log2(5) = 1 + 1.2618595 + 1.2920297 = 3.5538892
    // ideal 3, 2, 1:        IDCG = 3 + 2/log2(3) + 1/2        = 4.7618595
    expect(ndcgAt([1, 2, 0, 3], [3, 2, 1, 0], 10)).toBeCloseTo(3.5538892 / 4.7618595, 6);
    expect(ndcgAt([1, 2, 0, 3], [3, 2, 1, 0], 10)).toBeCloseTo(0.746324, 6);
  });

  it('takes the ideal DCG from all judgments, retrieved or not', () => {
    // One of two relevant documents retrieved at rank 1: 1 / (1 + 1/log2 3) = 0.6131471927654584.
    expect(ndcgAt([1], [1, 1], 10)).toBeCloseTo(0.6131471927654584, 12);
  });

  it('ignores documents below the cutoff and caps the ideal at k', () => {
    const ranked = [...Array(10).fill(0), 1];
    expect(ndcgAt(ranked, [1], 10)).toBe(0);
    const twelve = Array(12).fill(1);
    expect(ndcgAt(twelve, twelve, 10)).toBe(1);
    expect(ndcgAt([1, 0, 1], [1, 1], 1)).toBe(1);
  });

  it('treats relevance ≤ 0 as no gain, and is 0 without relevant judgments', () => {
    expect(ndcgAt([-1, 1], [-1, 1], 10)).toBeCloseTo(0.6309297535714575, 12);
    expect(ndcgAt([0, 0], [0, -2], 10)).toBe(0);
    expect(ndcgAt([], [1], 10)).toBe(0);
  });
});

describe('reciprocalRankAt (recip_rank cut at k)', () => {
  it('is 1/rank of the first relevant document', () => {
    expect(reciprocalRankAt([0, 0, 2, 1], 10)).toBeCloseTo(1 / 3, 15);
    expect(reciprocalRankAt([1], 10)).toBe(1);
  });

  it('is 0 when the first relevant document is below k, or ranked docs are non-relevant', () => {
    expect(reciprocalRankAt([...Array(10).fill(0), 1], 10)).toBe(0);
    expect(reciprocalRankAt([...Array(10).fill(0), 1], 11)).toBeCloseTo(1 / 11, 15);
    expect(reciprocalRankAt([0, -1, 0], 10)).toBe(0);
  });
});

describe('recallAt (trec_eval recall.k)', () => {
  it('divides relevant documents in the top k by all relevant judgments', () => {
    expect(recallAt([1, 0, 1], [1, 1, 1, 0], 2)).toBeCloseTo(1 / 3, 15);
    expect(recallAt([1, 0, 1], [1, 1, 1, 0], 3)).toBeCloseTo(2 / 3, 15);
    expect(recallAt([2, 1], [2, 1], 100)).toBe(1);
  });

  it('is 0 without relevant judgments', () => {
    expect(recallAt([0], [0], 100)).toBe(0);
  });
});

describe('averagePrecision (trec_eval map)', () => {
  it('averages precision at each relevant rank over all relevant judgments', () => {
    // relevant at ranks 1 and 3 of 3 relevant: (1/1 + 2/3) / 3 = 0.5555…
    expect(averagePrecision([1, 0, 1], [1, 1, 1])).toBeCloseTo(5 / 9, 15);
  });

  it('uses the full ranking depth, not a cutoff', () => {
    const ranked = Array(1500).fill(0);
    ranked[1499] = 1;
    expect(averagePrecision(ranked, [1])).toBeCloseTo(1 / 1500, 15);
  });

  it('counts relevance ≤ 0 as non-relevant in both the ranking and the judgments', () => {
    // judged non-relevant (0, -1) do not enlarge the denominator.
    expect(averagePrecision([0, 2], [2, 0, -1])).toBeCloseTo(0.5, 15);
    expect(countRelevant([2, 0, -1, 1])).toBe(2);
  });
});
