/**
 * `npm run eval:scifact`: reproduces Anserini's BM25 flat-wp on BEIR SciFact end to end (8-bit index
 * built by the batch pipeline, served by the edge API over HTTP) and in-process without quantization,
 * prints the comparison table and the JSON summary, and exits 1 when a target is missed. The data set
 * is read from ../shared/datasets/scifact beside the checkout; without it the script says so and
 * exits 2. `--run-dir <dir>` also writes the quantized run file (scifact-bm25-8bit.trec) for trec_eval.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadScifact, runUnquantized, scifactDir } from './scifact.ts';
import { runQuantizedEndToEnd } from './scifact-e2e.node.ts';
import { formatScifactReport, judgeScifact, scifactJson } from './scifact-report.ts';

const { values } = parseArgs({ options: { 'run-dir': { type: 'string' } } });
const dir = scifactDir(process.cwd());
if (!existsSync(dir)) {
  console.error(
    `eval:scifact: data set not found at ${dir} (see its README in ../shared/datasets); nothing evaluated`,
  );
  process.exit(2);
}
const data = await loadScifact(dir);
const impactBits = 8;
const quantized = await runQuantizedEndToEnd(data, {
  impactBits,
  runFile: values['run-dir'] ? join(resolve(values['run-dir']), 'scifact-bm25-8bit.trec') : undefined,
});
const unquantized = await runUnquantized(data);
const outcome = {
  quantized: {
    evaluation: quantized.evaluation,
    indexSeconds: quantized.indexSeconds,
    searchSeconds: quantized.searchSeconds,
    impactBits,
  },
  unquantized: { evaluation: unquantized.evaluation, seconds: unquantized.seconds },
  corpusTokens: unquantized.corpusTokens,
};
const verdict = judgeScifact(outcome);
process.stdout.write(formatScifactReport(outcome, verdict));
process.stdout.write(`${JSON.stringify(scifactJson(outcome, verdict))}\n`);
process.exitCode = verdict.pass ? 0 : 1;
