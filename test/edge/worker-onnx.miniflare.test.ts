/**
 * The ONNX query encoder inside workerd: edge/worker-onnx.ts (onnxruntime-web's wasm imported as a
 * compiled module) bundled by wrangler and run by Miniflare over a local R2 bucket. The batch pipeline
 * indexes the sample corpus with a tiny generated model (onnxruntime-node) and publishes the model and
 * tokenizer as assets of the version, as a Worker needs them. The Worker's answers equal the engine's exhaustive
 * search over a query vector from the same wasm runtime in Node (bit-identical; onnxruntime-node differs
 * only in float rounding, see onnx-query-encoder.test.ts), and its fingerprint is the batch job's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import '../../batch/onnx/register.node.ts';
import { writeTinyModelDir } from '../../batch/model/tiny-model-dir.node.ts';
import { loadManifest, searchManifest } from '../../batch/publish/local-search.ts';
import { main as csplade } from '../../compose/cli/main.ts';
import { type OrtRuntime, onnxQueryEncoderFactory } from '../../edge/encoders/onnx-query-encoder.ts';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import type { Encoder } from '../../shared/encoders/encoder.ts';
import { loadEncoderAssets } from '../../shared/encoders/registry.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';

let dir: string;
let worker: LocalWorker;
let store: LocalFolderObjectStore;
let manifest: IndexManifest;
let webEncoder: Encoder;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-worker-onnx-'));
  const modelDir = join(dir, 'model');
  const config = await writeTinyModelDir(modelDir, { architecture: 'masked-lm', seed: 3 });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const argv = ['index', '--corpus', resolve('test/fixtures/sample-corpus.jsonl'), '--index', 'tiny'];
  argv.push('--store', join(dir, 'store'), '--encoder', `onnx:${modelDir}`, '--shards', '2', '--json');
  expect(await csplade(argv, { stdout: sink, stderr: process.stderr, env: process.env, cwd: dir })).toBe(0);
  store = new LocalFolderObjectStore(join(dir, 'store'));
  manifest = await loadManifest(store, 'tiny');
  // What a Worker needs: the batch job publishes the (single-file) model and the tokenizer as assets.
  const assets = manifest.encoder.assets ?? {};
  expect(Object.keys(assets).sort()).toEqual([config.model, 'tokenizer.json'].sort());
  webEncoder = await onnxQueryEncoderFactory(async () => {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    return ort as unknown as OrtRuntime;
  })(
    { ...manifest.encoder.config, name: 'onnx' },
    { assets: await loadEncoderAssets(store, assets), expectedFingerprint: manifest.encoder.fingerprint },
  );
  expect(webEncoder.fingerprint).toBe(manifest.encoder.fingerprint);
  worker = await startLocalWorker({
    scriptPath: await bundleWorker(join(dir, 'bundle'), 'wrangler.onnx.jsonc'),
  });
  for (const { key } of await store.list('indexes/')) {
    await worker.bucket.put(key, new Uint8Array((await store.get(key))!.bytes));
  }
}, 180_000);
afterAll(async () => {
  await worker?.dispose();
  await webEncoder?.close?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('encodes text queries with onnxruntime-web in workerd; hits and scores equal the engine', async () => {
  for (const query of ['photosynthesis in green plants', 'the roman empire', 'wind turbines']) {
    const res = await worker.miniflare.dispatchFetch(
      `http://edge/v1/indexes/tiny/search?q=${encodeURIComponent(query)}&k=10`,
    );
    const body = (await res.json()) as { hits: { id: string; score: number }[]; error?: unknown };
    expect(res.status, JSON.stringify(body)).toBe(200);
    // The same wasm runtime in Node encodes bit for bit as workerd does: hits and scores must be identical.
    const [vector] = await webEncoder.encode([query], 'query');
    const expected = await searchManifest(store, manifest, vector, { k: 10, algorithm: 'exhaustive' });
    expect(expected.length).toBeGreaterThan(0);
    expect(body.hits).toEqual(expected.map((h) => ({ id: h.id, score: h.score })));
  }
});
