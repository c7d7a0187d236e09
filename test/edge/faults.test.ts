/**
 * Faults never give a silent wrong answer: a corrupt or missing shard gives partial results that name
 * it in `shards.failed` (and the hits equal exhaustive scoring over the shards that answered), a shard
 * that hangs is cut off by the deadline and retried once, and when no shard answers the request is a 503.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { manifestKey } from '../../shared/index/layout.ts';
import { encodeManifest } from '../../shared/index/manifest-codec.ts';
import { openShardSync } from '../../shared/shard/index.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { type BuiltIndex, buildTestIndex, expectedHits } from './helpers/test-index.ts';

interface Body {
  hits: { id: string; score: number }[];
  shards: { total: number; ok: number; failed: { shard: string; code: string; message: string }[] };
  error?: { code: string; message: string };
}

let store: MemoryObjectStore;
let built: BuiltIndex;

beforeEach(async () => {
  store = new MemoryObjectStore();
  built = await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 3 });
});

async function search(app: { request: (p: string) => Response | Promise<Response> }, q: string) {
  const res = await app.request(`/v1/indexes/demo/search?q=${encodeURIComponent(q)}&k=10`);
  return { status: res.status, body: (await res.json()) as Body };
}

async function corrupt(key: string, at: (bytes: Uint8Array) => number) {
  const bytes = (await store.get(key))!.bytes;
  bytes[at(bytes)] ^= 0x5a;
  await store.put(key, bytes);
}

/** Exhaustive hits over the documents of the shards that are not `failed`. */
async function expectedWithout(failedShard: number, q: string) {
  const shard = built.manifest.shards[failedShard];
  const query = (await built.encoder.encode([q], 'query'))[0];
  const vectors = built.vectors.map((v, d) =>
    d >= shard.docBase && d < shard.docBase + shard.numDocs
      ? { terms: new Uint32Array(0), impacts: new Uint16Array(0) }
      : v,
  );
  return expectedHits({ ...built, vectors }, query, 10);
}

describe('a corrupt or missing shard', () => {
  it('a flipped bit in postings: partial results naming the shard, hits exact over the rest', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    const entry = built.manifest.shards[1];
    // A byte in the middle of the posting list of one of the query's terms that this shard holds.
    const query = (await built.encoder.encode(['the brown fox dog'], 'query'))[0];
    await corrupt(entry.key, (bytes) => {
      const reader = openShardSync(entry.key, bytes);
      const blob = Array.from(query.terms, (t) => reader.termInfo(t)).find((info) => info !== undefined)!;
      return blob.offset + (blob.length >>> 1);
    });
    const { status, body } = await search(app, 'the brown fox dog');
    expect(status).toBe(200);
    expect(body.shards).toMatchObject({ total: 3, ok: 2 });
    expect(body.shards.failed).toEqual([
      { shard: entry.key, code: 'corrupt_shard', message: expect.stringContaining(entry.key) },
    ]);
    const expected = await expectedWithout(1, 'the brown fox dog');
    expect(body.hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  });

  it('a corrupt hot region fails that shard; a repaired shard answers again', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    const entry = built.manifest.shards[0];
    const good = (await store.get(entry.key))!.bytes;
    await corrupt(entry.key, () => entry.hotRegion.offset + 10);
    const broken = await search(app, 'fox');
    expect(broken.body.shards.failed.map((f) => [f.shard, f.code])).toEqual([[entry.key, 'corrupt_shard']]);
    expect(broken.body.shards.failed[0].message).toMatch(/hot region|section table|dictionary|stats/);
    await store.put(entry.key, good);
    const repaired = await search(app, 'fox');
    expect(repaired.body.shards).toEqual({ total: 3, ok: 3, failed: [] });
  });

  it('a missing shard object is named with not_found', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    const entry = built.manifest.shards[2];
    await store.delete(entry.key);
    const { status, body } = await search(app, 'fox');
    expect(status).toBe(200);
    expect(body.shards.failed.map((f) => [f.shard, f.code])).toEqual([[entry.key, 'not_found']]);
    expect(body.hits.map((h) => h.id)).toEqual((await expectedWithout(2, 'fox')).map((h) => h.id));
  });

  it('no shard answering is a 503 naming them', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    for (const s of built.manifest.shards) await store.delete(s.key);
    const { status, body } = await search(app, 'fox');
    expect(status).toBe(503);
    expect(body.error!.code).toBe('no_shard_answered');
    for (const s of built.manifest.shards) expect(body.error!.message).toContain(s.key);
  });

  it('a truncated shard (size differs from the manifest) fails clearly', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    const entry = built.manifest.shards[1];
    const bytes = (await store.get(entry.key))!.bytes;
    await store.put(entry.key, bytes.subarray(0, bytes.length - 100));
    const { body } = await search(app, 'fox');
    expect(body.shards.failed.map((f) => f.shard)).toEqual([entry.key]);
  });
});

