/**
 * The data evaluation works on, in the shape trec_eval reads it: qrels (query id → document id →
 * integer relevance, ≤ 0 meaning judged non-relevant) and a run (query id → retrieved documents with
 * scores). A run's own order is not trusted: `rankForTrecEval` re-sorts it exactly as trec_eval does,
 * so metrics computed here and by trec_eval on our run files agree. Runtime-neutral (Workers too).
 */

/** Judgments of one query: document id → relevance (integer; ≤ 0 is non-relevant). */
export type QueryQrels = ReadonlyMap<string, number>;

/** All judgments: query id → judgments of that query. */
export type Qrels = ReadonlyMap<string, QueryQrels>;

/** One retrieved document of a run. */
export interface ScoredDoc {
  readonly docId: string;
  readonly score: number;
}

/** A run: query id → retrieved documents, in any order (ranking comes from score, then docId). */
export type Run = ReadonlyMap<string, readonly ScoredDoc[]>;

/** The five headline metrics, keyed as `csplade eval --json` prints them. */
export interface MetricValues {
  readonly ndcg_at_10: number;
  readonly mrr_at_10: number;
  readonly recall_at_100: number;
  readonly recall_at_1000: number;
  readonly map: number;
}

export const METRIC_NAMES: readonly (keyof MetricValues)[] = [
  'ndcg_at_10',
  'mrr_at_10',
  'recall_at_100',
  'recall_at_1000',
  'map',
];
