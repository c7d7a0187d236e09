/**
 * Benchmark of the indexing pipeline.
 *
 *   npm run bench:pipeline -- [--docs 20000] [--words 100] [--build-docs 100000] [--changed 0.01]
 *                             [--onnx-docs 2000] [--json]
 *
 * Prints one JSON object (progress on stderr):
 * - endToEnd.local: a full `index` run with the bm25 encoder into a fresh local-folder store, docs/s and
 *   seconds per stage; baseline: reading and validating the same corpus alone (ratio = e2e / baseline);
 * - endToEnd.s3: the same into radosgw (or any S3) when S3_ENDPOINT (and AWS_* keys) are set;
 * - incremental: a rerun after changing `--changed` of the documents, against the full run measured just
 *   before in this process (target: ratio ≤ 0.05), with where its time went. With bm25 encoding is cheap
 *   and every BM25 weight changes with the corpus statistics, so the rerun still rebuilds every shard;
 * - incrementalOnnx: the same with the onnx encoder (a tiny generated model on CPU, `--onnx-docs`, 0 to
 *   skip), where encoding dominates as with real SPLADE models and the cache decides the rerun's cost;
 * - build: index building from float vectors (prune → quantize → writeShard) over a synthetic SPLADE-like
 *   corpus, postings/s (target ≥ 5M/s); baseline: the inversion (counting sort) alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { readCorpus } from '../../batch/corpus/read-corpus.ts';
import { openCorpus } from '../../batch/corpus/sources.node.ts';
import { writeTinyModelDir } from '../../batch/model/tiny-model-dir.node.ts';
import type { DocOrder } from '../../batch/pipeline/build-settings.ts';
import { Bm25DocumentEncoder } from '../../batch/pipeline/document-encoder.ts';
import { openDocumentEncoder } from '../../batch/pipeline/open-document-encoder.ts';
import { type IndexSummary, indexCorpus } from '../../batch/pipeline/pipeline.ts';
import { pruneDocument } from '../../batch/pipeline/prune.ts';
import { invertDocuments } from '../../shared/postings/invert.ts';
import { writeShard } from '../../shared/shard/writer.ts';
import { impactScale, quantizeVector } from '../../shared/sparse/quantize.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { prefixed } from '../../shared/store/prefixed.ts';
import { S3ObjectStore, s3ClientConfig } from '../../shared/store/s3.ts';
import { syntheticDocs } from '../batch/helpers/synthetic-text.ts';
import { numberArg, stringArg } from './args.ts';
import { generateCorpus } from './synthetic-corpus.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const round = (n: number, digits = 3) => Number(n.toFixed(digits));

const docs = numberArg('docs', 20_000);
const words = numberArg('words', 100);
const buildDocs = numberArg('build-docs', 100_000);
const changedFraction = numberArg('changed', 0.01);
const onnxDocs = numberArg('onnx-docs', 2000);
// The build stage's doc-id order (default cluster, as `csplade index`): `--doc-order arrival` to compare.
const docOrder = stringArg('doc-order', 'cluster') as DocOrder;

const work = await mkdtemp(join(tmpdir(), 'csplade-bench-pipeline-'));
try {
  const records = syntheticDocs(docs, words);
  const corpusPath = join(work, 'corpus.jsonl');
  await writeFile(corpusPath, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);

  log(`baseline: reading and validating ${docs} documents`);
  const readStart = performance.now();
  let read = 0;
  for await (const _ of readCorpus((await openCorpus(corpusPath)).chunks(), { onReject: () => {} })) read++;
  const readSeconds = (performance.now() - readStart) / 1000;

  const run = async (
    store: ObjectStore,
    path: string,
    runId: string,
  ): Promise<IndexSummary & { wall: number }> => {
    const start = performance.now();
    const summary = await indexCorpus({
      store,
      index: 'bench',
      run: runId,
      corpus: await openCorpus(path),
      encoder: new Bm25DocumentEncoder(),
      shards: 4,
      docOrder,
    });
    return { ...summary, wall: (performance.now() - start) / 1000 };
  };

  log(`end to end: ${docs} documents into a local folder`);
  const local = new LocalFolderObjectStore(join(work, 'store'));
  const full = await run(local, corpusPath, 'full');

  log(`incremental: ${changedFraction * 100}% of the documents changed`);
  const step = Math.max(1, Math.round(1 / changedFraction));
  const changed = records.map((r, i) =>
    i % step === 0 ? { ...r, text: `${r.text} revised edition ${i}` } : r,
  );
  const changedPath = join(work, 'corpus-changed.jsonl');
  await writeFile(changedPath, `${changed.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const incremental = await run(local, changedPath, 'incremental');

  let s3: Record<string, unknown> | null = null;
  if (process.env.S3_ENDPOINT) {
    log(`end to end: ${docs} documents into S3 at ${process.env.S3_ENDPOINT}`);
    const client = new S3Client(
      s3ClientConfig({
        endpoint: process.env.S3_ENDPOINT,
        region: process.env.AWS_REGION,
        accessKeyId: process.env.AWS_ACCESS_KEY_ID,
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      }),
    );
    const bucket = `bench-pipeline-${Date.now().toString(36)}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const result = await run(prefixed(new S3ObjectStore({ client, bucket }), 'bench'), corpusPath, 's3full');
    s3 = { docsPerSecond: round(docs / result.wall, 0), seconds: result.seconds, bucket };
  }

  let incrementalOnnx: Record<string, unknown> | null = null;
  if (onnxDocs > 0) {
    // Where encoding is the cost (any neural encoder), the cache is what makes reruns cheap.
    log(`incremental with the onnx encoder: ${onnxDocs} documents, tiny generated model on CPU`);
    const modelDir = join(work, 'model');
    await writeTinyModelDir(modelDir, {
      architecture: 'masked-lm',
      vocabSize: 1000,
      hidden: 64,
      layers: 2,
      seed: 7,
    });
    const onnxRecords = records.slice(0, onnxDocs);
    const onnxPath = join(work, 'onnx.jsonl');
    await writeFile(onnxPath, `${onnxRecords.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const onnxChanged = onnxRecords.map((r, i) =>
      i % step === 0 ? { ...r, text: `${r.text} revised edition ${i}` } : r,
    );
    const onnxChangedPath = join(work, 'onnx-changed.jsonl');
    await writeFile(onnxChangedPath, `${onnxChanged.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const encoder = await openDocumentEncoder({ kind: 'onnx', modelDir });
    try {
      const onnxStore = new LocalFolderObjectStore(join(work, 'onnx-store'));
      const timed = async (path: string, runId: string) => {
        const start = performance.now();
        const summary = await indexCorpus({
          store: onnxStore,
          index: 'onnx',
          run: runId,
          corpus: await openCorpus(path),
          encoder,
          shards: 4,
          docOrder,
        });
        return { summary, wall: (performance.now() - start) / 1000 };
      };
      const fullOnnx = await timed(onnxPath, 'onnx-full');
      const rerunOnnx = await timed(onnxChangedPath, 'onnx-incremental');
      incrementalOnnx = {
        model: 'tiny generated masked-LM SPLADE (vocab 1000, hidden 64, 2 layers), onnxruntime-node CPU',
        docs: onnxDocs,
        encoded: rerunOnnx.summary.documents.encoded,
        reused: rerunOnnx.summary.documents.reused,
        seconds: round(rerunOnnx.wall),
        fullRunSeconds: round(fullOnnx.wall),
        ratio: round(rerunOnnx.wall / fullOnnx.wall),
        target: 0.05,
        stages: rerunOnnx.summary.seconds,
        fullRunStages: fullOnnx.summary.seconds,
      };
    } finally {
      await encoder.close();
    }
  }

  log(`build: ${buildDocs} synthetic SPLADE-like documents`);
  const synthetic = generateCorpus({ docs: buildDocs, vocab: 30522, queries: 0 });
  // Float vectors as an encoder returns them (impacts back to weights), so the build does all its work.
  const floats: SparseVector[] = synthetic.documents.map((v) => ({
    terms: v.terms,
    weights: Float32Array.from(v.impacts, (x) => x / 10),
  }));
  let postings = 0;
  for (const v of floats) postings += v.terms.length;
  const invertStart = performance.now();
  invertDocuments(synthetic.documents, 30522);
  const invertSeconds = (performance.now() - invertStart) / 1000;
  const buildStart = performance.now();
  const pruned = floats.map((v) => pruneDocument(v, {}));
  let maxWeight = 0;
  for (const v of pruned) for (const w of v.weights) if (w > maxWeight) maxWeight = w;
  const scale = impactScale(maxWeight, 8);
  const quantized = pruned.map((v) => quantizeVector(v, scale, 8));
  const quantizeSeconds = (performance.now() - buildStart) / 1000;
  const shards = 4;
  let shardBytes = 0;
  for (let s = 0; s < shards; s++) {
    const from = Math.floor((s * buildDocs) / shards);
    const to = Math.floor(((s + 1) * buildDocs) / shards);
    shardBytes += writeShard({
      shardName: `bench-${s}`,
      docBase: from,
      impactBits: 8,
      indexScale: scale,
      vectors: quantized.slice(from, to),
      externalIds: Array.from({ length: to - from }, (_, i) => `d${from + i}`),
    }).bytes.length;
  }
  const buildSeconds = (performance.now() - buildStart) / 1000;

  const fullDocsPerSecond = docs / full.wall;
  const baselineDocsPerSecond = read / readSeconds;
  const result = {
    bench: 'pipeline',
    docs,
    wordsPerDoc: words,
    docOrder,
    endToEnd: {
      local: { docsPerSecond: round(fullDocsPerSecond, 0), seconds: full.seconds, postings: full.postings },
      s3,
      baseline: { what: 'read + validate the corpus only', docsPerSecond: round(baselineDocsPerSecond, 0) },
      ratioToBaseline: round(fullDocsPerSecond / baselineDocsPerSecond),
    },
    incremental: {
      changedDocs: changed.filter((_, i) => i % step === 0).length,
      encoded: incremental.documents.encoded,
      reused: incremental.documents.reused,
      seconds: round(incremental.wall),
      fullRunSeconds: round(full.wall),
      ratio: round(incremental.wall / full.wall),
      target: 0.05,
      stages: incremental.seconds,
    },
    incrementalOnnx,
    build: {
      docs: buildDocs,
      postings,
      postingsPerSecond: round(postings / buildSeconds, 0),
      quantizePostingsPerSecond: round(postings / quantizeSeconds, 0),
      shardBytes,
      target: 5_000_000,
      baseline: {
        what: 'invertDocuments (counting sort) alone',
        postingsPerSecond: round(postings / invertSeconds, 0),
      },
      ratioToBaseline: round(invertSeconds / buildSeconds),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
