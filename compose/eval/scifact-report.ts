/**
 * The SciFact reproduction as people and scripts read it: one table with Anserini's published row,
 * our quantized end-to-end rows (one per edge runtime), our unquantized in-process row and the
 * difference quantization makes; the pass/fail lines of the checks; and one JSON object with all of it.
 */

import { evalJson, METRIC_LABELS } from '../../batch/eval/report.ts';
import {
  checkTargets,
  SCIFACT_BM25,
  SCIFACT_SETTINGS,
  type ScifactAnalyzer,
  type TargetCheck,
} from '../../batch/eval/scifact.ts';
import type { EvaluationResult } from '../../shared/eval/evaluate.ts';
import { METRIC_NAMES, type MetricValues } from '../../shared/eval/types.ts';
import { EDGE_LABELS, type EdgeRuntime } from './scifact-e2e.node.ts';

export interface QuantizedRow {
  readonly edge: EdgeRuntime;
  readonly evaluation: EvaluationResult;
  readonly indexSeconds: number;
  readonly searchSeconds: number;
  /** The same version in approximate mode, at k = 1000 and k = 10. */
  readonly approximate?: { readonly k1000: EvaluationResult; readonly k10: EvaluationResult };
}

/** Approximate nDCG@10 must stay this close to exact nDCG@10 of the same edge and version. */
export const APPROXIMATE_NDCG_TOLERANCE = 0.005;

export interface ScifactOutcome {
  readonly analyzer: ScifactAnalyzer;
  readonly impactBits: number;
  readonly quantized: readonly QuantizedRow[];
  readonly unquantized: { evaluation: EvaluationResult; seconds: number };
  readonly corpusTokens: number;
}

export interface ScifactVerdict {
  readonly checks: readonly (TargetCheck & { readonly edge: EdgeRuntime })[];
  /** Approximate nDCG@10 against exact nDCG@10 of the same edge (within APPROXIMATE_NDCG_TOLERANCE). */
  readonly approximateChecks: readonly {
    edge: EdgeRuntime;
    run: 'k1000' | 'k10';
    value: number;
    exact: number;
    pass: boolean;
  }[];
  /** Corpus tokens as Anserini counts them; undefined where no count is published (english). */
  readonly tokensMatch: boolean | undefined;
  readonly pass: boolean;
}

export function judgeScifact(outcome: ScifactOutcome): ScifactVerdict {
  const setting = SCIFACT_SETTINGS[outcome.analyzer];
  const checks = outcome.quantized.flatMap((row) =>
    checkTargets(row.evaluation.mean, setting.targets).map((check) => ({ ...check, edge: row.edge })),
  );
  const tokensMatch =
    setting.corpusTokens === undefined ? undefined : outcome.corpusTokens === setting.corpusTokens;
  const approximateChecks = outcome.quantized.flatMap((row) =>
    row.approximate
      ? (['k1000', 'k10'] as const).map((run) => {
          const value = row.approximate![run].mean.ndcg_at_10;
          const exact = row.evaluation.mean.ndcg_at_10;
          return {
            edge: row.edge,
            run,
            value,
            exact,
            pass: Math.abs(value - exact) <= APPROXIMATE_NDCG_TOLERANCE,
          };
        })
      : [],
  );
  const pass =
    tokensMatch !== false &&
    outcome.quantized.length > 0 &&
    checks.every((c) => c.pass !== false) &&
    approximateChecks.every((c) => c.pass) &&
    outcome.quantized.every((row) => row.evaluation.queries === 300);
  return { checks, approximateChecks, tokensMatch, pass };
}

