/**
 * An ONNX index whose model directory names a smaller query model (`queryModel`: the int8 output of
 * `csplade model quantize`): the batch job publishes that model and the tokenizer as assets of the version
 * with the query encoder's fingerprint, and the edge encodes queries from those bytes alone — not from the
 * model directory — answering exactly as the engine over the same query vectors. A query model in the store
 * that is not the published one is refused (503), never used.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quantizeModel } from '../../batch/model/quantize.ts';
import { writeTinyModelDir } from '../../batch/model/tiny-model-dir.node.ts';
import { loadManifest, searchManifest } from '../../batch/publish/local-search.ts';
import { main as csplade } from '../../compose/cli/main.ts';
import { nodeDeps } from '../../compose/node-server.node.ts';
import { createApp } from '../../edge/app.ts';
import { type OrtRuntime, onnxQueryEncoderFactory } from '../../edge/encoders/onnx-query-encoder.ts';
import { loadEncoderAssets } from '../../shared/encoders/registry.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';

let dir: string;
let store: LocalFolderObjectStore;
let manifest: IndexManifest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-query-model-'));
  const modelDir = join(dir, 'model');
  const config = await writeTinyModelDir(modelDir, { architecture: 'masked-lm', seed: 11 });
  await quantizeModel(join(modelDir, config.model), { bits: 8, output: join(modelDir, 'model.int8.onnx') });
  await writeFile(
    join(modelDir, 'csplade-model.json'),
    JSON.stringify({ ...config, queryModel: 'model.int8.onnx' }, null, 2),
  );
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const argv = ['index', '--corpus', resolve('test/fixtures/sample-corpus.jsonl'), '--index', 'q8'];
  argv.push('--store', join(dir, 'store'), '--encoder', `onnx:${modelDir}`, '--shards', '2', '--json');
  expect(await csplade(argv, { stdout: sink, stderr: process.stderr, env: process.env, cwd: dir })).toBe(0);
  store = new LocalFolderObjectStore(join(dir, 'store'));
  manifest = await loadManifest(store, 'q8');
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('publishes the query model and tokenizer with the version, and the query fingerprint', () => {
  const assets = manifest.encoder.assets ?? {};
  expect(Object.keys(assets).sort()).toEqual(['model.int8.onnx', 'tokenizer.json']);
  const queryFingerprint = manifest.encoder.config.queryFingerprint;
  expect(typeof queryFingerprint).toBe('string');
  // The query model is not the document model, so it is checked against its own fingerprint.
  expect(queryFingerprint).not.toBe(manifest.encoder.fingerprint);
});

it('encodes queries with the published int8 model and answers exactly as the engine', async () => {
  // Delete the model directory: the edge must need only the store.
  await rm(join(dir, 'model'), { recursive: true, force: true });
  const app = createApp(nodeDeps({ CSPLADE_STORE: join(dir, 'store') }));
  const encoder = await onnxQueryEncoderFactory(
    async () => (await import('onnxruntime-node')) as unknown as OrtRuntime,
  )(
    { ...manifest.encoder.config, name: 'onnx' },
    { assets: await loadEncoderAssets(store, manifest.encoder.assets ?? {}) },
  );
  expect(encoder.fingerprint).toBe(manifest.encoder.config.queryFingerprint);
  for (const query of ['photosynthesis in green plants', 'the roman empire']) {
    const res = await app.request(`/v1/indexes/q8/search?q=${encodeURIComponent(query)}&k=10`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hits: { id: string; score: number }[] };
    const [vector] = await encoder.encode([query], 'query');
    const expected = await searchManifest(store, manifest, vector, { k: 10, algorithm: 'exhaustive' });
    expect(expected.length).toBeGreaterThan(0);
    expect(body.hits.map((h) => ({ id: h.id, score: h.score }))).toEqual(
      expected.map((h) => ({ id: h.id, score: h.score })),
    );
  }
});

it('refuses a query model in the store that is not the published one', async () => {
  const key = manifest.encoder.assets!['model.int8.onnx'];
  const original = await store.get(key);
  const tampered = tamperedCopy(original!.bytes);
  await store.put(key, tampered);
  try {
    const app = createApp(nodeDeps({ CSPLADE_STORE: join(dir, 'store') }));
    const res = await app.request('/v1/indexes/q8/search?q=roman%20empire&k=3');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('encoder_unavailable');
    expect(body.error.message).toMatch(/fingerprint/);
  } finally {
    await store.put(key, original!.bytes);
  }
});

/** The same graph with one weight byte changed: still a valid model, but not the published one. */
function tamperedCopy(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[copy.length - 16] ^= 0x01;
  return copy;
}
