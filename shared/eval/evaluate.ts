/**
 * Evaluates a run against qrels with trec_eval's conventions and returns the five headline metrics.
 *
 * Which queries count (decided here once, for every caller):
 * - only queries with at least one relevant judgment (relevance > 0). Qrels that judge a query but
 *   find nothing relevant leave it out, as the BEIR/Anserini tooling this project reproduces does
 *   (trec_eval itself would average such a query in with 0 on every measure);
 * - a query of the qrels that the run lacks, or answers with no documents, counts as 0 on every
 *   metric (trec_eval `-c`, as Anserini's regressions run it): a system must not gain by failing;
 * - run queries without qrels are ignored.
 * Each query's documents are ranked with `rankForTrecEval` (score desc, docId desc), so the rank
 * column and line order of a run never matter.
 */
import { EvalInputError } from './errors.ts';
import { averagePrecision, ndcgAt, recallAt, reciprocalRankAt } from './metrics.ts';
import { type RankOptions, rankForTrecEval } from './ranking.ts';
import { METRIC_NAMES, type MetricValues, type Qrels, type Run } from './types.ts';

export interface EvaluationResult {
  /** Means over the evaluated queries. */
  readonly mean: MetricValues;
  /** Number of evaluated queries (the denominator of every mean). */
  readonly queries: number;
  /** Per evaluated query, in qrels order. */
  readonly perQuery: ReadonlyMap<string, MetricValues>;
  /** Evaluated queries the run had no documents for (each scored 0). */
  readonly missingFromRun: readonly string[];
  /** Qrels queries left out because none of their judgments is relevant. */
  readonly withoutRelevant: readonly string[];
}

/** Metrics of one query from the ranked relevance list and all its judgments. */
export function queryMetrics(ranked: readonly number[], judged: readonly number[]): MetricValues {
  return {
    ndcg_at_10: ndcgAt(ranked, judged, 10),
    mrr_at_10: reciprocalRankAt(ranked, 10),
    recall_at_100: recallAt(ranked, judged, 100),
    recall_at_1000: recallAt(ranked, judged, 1000),
    map: averagePrecision(ranked, judged),
  };
}

/**
 * @example evaluateRun(new Map([['q', [{ docId: 'd', score: 1 }]]]), new Map([['q', new Map([['d', 1]])]])).mean.ndcg_at_10 // 1
 */
export function evaluateRun(run: Run, qrels: Qrels, options: RankOptions = {}): EvaluationResult {
  const perQuery = new Map<string, MetricValues>();
  const missingFromRun: string[] = [];
  const withoutRelevant: string[] = [];
  const sums: Record<keyof MetricValues, number> = {
    ndcg_at_10: 0,
    mrr_at_10: 0,
    recall_at_100: 0,
    recall_at_1000: 0,
    map: 0,
  };
  for (const [queryId, judgments] of qrels) {
    const judged: number[] = [];
    for (const [docId, rel] of judgments) {
      if (!Number.isInteger(rel)) {
        throw new EvalInputError(
          `qrels of query "${queryId}": relevance of "${docId}" must be an integer, got ${rel}`,
        );
      }
      judged.push(rel);
    }
    if (!judged.some((rel) => rel > 0)) {
      withoutRelevant.push(queryId);
      continue;
    }
    const docs = run.get(queryId) ?? [];
    if (docs.length === 0) missingFromRun.push(queryId);
    const ranked = rankForTrecEval(queryId, docs, options).map((d) => judgments.get(d.docId) ?? 0);
    const values = queryMetrics(ranked, judged);
    perQuery.set(queryId, values);
    for (const name of METRIC_NAMES) sums[name] += values[name];
  }
  const n = perQuery.size;
  const mean = Object.fromEntries(
    METRIC_NAMES.map((name) => [name, n === 0 ? 0 : sums[name] / n]),
  ) as unknown as MetricValues;
  return { mean, queries: n, perQuery, missingFromRun, withoutRelevant };
}
