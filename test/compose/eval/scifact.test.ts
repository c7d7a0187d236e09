/**
 * BEIR SciFact, reproduced in CI: the quantized end-to-end run (pipeline → R2 bucket → the bundled
 * Worker in workerd, queried over HTTP; 8-bit impacts) must match Anserini's BM25 flat-wp within the project's tolerance, and the float
 * in-process run must show what quantization costs. The data set lives beside the checkout
 * (../shared/datasets/scifact); where it is absent the tests are SKIPPED with a printed reason.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadScifact,
  runUnquantized,
  SCIFACT_CORPUS_TOKENS,
  SCIFACT_SETTINGS,
  SCIFACT_TARGETS,
  type ScifactData,
  scifactDir,
  type UnquantizedResult,
} from '../../../batch/eval/scifact.ts';
import { type EndToEndResult, runQuantizedEndToEnd } from '../../../compose/eval/scifact-e2e.node.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
// CSPLADE_SCIFACT_DIR points elsewhere (or nowhere, to check the skip path).
const dir = process.env.CSPLADE_SCIFACT_DIR ?? scifactDir(repoRoot);
const exists = existsSync(dir);
if (!exists) {
  console.warn(
    `SKIPPED test/compose/eval/scifact.test.ts: BEIR SciFact not found at ${dir} (see ../shared/datasets)`,
  );
}

describe.skipIf(!exists)('BEIR SciFact, BM25 flat-wp', () => {
  let data: ScifactData;
  let quantized: EndToEndResult;
  let unquantized: UnquantizedResult;

  beforeAll(async () => {
    data = await loadScifact(dir);
    quantized = await runQuantizedEndToEnd(data, { edge: 'worker' });
    unquantized = await runUnquantized(data);
  }, 240_000);

  it('tokenizes the corpus to 1,737,313 WordPiece tokens and evaluates the 300 test queries', () => {
    expect(data.corpus.ids.length).toBe(5183);
    expect(unquantized.corpusTokens).toBe(SCIFACT_CORPUS_TOKENS);
    expect(quantized.index.tokensEncoded).toBe(SCIFACT_CORPUS_TOKENS);
    expect(quantized.evaluation.queries).toBe(300);
    expect(quantized.evaluation.missingFromRun).toEqual([]);
  });

  it('8-bit end to end through the Worker (workerd, R2) over HTTP: nDCG@10 0.6718 ± 0.005, R@100 0.9213 ± 0.01', () => {
    const { ndcg_at_10, recall_at_100 } = quantized.evaluation.mean;
    console.info(
      `SciFact 8-bit end to end: nDCG@10 ${ndcg_at_10.toFixed(4)}, R@100 ${recall_at_100.toFixed(4)}`,
    );
    expect(quantized.edge).toBe('worker');
    expect(quantized.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Math.abs(ndcg_at_10 - SCIFACT_TARGETS.ndcg_at_10!.target)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(recall_at_100 - SCIFACT_TARGETS.recall_at_100!.target)).toBeLessThanOrEqual(0.01);
  });

  it('approximate mode through the Worker keeps nDCG@10 within 0.005 of exact, at k = 1000 and k = 10', () => {
    const exact = quantized.evaluation.mean.ndcg_at_10;
    const { k1000, k10 } = quantized.approximate!;
    console.info(
      `SciFact approximate: nDCG@10 ${k1000.evaluation.mean.ndcg_at_10.toFixed(4)} (k=1000), ${k10.evaluation.mean.ndcg_at_10.toFixed(4)} (k=10), exact ${exact.toFixed(4)}`,
    );
    expect(k1000.evaluation.queries).toBe(300);
    expect(Math.abs(k1000.evaluation.mean.ndcg_at_10 - exact)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(k10.evaluation.mean.ndcg_at_10 - exact)).toBeLessThanOrEqual(0.005);
  });

  it('float in-process (no quantization) is within tolerance too, and 8-bit costs little', () => {
    const q = quantized.evaluation.mean;
    const u = unquantized.evaluation.mean;
    console.info(
      `SciFact float in-process: nDCG@10 ${u.ndcg_at_10.toFixed(4)}, R@100 ${u.recall_at_100.toFixed(4)}`,
    );
    expect(Math.abs(u.ndcg_at_10 - 0.6718)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(u.recall_at_100 - 0.9213)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(q.ndcg_at_10 - u.ndcg_at_10)).toBeLessThan(0.005);
  });
});

describe.skipIf(!exists)('BEIR SciFact, BM25 flat (the Lucene English analyzer)', () => {
  const { targets } = SCIFACT_SETTINGS.english;
  let data: ScifactData;
  let quantized: EndToEndResult;
  let unquantized: UnquantizedResult;

  beforeAll(async () => {
    data = await loadScifact(dir);
    quantized = await runQuantizedEndToEnd(data, { edge: 'worker', analyzer: 'english', approximate: false });
    unquantized = await runUnquantized(data, 1000, 'english');
  }, 120_000);

  it(`8-bit end to end through the Worker: nDCG@10 ${targets.ndcg_at_10!.target} ± 0.005, R@100 ${targets.recall_at_100!.target} ± 0.01`, () => {
    const { ndcg_at_10, recall_at_100 } = quantized.evaluation.mean;
    console.info(
      `SciFact english 8-bit end to end: nDCG@10 ${ndcg_at_10.toFixed(4)}, R@100 ${recall_at_100.toFixed(4)}`,
    );
    expect(quantized.evaluation.queries).toBe(300);
    expect(Math.abs(ndcg_at_10 - targets.ndcg_at_10!.target)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(recall_at_100 - targets.recall_at_100!.target)).toBeLessThanOrEqual(0.01);
  });

  it('float in-process matches Anserini too, and the 8-bit index stays within 0.005 of it', () => {
    const u = unquantized.evaluation.mean;
    expect(Math.abs(u.ndcg_at_10 - targets.ndcg_at_10!.target)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(u.recall_at_100 - targets.recall_at_100!.target)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(quantized.evaluation.mean.ndcg_at_10 - u.ndcg_at_10)).toBeLessThan(0.005);
  });
});
