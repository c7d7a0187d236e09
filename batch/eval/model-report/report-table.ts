/**
 * The model report as a fixed-width table: one line per variant and execution provider. Sizes in
 * MiB, throughput per second of encoding wall time, drift as the share of fp32's top-10 document
 * terms kept and the mean relative error of pairwise document scores.
 */
import type { ModelReport, ReportRow } from './model-report.node.ts';

const mib = (bytes: number | undefined) => (bytes === undefined ? '—' : (bytes / 2 ** 20).toFixed(2));
const fixed = (value: number | undefined, digits: number) =>
  value === undefined ? '—' : value.toFixed(digits);

const COLUMNS: readonly [string, (row: ReportRow) => string][] = [
  ['variant', (r) => r.variant],
  ['provider', (r) => r.provider],
  ['model MiB', (r) => mib(r.modelBytes)],
  ['docs/s', (r) => fixed(r.docsPerSecond, 1)],
  ['tokens/s', (r) => fixed(r.tokensPerSecond, 0)],
  ['queries/s', (r) => fixed(r.queriesPerSecond, 1)],
  ['nnz/doc', (r) => fixed(r.nnzPerDoc, 1)],
  ['nnz/query', (r) => fixed(r.nnzPerQuery, 1)],
  ['index MiB', (r) => mib(r.indexBytes)],
  ['top10 kept', (r) => fixed(r.driftFromFp32?.top10Overlap, 3)],
  ['score err', (r) => fixed(r.driftFromFp32?.relativeScoreError, 4)],
  ['nDCG@10', (r) => fixed(r.quality?.ndcg_at_10, 4)],
  ['R@100', (r) => fixed(r.quality?.recall_at_100, 4)],
];

export function formatModelReport(report: ModelReport): string {
  const cells = report.rows.map((row) => COLUMNS.map(([, value]) => value(row)));
  const widths = COLUMNS.map(([title], c) => Math.max(title.length, ...cells.map((line) => line[c].length)));
  const line = (values: readonly string[]) =>
    values.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  const out = [
    `model ${report.modelDir}: ${report.documents} documents, ${report.queries} queries, index at ${report.impactBits}-bit impacts`,
    line(COLUMNS.map(([title]) => title)),
    ...cells.map(line),
    ...report.rows
      .filter((r) => r.unavailable)
      .map((r) => `${r.variant}/${r.provider} not measured: ${r.unavailable}`),
  ];
  return `${out.join('\n')}\n`;
}
