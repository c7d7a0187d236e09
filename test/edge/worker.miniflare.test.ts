/**
 * The Worker in the real Workers runtime: edge/worker.ts bundled by wrangler, loaded into Miniflare
 * (workerd) with a local R2 bucket holding a real index. Its answers must equal the app's over a memory
 * store holding the same objects; a warm query costs no R2 read; a corrupt shard is named.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { type BuiltIndex, buildTestIndex } from './helpers/test-index.ts';

let worker: LocalWorker;
let built: BuiltIndex;
const memory = new MemoryObjectStore();

beforeAll(async () => {
  worker = await startLocalWorker({ scriptPath: await bundleWorker(), vars: { CURRENT_TTL_MS: '60000' } });
  built = await buildTestIndex(worker.bucket, { index: 'demo', version: 'v1', shards: 3 });
  await buildTestIndex(memory, { index: 'demo', version: 'v1', shards: 3 });
}, 120_000);
afterAll(() => worker?.dispose());

async function fetchJson(path: string, init?: RequestInit) {
  const res = await worker.miniflare.dispatchFetch(`http://edge${path}`, init as never);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('the Worker under Miniflare', () => {
  it('answers healthz, the index list and the index description', async () => {
    expect((await fetchJson('/healthz')).body).toEqual({ status: 'ok' });
    expect((await fetchJson('/v1/indexes')).body).toMatchObject({
      indexes: [{ name: 'demo', version: 'v1' }],
    });
    expect((await fetchJson('/v1/indexes/demo')).body).toMatchObject({ documents: built.ids.length });
  });

  it('answers exactly as the app over a memory store, with fields and explain', async () => {
    const app = createApp({ store: memory, encoderFactory: registryEncoderFactory });
    for (const query of ['brown fox', 'sparse retrieval at the edge', 'dog']) {
      const body = { query, k: 5, explain: true, fields: ['title'] };
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      };
      const fromWorker = await fetchJson('/v1/indexes/demo/search', init);
      const fromApp = (await (await app.request('/v1/indexes/demo/search', init)).json()) as Record<
        string,
        unknown
      >;
      expect(fromWorker.status).toBe(200);
      expect((fromWorker.body.hits as unknown[]).length, JSON.stringify(fromWorker.body)).toBeGreaterThan(0);
      expect(fromWorker.body.hits, JSON.stringify(fromApp)).toEqual(fromApp.hits);
    }
  });

  it('reports cost: a cold query reads CURRENT, manifest, hot regions and postings; a repeated one nothing', async () => {
    await buildTestIndex(worker.bucket, { index: 'cost', version: 'v1', shards: 3 });
    const first = await fetchJson('/v1/indexes/cost/search?q=quantized%20impacts&debug=1');
    const again = await fetchJson('/v1/indexes/cost/search?q=quantized%20impacts&debug=1');
    // 2 (CURRENT, manifest) + 3 hot regions + 1..3 postings reads per shard, within 1 + 4 x shards.
    expect(first.body.debug).toMatchObject({ cache_hits: { shared: 0 } });
    const cold = (first.body.debug as { subrequests: number }).subrequests;
    expect(cold).toBeGreaterThanOrEqual(2 + 3 + 1);
    expect(cold).toBeLessThanOrEqual(1 + 4 * 3);
    expect(first.headers.get('x-csplade-cost')).toMatch(/^subrequests=\d+/);
    expect((first.body.debug as { subrequests: number }).subrequests).toBeGreaterThan(0);
    expect(again.body.debug).toMatchObject({ subrequests: 0, bytes: 0 });
    expect(again.body.hits).toEqual(first.body.hits);
  });

  it('names a corrupt shard of a new version and answers from the others', async () => {
    const v2 = await buildTestIndex(worker.bucket, { index: 'broken', version: 'v2', shards: 2 });
    const entry = v2.manifest.shards[0];
    const bytes = (await worker.bucket.get(entry.key))!.bytes;
    bytes[entry.hotRegion.offset + 12] ^= 0xff;
    await worker.bucket.put(entry.key, bytes);
    const res = await fetchJson('/v1/indexes/broken/search?q=fox');
    expect(res.status).toBe(200);
    expect(res.body.shards).toMatchObject({
      total: 2,
      ok: 1,
      failed: [{ shard: entry.key, code: 'corrupt_shard' }],
    });
  });
});

describe('the Cache API across isolates', () => {
  it('a fresh isolate finds CURRENT (within its TTL), the manifest, hot regions and postings in the Cache API: it reads nothing from R2', async () => {
    const persistTo = await mkdtemp(join(tmpdir(), 'csplade-cache-api-'));
    try {
      const scriptPath = await bundleWorker(join(persistTo, 'worker'));
      const first = await startLocalWorker({ scriptPath, persistTo });
      const v = await buildTestIndex(first.bucket, { index: 'cached', version: 'v1', shards: 3 });
      const query = async (w: LocalWorker) => {
        const res = await w.miniflare.dispatchFetch(
          'http://edge/v1/indexes/cached/search?q=brown%20fox&debug=1',
        );
        return (await res.json()) as {
          hits: unknown[];
          debug: { subrequests: number; cache_hits: { shared: number; memory: number } };
        };
      };
      const cold = await query(first);
      // Cache API puts run after the response (waitUntil): let them land before the isolate goes.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await first.dispose();
      const second = await startLocalWorker({ scriptPath, persistTo });
      const fresh = await query(second);
      await second.dispose();
      expect(cold.debug.cache_hits.shared).toBe(0);
      expect(fresh.debug.cache_hits.shared).toBeGreaterThanOrEqual(v.manifest.shards.length);
      // Immutable objects and ranges come from the Cache API for good, CURRENT for its TTL (5 s here).
      expect(fresh.debug.subrequests, JSON.stringify({ cold: cold.debug, fresh: fresh.debug })).toBe(0);
      expect(fresh.hits).toEqual(cold.hits);
    } finally {
      await rm(persistTo, { recursive: true, force: true });
    }
  });
});
