/**
 * An index built by the batch pipeline with an ONNX encoder (a tiny generated masked-LM model directory)
 * served by the Node entry's dependencies: text queries are encoded with onnxruntime-node through the
 * registry's "onnx" factory (fingerprint-checked against the manifest), and the hits equal the
 * in-process engine's exhaustive search over the same published version.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeTinyModelDir } from '../../batch/model/tiny-model-dir.node.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../batch/publish/local-search.ts';
import { main as csplade } from '../../compose/cli/main.ts';
import { nodeDeps } from '../../compose/node-server.node.ts';
import { createApp } from '../../edge/app.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import { runCli } from '../batch/helpers/cli-process.ts';

let dir: string;
let indexLog = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-edge-onnx-'));
  await writeTinyModelDir(join(dir, 'model'), { architecture: 'masked-lm', seed: 7 });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const argv = ['index', '--corpus', resolve('test/fixtures/sample-corpus.jsonl'), '--index', 'tiny'];
  argv.push(
    '--store',
    join(dir, 'store'),
    '--encoder',
    `onnx:${join(dir, 'model')}`,
    '--shards',
    '2',
    '--json',
  );
  const stderr = new Writable({
    write: (chunk, _e, done) => {
      indexLog += chunk;
      done();
    },
  });
  expect(await csplade(argv, { stdout: sink, stderr, env: process.env, cwd: dir }), indexLog).toBe(0);
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('answers text queries with the ONNX encoder exactly as the engine over the same version', async () => {
  const store = new LocalFolderObjectStore(join(dir, 'store'));
  const manifest = await loadManifest(store, 'tiny');
  expect(manifest.encoder.name).toBe('onnx');
  const app = createApp(nodeDeps({ CSPLADE_STORE: join(dir, 'store') }));
  for (const query of ['photosynthesis in green plants', 'the roman empire', 'wind turbines']) {
    const res = await app.request(`/v1/indexes/tiny/search?q=${encodeURIComponent(query)}&k=10&explain=1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      hits: { id: string; score: number; explain: { token: string }[] }[];
    };
    const vector = await encodeQueryText(store, manifest, query);
    const expected = (await searchManifest(store, manifest, vector, { k: 10, algorithm: 'exhaustive' })).map(
      (h) => ({
        id: h.id,
        score: h.score,
      }),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(body.hits.map((h) => ({ id: h.id, score: h.score }))).toEqual(expected);
    expect(body.hits[0].explain.length).toBeGreaterThan(0);
  }
});

it('says which ONNX execution provider encodes', () => {
  expect(indexLog).toMatch(
    /encoder: onnx .*model on execution provider (cuda|cpu \(CUDA provider not installed\))/,
  );
});

it("GET /v1/indexes/:index shows the encoder without the server's model directory", async () => {
  const app = createApp(nodeDeps({ CSPLADE_STORE: join(dir, 'store') }));
  const res = await app.request('/v1/indexes/tiny');
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(JSON.parse(text).encoder.name).toBe('onnx');
  expect(text).not.toContain(dir);
  expect(text).not.toContain('modelDir');
});

it('csplade search (its own process) loads the model the manifest names and finds hits', async () => {
  const result = await runCli([
    'search',
    '--store',
    join(dir, 'store'),
    '--index',
    'tiny',
    '-q',
    'photosynthesis in green plants',
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  const body = JSON.parse(result.stdout) as { hits: { id: string; score: number }[] };
  expect(body.hits.length).toBeGreaterThan(0);
  const store = new LocalFolderObjectStore(join(dir, 'store'));
  const manifest = await loadManifest(store, 'tiny');
  const vector = await encodeQueryText(store, manifest, 'photosynthesis in green plants');
  const expected = await searchManifest(store, manifest, vector, { k: 10, algorithm: 'exhaustive' });
  expect(body.hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
}, 60_000);
