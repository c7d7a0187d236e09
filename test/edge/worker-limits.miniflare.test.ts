/**
 * The Worker entry in the real Workers runtime (wrangler's bundle in workerd, over HTTP on 127.0.0.1)
 * holds the same lines as the Node entry (issue 14): a 100 MB chunked POST is a 413 while workerd's
 * RSS stays flat, a stalled body a 408, out-of-range weights a 400 naming the term, a garbage CURRENT a
 * 503 `index_unavailable`, /readyz reads the store, and /openapi.json names the configured PUBLIC_URL
 * whatever Host is sent. The limits come from the vars, as in wrangler.jsonc.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { currentKey } from '../../shared/index/layout.ts';
import { childPids, rssBytes } from './helpers/edge-process.ts';
import { sendRaw } from './helpers/raw-http.ts';
import { buildTestIndex } from './helpers/test-index.ts';

let worker: LocalWorker;
let workerd: number;
const utf8 = new TextEncoder();

beforeAll(async () => {
  const before = new Set(childPids('workerd'));
  worker = await startLocalWorker({
    scriptPath: await bundleWorker(),
    vars: { BODY_TIMEOUT_MS: '500', PUBLIC_URL: 'https://search.example.com', CURRENT_TTL_MS: '1' },
  });
  workerd = childPids('workerd').find((pid) => !before.has(pid))!;
  await buildTestIndex(worker.bucket, { index: 'demo', version: 'v1', shards: 2 });
}, 120_000);
afterAll(() => worker?.dispose());

const base = () => worker.url.toString();
const search = {
  method: 'POST',
  path: '/v1/indexes/demo/search',
  headers: { 'content-type': 'application/json' },
};

describe('the Worker entry in workerd', () => {
  it('finds the workerd process it measures', () => {
    expect(workerd).toBeGreaterThan(0);
    expect(rssBytes(workerd)).toBeGreaterThan(0);
  });

  it('a 100 MB chunked POST is 413 early, and workerd’s RSS stays flat', async () => {
    expect((await sendRaw(base(), { ...search, body: utf8.encode('{"query": "fox"}') })).status).toBe(200);
    const before = rssBytes(workerd)!;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(workerd) ?? 0);
    }, 20);
    const res = await sendRaw(base(), {
      ...search,
      body: { prefix: utf8.encode('{"query": "fox", "pad": "'), chunks: 1600, chunkBytes: 64 * 1024 },
    });
    clearInterval(sampler);
    expect(res.status, res.error).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'body_too_large', field: 'body' } });
    expect(peak - before, `RSS ${before} → peak ${peak}`).toBeLessThan(48 * 1024 * 1024);
    expect((await sendRaw(base(), { ...search, body: utf8.encode('{"query": "dog"}') })).status).toBe(200);
  });

  it('a stalled body is 408 after BODY_TIMEOUT_MS', async () => {
    const res = await sendRaw(base(), {
      ...search,
      body: { prefix: utf8.encode('{"query": "fox"'), chunks: 20, chunkBytes: 1, delayMs: 200 },
    });
    expect(res.status, res.error).toBe(408);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'body_timeout' } });
  });

  it.each(['1e308', '3.5e38', '5e-324', '1e-46'])('weight %s → 400 naming the term', async (weight) => {
    const res = await sendRaw(base(), { ...search, body: utf8.encode(`{"vector": {"fox": ${weight}}}`) });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'invalid_request', field: 'vector.fox' } });
  });

  it('/openapi.json names PUBLIC_URL whatever Host is sent; /readyz is ready', async () => {
    const doc = await sendRaw(base(), { path: '/openapi.json', headers: { host: 'evil.example' } });
    expect(doc.status).toBe(200);
    expect(JSON.parse(doc.body).servers).toEqual([{ url: 'https://search.example.com' }]);
    const ready = await sendRaw(base(), { path: '/readyz' });
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', indexes: 1 });
  });

  it('a garbage CURRENT is 503 index_unavailable with Retry-After, and readiness says not ready', async () => {
    await buildTestIndex(worker.bucket, { index: 'broken', version: 'v1', shards: 1 });
    await worker.bucket.put(currentKey('broken'), utf8.encode('{"version": "../x", "manifestKey": "y"}'));
    const res = await sendRaw(base(), { path: '/v1/indexes/broken/search?q=fox' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'index_unavailable' } });
    await worker.bucket.put(currentKey('broken'), utf8.encode('garbage'));
    const ready = await sendRaw(base(), { path: '/readyz' });
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).error.message).toContain('indexes/broken/CURRENT');
  });
});
