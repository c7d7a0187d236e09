/**
 * How evaluation results are shown: a fixed-width table for people, or the one JSON object scripts
 * read (`ndcg_at_10, mrr_at_10, recall_at_100, recall_at_1000, map, queries`, nothing else, so a
 * consumer can rely on the shape). Values are printed with 4 decimals in the table (trec_eval's
 * precision) and in full in JSON.
 */
import type { EvaluationResult } from '../../shared/eval/evaluate.ts';
import { METRIC_NAMES, type MetricValues } from '../../shared/eval/types.ts';

export const METRIC_LABELS: Readonly<Record<keyof MetricValues, string>> = {
  ndcg_at_10: 'nDCG@10',
  mrr_at_10: 'MRR@10',
  recall_at_100: 'R@100',
  recall_at_1000: 'R@1000',
  map: 'MAP',
};

export type EvalJson = MetricValues & { readonly queries: number };

export function evalJson(result: EvaluationResult): EvalJson {
  return { ...result.mean, queries: result.queries };
}

export function formatTable(result: EvaluationResult): string {
  const rows = METRIC_NAMES.map((name) => `${METRIC_LABELS[name].padEnd(9)} ${result.mean[name].toFixed(4)}`);
  rows.push(`${'queries'.padEnd(9)} ${result.queries}`);
  return `${rows.join('\n')}\n`;
}
