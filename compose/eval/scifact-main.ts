/**
 * `npm run eval:scifact [-- --analyzer flat-wp|english]`: reproduces Anserini's BM25 on BEIR SciFact
 * (flat-wp: WordPiece tokens; english: the Lucene English analyzer, Anserini's "flat") end to end — an 8-bit
 * index built by the batch pipeline and served over HTTP by the Worker (workerd, R2) and by the Node
 * edge — and in-process without quantization; prints the comparison table and the JSON summary, and
 * exits 1 when a target is missed. The data set is read from ../shared/datasets/scifact beside the
 * checkout (or at $CSPLADE_SCIFACT_DIR); without it the script says so and exits 2. `--edge worker|node` runs one edge only;
 * `--run-dir <dir>` also writes each quantized run file (scifact-bm25-8bit-<edge>.trec) for trec_eval.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  loadScifact,
  runUnquantized,
  SCIFACT_ANALYZERS,
  type ScifactAnalyzer,
  scifactDir,
} from '../../batch/eval/scifact.ts';
import { type EdgeRuntime, runQuantizedEndToEnd } from './scifact-e2e.node.ts';
import { formatScifactReport, judgeScifact, type QuantizedRow, scifactJson } from './scifact-report.ts';

const { values } = parseArgs({
  options: { 'run-dir': { type: 'string' }, edge: { type: 'string' }, analyzer: { type: 'string' } },
});
const analyzer = (values.analyzer ?? 'flat-wp') as ScifactAnalyzer;
if (!SCIFACT_ANALYZERS.includes(analyzer)) {
  console.error(
    `eval:scifact: --analyzer must be ${SCIFACT_ANALYZERS.join(' or ')}, got "${values.analyzer}"`,
  );
  process.exit(2);
}
const edges: EdgeRuntime[] =
  values.edge === undefined
    ? ['worker', 'node']
    : values.edge === 'worker' || values.edge === 'node'
      ? [values.edge]
      : [];
if (edges.length === 0) {
  console.error(`eval:scifact: --edge must be worker or node, got "${values.edge}"`);
  process.exit(2);
}
const dir = process.env.CSPLADE_SCIFACT_DIR ?? scifactDir(process.cwd());
if (!existsSync(dir)) {
  console.error(
    `eval:scifact: data set not found at ${dir} (see ../shared/datasets/scifact/README.md); nothing evaluated`,
  );
  process.exit(2);
}
const data = await loadScifact(dir);
const impactBits = 8;
const quantized: QuantizedRow[] = [];
for (const edge of edges) {
  const result = await runQuantizedEndToEnd(data, {
    edge,
    impactBits,
    analyzer,
    runFile: values['run-dir']
      ? join(resolve(values['run-dir']), `scifact-bm25-${analyzer}-${impactBits}bit-${edge}.trec`)
      : undefined,
  });
  quantized.push({
    edge,
    evaluation: result.evaluation,
    indexSeconds: result.indexSeconds,
    searchSeconds: result.searchSeconds,
    ...(result.approximate
      ? {
          approximate: { k1000: result.approximate.k1000.evaluation, k10: result.approximate.k10.evaluation },
        }
      : {}),
  });
}
const unquantized = await runUnquantized(data, 1000, analyzer);
const outcome = {
  analyzer,
  impactBits,
  quantized,
  unquantized: { evaluation: unquantized.evaluation, seconds: unquantized.seconds },
  corpusTokens: unquantized.corpusTokens,
};
const verdict = judgeScifact(outcome);
process.stdout.write(formatScifactReport(outcome, verdict));
process.stdout.write(`${JSON.stringify(scifactJson(outcome, verdict))}\n`);
process.exitCode = verdict.pass ? 0 : 1;