describe('encoder assets', () => {
  it('a bm25 index answers without reading its statistics asset (the config carries their hash)', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    for (const key of Object.values(built.manifest.encoder.assets!)) await store.delete(key);
    const res = await app.request('/v1/indexes/demo/search?q=fox&debug=1');
    expect(res.status).toBe(200);
    // CURRENT, manifest, 3 hot regions, postings: no asset read.
    const body = (await res.json()) as { debug: { subrequests: number } };
    expect(body.debug.subrequests).toBeLessThanOrEqual(2 + 3 + 3);
  });

  it('an asset the query side needs but the store lacks is a 503 naming it; the next request tries again', async () => {
    const { statsHash: _, ...config } = built.manifest.encoder.config;
    const manifest = { ...built.manifest, encoder: { ...built.manifest.encoder, config } };
    await store.put(manifestKey('demo', 'v1'), encodeManifest(manifest));
    const assetKey = Object.values(built.manifest.encoder.assets!)[0];
    const asset = (await store.get(assetKey))!.bytes;
    await store.delete(assetKey);
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    const missing = await app.request('/v1/indexes/demo/search?q=fox');
    expect(missing.status).toBe(503);
    const error = ((await missing.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('missing_asset');
    expect(error.message).toContain(assetKey);
    await store.put(assetKey, asset);
    expect((await app.request('/v1/indexes/demo/search?q=fox')).status).toBe(200);
  });
});

describe('slow shards', () => {
  /** A store whose range reads of `key` hang for the first `hangs` calls. */
  function hanging(inner: ObjectStore, key: string, hangs: number): ObjectStore & { calls: number } {
    const wrapper = {
      calls: 0,
      get: inner.get.bind(inner),
      head: inner.head.bind(inner),
      put: inner.put.bind(inner),
      list: inner.list.bind(inner),
      listPrefixes: inner.listPrefixes.bind(inner),
      delete: inner.delete.bind(inner),
      async getRange(k: string, offset: number, length: number) {
        if (k === key && wrapper.calls++ < hangs) await new Promise((r) => setTimeout(r, 5_000));
        return inner.getRange(k, offset, length);
      },
    };
    return wrapper;
  }

  it('one attempt timing out is retried once and the answer is complete', async () => {
    const slow = hanging(store, built.manifest.shards[0].key, 1);
    const app = createApp({
      store: slow,
      encoderFactory: registryEncoderFactory,
      limits: { shardTimeoutMs: 100, hedgeQuantile: 0 },
    });
    const { body } = await search(app, 'fox');
    expect(body.shards).toEqual({ total: 3, ok: 3, failed: [] });
    expect(slow.calls).toBeGreaterThanOrEqual(2);
  });

  it('two timeouts fail the shard with shard_timeout', async () => {
    const slow = hanging(store, built.manifest.shards[0].key, 2);
    const app = createApp({
      store: slow,
      encoderFactory: registryEncoderFactory,
      // Without hedged reads: a hedge would rescue the hung read before the shard's deadline.
      limits: { shardTimeoutMs: 100, hedgeQuantile: 0 },
    });
    const started = Date.now();
    const { body } = await search(app, 'fox');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(body.shards.failed.map((f) => [f.shard, f.code])).toEqual([
      [built.manifest.shards[0].key, 'shard_timeout'],
    ]);
  });

  it('a hung read is sent again after the hedge delay, so the shard answers before its deadline', async () => {
    const slow = hanging(store, built.manifest.shards[0].key, 1);
    const app = createApp({
      store: slow,
      encoderFactory: registryEncoderFactory,
      limits: { shardTimeoutMs: 1_000 },
    });
    const started = Date.now();
    const res = await app.request('/v1/indexes/demo/search?q=fox&debug=1');
    const body = (await res.json()) as { shards: { failed: unknown[] }; debug: { hedged_reads: number } };
    expect(body.shards.failed).toEqual([]);
    expect(body.debug.hedged_reads).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(900); // not the shard deadline's retry
  });
});
