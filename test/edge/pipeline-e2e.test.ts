/**
 * End to end: the batch pipeline (`csplade index`, bm25, 4 shards) publishes the sample corpus into a
 * local folder store; the edge — the app over that folder and the Worker in workerd over a local R2
 * bucket holding the same objects — answers every query with exactly the hits (ids and scores) of the
 * in-process engine's exhaustive search over the same published version.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQueryText, loadManifest, searchManifest } from '../../batch/publish/local-search.ts';
import { main as csplade } from '../../compose/cli/main.ts';
import { createApp } from '../../edge/app.ts';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';

const QUERIES = [
  'how do plants turn light into energy',
  'cells and their organelles',
  'wind power',
  'the history of the roman empire',
  'energy',
];

let dir: string;
let store: LocalFolderObjectStore;
let manifest: IndexManifest;
let worker: LocalWorker;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-edge-e2e-'));
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const code = await csplade(
    [
      'index',
      '--corpus',
      resolve('test/fixtures/sample-corpus.jsonl'),
      '--index',
      'sample',
      '--store',
      join(dir, 'store'),
    ].concat(['--encoder', 'bm25', '--shards', '4', '--json']),
    { stdout: sink, stderr: process.stderr, env: process.env, cwd: dir },
  );
  expect(code).toBe(0);
  const english = await csplade(
    ['index', '--corpus', resolve('test/fixtures/sample-corpus.jsonl'), '--index', 'english'].concat([
      '--store',
      join(dir, 'store'),
      '--analyzer',
      'english',
      '--shards',
      '2',
      '--json',
    ]),
    { stdout: sink, stderr: sink, env: process.env, cwd: dir },
  );
  expect(english).toBe(0);
  // WordPiece over the Llama 3 vocabulary: a tokenizer the BM25/precomputed Worker leaves out.
  const llama = await csplade(
    ['index', '--corpus', resolve('test/fixtures/sample-corpus.jsonl'), '--index', 'llama'].concat([
      '--store',
      join(dir, 'store'),
      '--tokenizer',
      'llama3',
      '--json',
    ]),
    { stdout: sink, stderr: sink, env: process.env, cwd: dir },
  );
  expect(llama).toBe(0);
  store = new LocalFolderObjectStore(join(dir, 'store'));
  manifest = await loadManifest(store, 'sample');
  worker = await startLocalWorker({ scriptPath: await bundleWorker(join(dir, 'worker')) });
  for (const { key } of await store.list('indexes/')) {
    await worker.bucket.put(key, new Uint8Array((await store.get(key))!.bytes));
  }
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function engineHits(query: string, k: number) {
  const vector = await encodeQueryText(store, manifest, query);
  const hits = await searchManifest(store, manifest, vector, { k, algorithm: 'exhaustive' });
  return hits.map((h) => ({ id: h.id, score: h.score }));
}

describe('pipeline → edge', () => {
  it('publishes a multi-shard index', () => {
    expect(manifest.shards.length).toBe(4);
    expect(manifest.encoder.name).toBe('bm25');
  });

  it('the app over the folder store equals the exhaustive engine, ids and scores', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    for (const query of QUERIES) {
      for (const k of [1, 10, 100]) {
        const res = await app.request(`/v1/indexes/sample/search?q=${encodeURIComponent(query)}&k=${k}`);
        const body = (await res.json()) as { hits: { id: string; score: number }[]; version: string };
        const expected = await engineHits(query, k);
        expect(expected.length).toBeGreaterThan(0);
        expect(body.version).toBe(manifest.version);
        expect(body.hits).toEqual(expected);
      }
    }
  });

  it('the Worker in workerd over local R2 equals the exhaustive engine', async () => {
    for (const query of QUERIES) {
      const res = await worker.miniflare.dispatchFetch(
        `http://edge/v1/indexes/sample/search?q=${encodeURIComponent(query)}&k=20`,
      );
      const body = (await res.json()) as { hits: { id: string; score: number }[]; shards: { ok: number } };
      expect(body.shards.ok).toBe(4);
      expect(body.hits).toEqual(await engineHits(query, 20));
    }
  });
});

interface ExplainedHit {
  id: string;
  score: number;
  explain: { token: string; query_weight: number; doc_weight: number; contribution: number }[];
}

describe('BM25 scores are exact on the query side', () => {
  it('explain multiplies out: query weight (term count) × document weight = contribution, summing to the score', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    // "energy" twice and "light" once: counts 2 and 1, which per-query 8-bit scaling could not keep.
    const res = await app.request('/v1/indexes/sample/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'energy energy light', k: 5, explain: true }),
    });
    const body = (await res.json()) as { hits: ExplainedHit[] };
    expect(body.hits.length).toBeGreaterThan(0);
    let sawTwo = false;
    for (const hit of body.hits) {
      let sum = 0;
      for (const term of hit.explain) {
        expect(Number.isInteger(term.query_weight)).toBe(true);
        if (term.query_weight === 2) sawTwo = true;
        expect(term.contribution).toBeCloseTo(term.query_weight * term.doc_weight, 12);
        expect(Math.abs(term.contribution - term.query_weight * term.doc_weight)).toBeLessThanOrEqual(
          1e-12 * term.contribution,
        );
        sum += term.contribution;
      }
      expect(Math.abs(sum - hit.score)).toBeLessThanOrEqual(1e-12 * hit.score);
    }
    expect(sawTwo).toBe(true);
  });
});

describe('the English analyzer at the edge', () => {
  it('the Worker analyzes queries as the batch job analyzed documents (stems, stop words) and equals the engine', async () => {
    const englishManifest = await loadManifest(store, 'english');
    expect(englishManifest.encoder.config.tokenizer).toEqual({
      analyzer: 'english',
      termsAsset: 'english-terms.txt',
    });
    const query = "The plants' green leaves are converting light";
    const res = await worker.miniflare.dispatchFetch(`http://edge/v1/indexes/english/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, k: 5, explain: true }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hits: ExplainedHit[] };
    expect(body.hits[0].id).toBe('doc-001');
    const tokens = new Set(body.hits.flatMap((h) => h.explain.map((e) => e.token)));
    expect([...tokens]).toEqual(expect.arrayContaining(['plant', 'convert', 'light']));
    for (const stop of ['the', 'are']) expect(tokens.has(stop)).toBe(false);
    const vector = await encodeQueryText(store, englishManifest, query);
    const expected = await searchManifest(store, englishManifest, vector, { k: 5, algorithm: 'exhaustive' });
    expect(body.hits.map((h) => ({ id: h.id, score: h.score }))).toEqual(
      expected.map((h) => ({ id: h.id, score: h.score })),
    );
  });
});

describe('one Worker per encoder family', () => {
  it('the BM25/precomputed Worker answers an index that needs the Llama 3 tokenizer with a 503 naming the Worker to deploy', async () => {
    const res = await worker.miniflare.dispatchFetch('http://edge/v1/indexes/llama/search?q=plants');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('encoder_unavailable');
    expect(body.error.message).toMatch(/Llama 3 tokenizer is not part of this Worker.*wrangler\.onnx\.jsonc/);
    // The same index is fine where the tokenizer is (the Node edge loads every tokenizer).
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    expect((await app.request('/v1/indexes/llama/search?q=plants')).status).toBe(200);
  });
});
