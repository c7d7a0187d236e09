/**
 * The quantized SciFact run, end to end: the batch pipeline indexes the corpus (bm25 over WordPiece,
 * Lucene norms, 8-bit impacts) into a fresh local-folder object store and publishes a version; the
 * edge API serves that store over HTTP; `runEvaluation` sends the 300 test queries as HTTP requests
 * and scores the answers. Nothing is shared between the stages but the store's objects and the HTTP
 * responses, which is what makes the number an end-to-end one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import { openCorpus } from '../corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../pipeline/document-encoder.ts';
import { type IndexSummary, indexCorpus } from '../pipeline/pipeline.ts';
import { createHttpSearcher } from './http-searcher.ts';
import { type RunEvaluationResult, runEvaluation } from './run-eval.ts';
import { SCIFACT_BM25, type ScifactData } from './scifact.ts';
import { serveEdge } from './serve-edge.node.ts';

export const SCIFACT_INDEX = 'scifact';

export interface EndToEndResult extends RunEvaluationResult {
  readonly index: IndexSummary;
  readonly endpoint: string;
  readonly indexSeconds: number;
}

export async function runQuantizedEndToEnd(
  data: ScifactData,
  options: { impactBits?: number; k?: number; runFile?: string } = {},
): Promise<EndToEndResult> {
  const folder = await mkdtemp(join(tmpdir(), 'csplade-scifact-'));
  try {
    const store = new LocalFolderObjectStore(join(folder, 'store'));
    const t0 = performance.now();
    const index = await indexCorpus({
      store,
      index: SCIFACT_INDEX,
      run: 'eval-scifact',
      corpus: await openCorpus(data.dir),
      encoder: new Bm25DocumentEncoder({ ...SCIFACT_BM25 }),
      impactBits: options.impactBits ?? 8,
    });
    const indexSeconds = (performance.now() - t0) / 1000;
    const edge = await serveEdge(store);
    try {
      const searcher = createHttpSearcher({ endpoint: edge.url, index: SCIFACT_INDEX });
      const result = await runEvaluation(searcher, data, {
        k: options.k ?? 1000,
        concurrency: 4,
        runFile: options.runFile,
        runTag: 'csplade-bm25-8bit',
      });
      return { ...result, index, endpoint: edge.url, indexSeconds };
    } finally {
      await edge.close();
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
