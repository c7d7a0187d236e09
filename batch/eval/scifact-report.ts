/**
 * The SciFact reproduction as people and scripts read it: one table with Anserini's published row,
 * our quantized end-to-end row, our unquantized in-process row and the difference quantization makes;
 * the pass/fail lines of the checks; and one JSON object holding all of it.
 */
import type { EvaluationResult } from '../../shared/eval/evaluate.ts';
import { METRIC_NAMES, type MetricValues } from '../../shared/eval/types.ts';
import { evalJson, METRIC_LABELS } from './report.ts';
import {
  checkTargets,
  SCIFACT_BM25,
  SCIFACT_CORPUS_TOKENS,
  SCIFACT_TARGETS,
  type TargetCheck,
} from './scifact.ts';

export interface ScifactOutcome {
  readonly quantized: {
    evaluation: EvaluationResult;
    indexSeconds: number;
    searchSeconds: number;
    impactBits: number;
  };
  readonly unquantized: { evaluation: EvaluationResult; seconds: number };
  readonly corpusTokens: number;
}

export interface ScifactVerdict {
  readonly checks: readonly (TargetCheck & { readonly pass?: boolean })[];
  readonly tokensMatch: boolean;
  readonly pass: boolean;
}

export function judgeScifact(outcome: ScifactOutcome): ScifactVerdict {
  const checks = checkTargets(outcome.quantized.evaluation.mean);
  const tokensMatch = outcome.corpusTokens === SCIFACT_CORPUS_TOKENS;
  const pass =
    tokensMatch && checks.every((c) => c.pass !== false) && outcome.quantized.evaluation.queries === 300;
  return { checks, tokensMatch, pass };
}

const cell = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(4)).padStart(8);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`.padStart(8);

export function formatScifactReport(outcome: ScifactOutcome, verdict: ScifactVerdict): string {
  const q = outcome.quantized.evaluation.mean;
  const u = outcome.unquantized.evaluation.mean;
  const anserini = Object.fromEntries(
    Object.entries(SCIFACT_TARGETS).map(([m, t]) => [m, t.target]),
  ) as Partial<Record<keyof MetricValues, number>>;
  const header = `${''.padEnd(38)}${METRIC_NAMES.map((m) => METRIC_LABELS[m].padStart(8)).join('')}`;
  const row = (label: string, values: (m: keyof MetricValues) => string) =>
    `${label.padEnd(38)}${METRIC_NAMES.map(values).join('')}`;
  const lines = [
    `BEIR SciFact test (${outcome.quantized.evaluation.queries} queries): BM25 k1=${SCIFACT_BM25.k1} b=${SCIFACT_BM25.b}, ` +
      `${SCIFACT_BM25.tokenizer} WordPiece, Lucene norms; trec_eval conventions (-c)`,
    header,
    row('Anserini BM25 flat-wp (published)', (m) => cell(anserini[m])),
    row(`csplade ${outcome.quantized.impactBits}-bit, batch→store→edge HTTP`, (m) => cell(q[m])),
    row('csplade float, in-process (no quant.)', (m) => cell(u[m])),
    row('quantization cost (8-bit − float)', (m) => signed(q[m] - u[m])),
    '',
    ...verdict.checks
      .filter((c) => c.tolerance !== undefined)
      .map(
        (c) =>
          `${c.pass ? 'PASS' : 'FAIL'}  ${METRIC_LABELS[c.metric]} ${c.value.toFixed(4)} within ${c.target} ± ${c.tolerance}`,
      ),
    `${verdict.tokensMatch ? 'PASS' : 'FAIL'}  corpus WordPiece tokens ${outcome.corpusTokens} = ${SCIFACT_CORPUS_TOKENS}`,
    `time: index ${outcome.quantized.indexSeconds.toFixed(1)} s, 300 HTTP searches ${outcome.quantized.searchSeconds.toFixed(1)} s, ` +
      `float in-process ${outcome.unquantized.seconds.toFixed(1)} s`,
  ];
  return `${lines.join('\n')}\n`;
}

export function scifactJson(outcome: ScifactOutcome, verdict: ScifactVerdict) {
  return {
    dataset: 'beir/scifact/test',
    corpus_tokens: outcome.corpusTokens,
    quantized_end_to_end: {
      impact_bits: outcome.quantized.impactBits,
      ...evalJson(outcome.quantized.evaluation),
    },
    unquantized_in_process: evalJson(outcome.unquantized.evaluation),
    targets: SCIFACT_TARGETS,
    checks: verdict.checks,
    pass: verdict.pass,
  };
}
