/**
 * The quantized SciFact run, end to end: the batch pipeline indexes the corpus (bm25 over WordPiece,
 * Lucene norms, 8-bit impacts) into an object store and publishes a version; the edge API serves that
 * store over HTTP; `runEvaluation` sends the 300 test queries as HTTP requests and scores the answers.
 * Nothing passes between the stages but the store's objects and the HTTP responses.
 *
 * Two edges: `worker` — the Worker bundle `wrangler deploy` would upload, running in workerd under
 * Miniflare with the index in its local R2 bucket (the deployed shape); `node` — the Node entry
 * (edge/node.ts) over a local-folder store. Puts into the Miniflare bucket go through `detachedPuts`:
 * Miniflare's Node→workerd proxy rejects a Uint8Array that is a view into a larger pooled buffer
 * (msgpackr's output is), so each put gets its own copy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCorpus } from '../../batch/corpus/sources.node.ts';
import { createHttpSearcher } from '../../batch/eval/http-searcher.ts';
import { type RunEvaluationResult, runEvaluation } from '../../batch/eval/run-eval.ts';
import { SCIFACT_SETTINGS, type ScifactAnalyzer, type ScifactData } from '../../batch/eval/scifact.ts';
import { openDocumentEncoder } from '../../batch/pipeline/open-document-encoder.ts';
import { type IndexSummary, indexCorpus } from '../../batch/pipeline/pipeline.ts';
import { bundleWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { startNodeServer } from '../../edge/node.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

export const SCIFACT_INDEX = 'scifact';

export type EdgeRuntime = 'worker' | 'node';

export const EDGE_LABELS: Readonly<Record<EdgeRuntime, string>> = {
  worker: 'batch→R2→Worker (workerd)',
  node: 'batch→folder→Node edge',
};

export interface EndToEndResult extends RunEvaluationResult {
  readonly edge: EdgeRuntime;
  readonly index: IndexSummary;
  readonly endpoint: string;
  readonly indexSeconds: number;
  /**
   * The same queries in approximate mode against the same version: at k = 1000 (the run the metrics
   * above come from) and at k = 10 (what a user asking for ten hits gets: nDCG@10, MRR@10).
   */
  readonly approximate?: { readonly k1000: RunEvaluationResult; readonly k10: RunEvaluationResult };
}

interface DeployedEdge {
  readonly store: ObjectStore;
  readonly url: string;
  close(): Promise<void>;
}

/** A store whose puts hand the inner store a fresh, exactly-sized copy of the bytes. */
export function detachedPuts(store: ObjectStore): ObjectStore {
  return {
    get: (key) => store.get(key),
    getRange: (key, offset, length) => store.getRange(key, offset, length),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
    listPrefixes: (prefix) => store.listPrefixes(prefix),
    delete: (key) => store.delete(key),
    // new Uint8Array(view) copies; Buffer#slice would not (it is subarray).
    put: (key, bytes, options) => store.put(key, new Uint8Array(bytes), options),
  };
}

async function deployEdge(edge: EdgeRuntime, folder: string): Promise<DeployedEdge> {
  if (edge === 'worker') {
    const worker = await startLocalWorker({ scriptPath: await bundleWorker(join(folder, 'bundle')) });
    return { store: detachedPuts(worker.bucket), url: worker.url.origin, close: () => worker.dispose() };
  }
  const store = new LocalFolderObjectStore(join(folder, 'store'));
  const server = await startNodeServer({ store, encoderFactory: registryEncoderFactory }, { port: 0 });
  return { store, url: server.url, close: () => server.close() };
}

export async function runQuantizedEndToEnd(
  data: ScifactData,
  options: {
    edge?: EdgeRuntime;
    impactBits?: number;
    k?: number;
    runFile?: string;
    analyzer?: ScifactAnalyzer;
    /** Also run the queries in approximate mode (default true). */
    approximate?: boolean;
  } = {},
): Promise<EndToEndResult> {
  const edge = options.edge ?? 'worker';
  const analyzer = options.analyzer ?? 'flat-wp';
  const folder = await mkdtemp(join(tmpdir(), 'csplade-scifact-'));
  try {
    const deployed = await deployEdge(edge, folder);
    try {
      const t0 = performance.now();
      // The edge is already up: the index appears by publication, as in production.
      const encoder = await openDocumentEncoder({ kind: 'bm25', ...SCIFACT_SETTINGS[analyzer].bm25 });
      const index = await indexCorpus({
        store: deployed.store,
        index: SCIFACT_INDEX,
        run: 'eval-scifact',
        corpus: await openCorpus(data.dir),
        encoder,
        impactBits: options.impactBits ?? 8,
      });
      await encoder.close();
      const indexSeconds = (performance.now() - t0) / 1000;
      const searcher = createHttpSearcher({ endpoint: deployed.url, index: SCIFACT_INDEX });
      const result = await runEvaluation(searcher, data, {
        k: options.k ?? 1000,
        concurrency: 4,
        runFile: options.runFile,
        runTag: `csplade-bm25-${analyzer}-${options.impactBits ?? 8}bit-${edge}`,
      });
      let approximate: EndToEndResult['approximate'];
      if (options.approximate !== false) {
        const approx = createHttpSearcher({
          endpoint: deployed.url,
          index: SCIFACT_INDEX,
          mode: 'approximate',
        });
        approximate = {
          k1000: await runEvaluation(approx, data, { k: options.k ?? 1000, concurrency: 4 }),
          k10: await runEvaluation(approx, data, { k: 10, concurrency: 4 }),
        };
      }
      return { ...result, edge, index, endpoint: deployed.url, indexSeconds, approximate };
    } finally {
      await deployed.close();
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
