import { describe, expect, it } from 'vitest';
import { EvalInputError } from '../../../shared/eval/errors.ts';
import { evaluateRun } from '../../../shared/eval/evaluate.ts';
import type { Qrels, Run, ScoredDoc } from '../../../shared/eval/types.ts';

const qrels = (entries: Record<string, Record<string, number>>): Qrels =>
  new Map(Object.entries(entries).map(([q, docs]) => [q, new Map(Object.entries(docs))]));
const run = (entries: Record<string, [string, number][]>): Run =>
  new Map(
    Object.entries(entries).map(([q, docs]) => [
      q,
      docs.map(([docId, score]): ScoredDoc => ({ docId, score })),
    ]),
  );

describe('evaluateRun', () => {
  it('averages per-query metrics over the judged queries', () => {
    const result = evaluateRun(
      run({
        q1: [
          ['a', 2],
          ['b', 1],
        ],
        q2: [
          ['x', 3],
          ['y', 2],
        ],
      }),
      qrels({ q1: { a: 1 }, q2: { y: 1 } }),
    );
    expect(result.queries).toBe(2);
    // q1: everything 1. q2: relevant at rank 2 → nDCG 1/log2 3, RR 1/2, AP 1/2, recall 1.
    expect(result.mean.ndcg_at_10).toBeCloseTo((1 + 0.6309297535714575) / 2, 12);
    expect(result.mean.mrr_at_10).toBeCloseTo(0.75, 15);
    expect(result.mean.map).toBeCloseTo(0.75, 15);
    expect(result.mean.recall_at_100).toBe(1);
    expect(result.mean.recall_at_1000).toBe(1);
    expect(result.perQuery.get('q2')?.mrr_at_10).toBeCloseTo(0.5, 15);
  });

  it('leaves out queries whose judgments are all non-relevant', () => {
    const result = evaluateRun(
      run({ q1: [['a', 1]], q2: [['b', 1]] }),
      qrels({ q1: { a: 1 }, q2: { b: 0, c: -1 } }),
    );
    expect(result.queries).toBe(1);
    expect(result.withoutRelevant).toEqual(['q2']);
    expect(result.mean.ndcg_at_10).toBe(1);
  });

  it('counts a judged query missing from the run as 0 (trec_eval -c) and ignores unjudged run queries', () => {
    const result = evaluateRun(
      run({ q1: [['a', 1]], extra: [['z', 9]] }),
      qrels({ q1: { a: 1 }, q2: { b: 1 } }),
    );
    expect(result.queries).toBe(2);
    expect(result.missingFromRun).toEqual(['q2']);
    expect(result.mean.ndcg_at_10).toBe(0.5);
    expect(result.mean.map).toBe(0.5);
    expect(result.perQuery.has('extra')).toBe(false);
  });
});

describe('evaluateRun: ties, depth, grades and bad input', () => {
  it('ranks ties by document id descending, so a tie changes the score deterministically', () => {
    // Both score 1: trec_eval ranks "b" before "a", so the relevant "a" sits at rank 2.
    const tied = evaluateRun(
      run({
        q: [
          ['a', 1],
          ['b', 1],
        ],
      }),
      qrels({ q: { a: 1 } }),
    );
    expect(tied.mean.ndcg_at_10).toBeCloseTo(0.6309297535714575, 12);
    expect(tied.mean.mrr_at_10).toBe(0.5);
    const swapped = evaluateRun(
      run({
        q: [
          ['b', 1],
          ['a', 1],
        ],
      }),
      qrels({ q: { a: 1 } }),
    );
    expect(swapped.mean).toEqual(tied.mean);
  });

  it('applies depth (trec_eval -M) before measuring recall and AP', () => {
    const r = run({
      q: [
        ['a', 3],
        ['b', 2],
        ['c', 1],
      ],
    });
    const j = qrels({ q: { a: 1, c: 1 } });
    expect(evaluateRun(r, j).mean.recall_at_100).toBe(1);
    expect(evaluateRun(r, j, { depth: 2 }).mean.recall_at_100).toBe(0.5);
    expect(evaluateRun(r, j, { depth: 2 }).mean.map).toBe(0.5);
  });

  it('uses graded qrels as gains', () => {
    // Gains 1 then 2 against ideal 2, 1: (1 + 2/log2 3) / (2 + 1/log2 3) = 2.2618595 / 2.6309298.
    const result = evaluateRun(
      run({
        q: [
          ['a', 2],
          ['b', 1],
        ],
      }),
      qrels({ q: { a: 1, b: 2 } }),
    );
    expect(result.mean.ndcg_at_10).toBeCloseTo(0.859719, 6);
  });

  it('rejects a non-integer relevance and reports zero queries as means of 0', () => {
    expect(() => evaluateRun(run({}), qrels({ q: { a: 0.5 } }))).toThrow(EvalInputError);
    const empty = evaluateRun(run({}), qrels({}));
    expect(empty.queries).toBe(0);
    expect(empty.mean.map).toBe(0);
  });
});