const cell = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(4)).padStart(8);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`.padStart(8);

export function formatScifactReport(outcome: ScifactOutcome, verdict: ScifactVerdict): string {
  const u = outcome.unquantized.evaluation.mean;
  const bits = outcome.impactBits;
  const setting = SCIFACT_SETTINGS[outcome.analyzer];
  const anserini = Object.fromEntries(
    Object.entries(setting.targets).map(([m, t]) => [m, t.target]),
  ) as Partial<Record<keyof MetricValues, number>>;
  const width = 50;
  const row = (label: string, values: (m: keyof MetricValues) => string) =>
    `${label.padEnd(width)}${METRIC_NAMES.map(values).join('')}`;
  const first = outcome.quantized[0];
  const lines = [
    `BEIR SciFact test (${outcome.unquantized.evaluation.queries} queries): BM25 k1=${SCIFACT_BM25.k1} b=${SCIFACT_BM25.b}, ` +
      `${setting.analysis}, Lucene norms; trec_eval conventions (-c)`,
    `${''.padEnd(width)}${METRIC_NAMES.map((m) => METRIC_LABELS[m].padStart(8)).join('')}`,
    row(`Anserini ${setting.anserini} (published)`, (m) => cell(anserini[m])),
    ...outcome.quantized.flatMap((q) => [
      row(`csplade ${bits}-bit, ${EDGE_LABELS[q.edge]} HTTP`, (m) => cell(q.evaluation.mean[m])),
      ...(q.approximate
        ? [
            row(`  approximate mode, k=1000`, (m) => cell(q.approximate!.k1000.mean[m])),
            row(`  approximate mode, k=10`, (m) =>
              m === 'ndcg_at_10' || m === 'mrr_at_10' ? cell(q.approximate!.k10.mean[m]) : cell(undefined),
            ),
          ]
        : []),
    ]),
    row('csplade float, in-process (no quantization)', (m) => cell(u[m])),
    ...(first
      ? [row(`quantization cost (${bits}-bit − float)`, (m) => signed(first.evaluation.mean[m] - u[m]))]
      : []),
    '',
    ...verdict.checks
      .filter((c) => c.tolerance !== undefined)
      .map(
        (c) =>
          `${c.pass ? 'PASS' : 'FAIL'}  ${c.edge}: ${METRIC_LABELS[c.metric]} ${c.value.toFixed(4)} within ${c.target} ± ${c.tolerance}`,
      ),
    ...verdict.approximateChecks.map(
      (c) =>
        `${c.pass ? 'PASS' : 'FAIL'}  ${c.edge}: approximate (${c.run === 'k10' ? 'k=10' : 'k=1000'}) nDCG@10 ${c.value.toFixed(4)} within ${APPROXIMATE_NDCG_TOLERANCE} of exact ${c.exact.toFixed(4)}`,
    ),
    verdict.tokensMatch === undefined
      ? `corpus tokens after analysis: ${outcome.corpusTokens} (no published count to compare)`
      : `${verdict.tokensMatch ? 'PASS' : 'FAIL'}  corpus tokens ${outcome.corpusTokens} = ${setting.corpusTokens}`,
    ...outcome.quantized.map(
      (q) =>
        `time ${q.edge}: index ${q.indexSeconds.toFixed(1)} s, ${q.evaluation.queries} HTTP searches (k=1000) ${q.searchSeconds.toFixed(1)} s`,
    ),
    `time float in-process: ${outcome.unquantized.seconds.toFixed(1)} s`,
    verdict.pass ? 'RESULT: PASS' : 'RESULT: FAIL',
  ];
  return `${lines.join('\n')}\n`;
}

export function scifactJson(outcome: ScifactOutcome, verdict: ScifactVerdict) {
  return {
    dataset: 'beir/scifact/test',
    analyzer: outcome.analyzer,
    anserini: SCIFACT_SETTINGS[outcome.analyzer].anserini,
    corpus_tokens: outcome.corpusTokens,
    impact_bits: outcome.impactBits,
    quantized_end_to_end: Object.fromEntries(outcome.quantized.map((q) => [q.edge, evalJson(q.evaluation)])),
    approximate_end_to_end: Object.fromEntries(
      outcome.quantized
        .filter((q) => q.approximate)
        .map((q) => [q.edge, { k1000: evalJson(q.approximate!.k1000), k10: evalJson(q.approximate!.k10) }]),
    ),
    approximate_checks: verdict.approximateChecks,
    unquantized_in_process: evalJson(outcome.unquantized.evaluation),
    targets: SCIFACT_SETTINGS[outcome.analyzer].targets,
    checks: verdict.checks,
    pass: verdict.pass,
  };
}
