/**
 * The search API through `app.request()` over a real index in the memory store: hits equal exhaustive
 * scoring of the same quantized vectors, explain adds up to the score, stored fields, GET and POST,
 * index listing, version pinning and the CURRENT TTL, and the cost report of cold and warm queries.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp, type EdgeDeps } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { currentKey, manifestKey } from '../../shared/index/layout.ts';
import { encodeCurrentPointer } from '../../shared/index/manifest-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { type BuiltIndex, buildTestIndex, expectedHits, SAMPLE_DOCS } from './helpers/test-index.ts';

interface SearchBody {
  index: string;
  version: string;
  took_ms: number;
  hits: { id: string; score: number; fields?: Record<string, unknown>; explain?: Explain[] }[];
  shards: { total: number; ok: number; failed: { shard: string; code: string; message: string }[] };
  debug?: { subrequests: number; bytes: number };
}
interface Explain {
  token: string;
  term: number;
  query_weight: number;
  doc_weight: number;
  contribution: number;
}

let store: MemoryObjectStore;
let built: BuiltIndex;
let clock: number;

function app(overrides: Partial<EdgeDeps> = {}) {
  return createApp({ store, encoderFactory: registryEncoderFactory, now: () => clock, ...overrides });
}

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

beforeEach(async () => {
  store = new MemoryObjectStore();
  clock = 1_000;
  built = await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 3 });
});

describe('search', () => {
  it('returns the exhaustive top-k, with ids and dequantized scores', async () => {
    const res = await app().request('/v1/indexes/demo/search', post({ query: 'brown fox dog', k: 5 }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as SearchBody;
    const query = (await built.encoder.encode(['brown fox dog'], 'query'))[0];
    const expected = expectedHits(built, query, 5);
    expect(expected.length).toBeGreaterThan(2);
    expect(body.hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
    body.hits.forEach((h, i) => {
      expect(h.score).toBeCloseTo(expected[i].score, 9);
    });
    expect(body).toMatchObject({ index: 'demo', version: 'v1', shards: { total: 3, ok: 3, failed: [] } });
    expect(body.hits[0].fields).toBeUndefined();
  });

  it('GET ?q= answers like POST', async () => {
    const a = app();
    const viaGet = (await (
      await a.request('/v1/indexes/demo/search?q=sparse%20vocabulary&k=3')
    ).json()) as SearchBody;
    const viaPost = (await (
      await a.request('/v1/indexes/demo/search', post({ query: 'sparse vocabulary', k: 3 }))
    ).json()) as SearchBody;
    expect(viaGet.hits.length).toBe(2); // d3 and d4 are the only documents with either word
    expect(viaGet.hits).toEqual(viaPost.hits);
  });

  it('k defaults to 10 and caps the hits', async () => {
    const body = (await (await app().request('/v1/indexes/demo/search?q=the')).json()) as SearchBody;
    const query = (await built.encoder.encode(['the'], 'query'))[0];
    expect(body.hits.map((h) => h.id)).toEqual(expectedHits(built, query, 10).map((h) => h.id));
    const one = (await (await app().request('/v1/indexes/demo/search?q=the&k=1')).json()) as SearchBody;
    expect(one.hits.length).toBe(1);
  });
});

describe('search: vector queries, explain and stored fields', () => {
  it('accepts vector queries by token and by term id, summing duplicates', async () => {
    const tokenizer = built.encoder;
    const fox = 4419; // "fox" in bert-base-uncased
    expect(tokenizer.tokenOf(fox)).toBe('fox');
    const byToken = (await (
      await app().request('/v1/indexes/demo/search', post({ vector: { fox: 1.5, brown: 0.5 } }))
    ).json()) as SearchBody;
    const byId = (await (
      await app().request('/v1/indexes/demo/search', post({ vector: { [fox]: 1.5, brown: 0.5 } }))
    ).json()) as SearchBody;
    expect(byToken.hits.length).toBeGreaterThan(0);
    expect(byId.hits).toEqual(byToken.hits);
    // "1996" is a vocabulary token (a year), absent from the documents; "#4419" is term id 4419, "fox".
    const token1996 = (await (
      await app().request('/v1/indexes/demo/search', post({ vector: { '1996': 1 } }))
    ).json()) as SearchBody;
    const explicitId = (await (
      await app().request('/v1/indexes/demo/search', post({ vector: { '#4419': 1 } }))
    ).json()) as SearchBody;
    expect(token1996.hits).toEqual([]);
    expect(explicitId.hits.map((h) => h.id)).toEqual(['d0', 'd7']); // d2's "foxes" is another token
    expect(byToken.hits[0].id).toBe('d7'); // "brown" twice and "fox"
  });

  it('explain lists matching tokens whose contributions add up to the score', async () => {
    const body = (await (
      await app().request('/v1/indexes/demo/search', post({ query: 'lazy dog fox', explain: true }))
    ).json()) as SearchBody;
    expect(body.hits.length).toBeGreaterThan(0);
    for (const hit of body.hits) {
      const explain = hit.explain!;
      expect(explain.length).toBeGreaterThan(0);
      for (const t of explain) {
        expect(['lazy', 'dog', 'fox']).toContain(t.token);
        expect(t.query_weight).toBeGreaterThan(0);
        expect(t.doc_weight).toBeGreaterThan(0);
      }
      const sum = explain.reduce((s, t) => s + t.contribution, 0);
      expect(sum).toBeCloseTo(hit.score, 9);
    }
    const d0 = body.hits.find((h) => h.id === 'd0')!;
    expect(d0.explain!.map((t) => t.token).sort()).toEqual(['dog', 'fox', 'lazy']);
  });

  it('returns the stored fields asked for', async () => {
    const body = (await (
      await app().request('/v1/indexes/demo/search', post({ query: 'fox', fields: ['title', 'url'] }))
    ).json()) as SearchBody;
    const d0 = body.hits.find((h) => h.id === 'd0')!;
    expect(d0.fields).toEqual({ title: 'Fox', url: 'https://example.com/fox' });
    const d2 = (await (
      await app().request('/v1/indexes/demo/search?q=mammals&fields=metadata')
    ).json()) as SearchBody;
    expect(d2.hits[0]).toMatchObject({ id: 'd2', fields: { metadata: { year: 2020 } } });
  });

  it('a query with no known term answers no hits', async () => {
    const body = (await (await app().request('/v1/indexes/demo/search?q=zzzqqq')).json()) as SearchBody;
    expect(body.hits).toEqual([]);
  });
});

describe('cost report', () => {
  it('a cold query reads CURRENT, manifest, one hot region per shard and its postings; a warm one reads nothing', async () => {
    const a = app();
    const cold = await a.request('/v1/indexes/demo/search', post({ query: 'brown fox', debug: true }));
    const coldBody = (await cold.json()) as SearchBody;
    const shards = built.manifest.shards.length;
    expect(coldBody.debug!.subrequests).toBeGreaterThanOrEqual(2 + shards);
    expect(coldBody.debug!.subrequests).toBeLessThanOrEqual(1 + 4 * shards);
    expect(cold.headers.get('x-csplade-cost')).toMatch(
      /^subrequests=\d+; bytes=\d+; cache_hits=0; memory_hits=\d+$/,
    );
    const warm = await a.request('/v1/indexes/demo/search', post({ query: 'brown fox', debug: true }));
    const warmBody = (await warm.json()) as SearchBody;
    expect(warmBody.debug).toMatchObject({ subrequests: 0, bytes: 0 });
    expect(warmBody.hits).toEqual(coldBody.hits);
  });

  it('reads CURRENT again only after its TTL', async () => {
    const a = app({ limits: { currentTtlMs: 1000 } });
    await a.request('/v1/indexes/demo/search?q=fox');
    await buildTestIndex(store, { index: 'demo', version: 'v2', docs: SAMPLE_DOCS.slice(0, 4), shards: 1 });
    clock += 999;
    const before = (await (await a.request('/v1/indexes/demo/search?q=fox')).json()) as SearchBody;
    expect(before.version).toBe('v1');
    clock += 1;
    const after = (await (await a.request('/v1/indexes/demo/search?q=fox')).json()) as SearchBody;
    expect(after.version).toBe('v2');
    expect(after.shards.total).toBe(1);
  });

  it('pins a version when asked', async () => {
    await buildTestIndex(store, { index: 'demo', version: 'v2', docs: SAMPLE_DOCS.slice(0, 4), shards: 1 });
    const pinned = (await (
      await app().request('/v1/indexes/demo/search', post({ query: 'fox', version: 'v1' }))
    ).json()) as SearchBody;
    expect(pinned.version).toBe('v1');
    expect(pinned.shards.total).toBe(3);
  });
});

describe('index routes', () => {
  it('lists indexes with their CURRENT version', async () => {
    await buildTestIndex(store, { index: 'other', version: 'v7', shards: 1 });
    // A folder with only an unpublished run (no CURRENT) is no index yet.
    await store.put('indexes/draft/runs/r1/part-0000.msgpack', new Uint8Array(1));
    const body = (await (await app().request('/v1/indexes')).json()) as {
      indexes: { name: string; version: string }[];
    };
    expect(body.indexes.map((i) => [i.name, i.version])).toEqual([
      ['demo', 'v1'],
      ['other', 'v7'],
    ]);
  });

  it('lists again only after the CURRENT TTL', async () => {
    const a = app({ limits: { currentTtlMs: 1000 } });
    const names = async () =>
      ((await (await a.request('/v1/indexes')).json()) as { indexes: { name: string }[] }).indexes.map(
        (i) => i.name,
      );
    expect(await names()).toEqual(['demo']);
    await buildTestIndex(store, { index: 'later', version: 'v1', shards: 1 });
    expect(await names()).toEqual(['demo']);
    clock += 1000;
    expect(await names()).toEqual(['demo', 'later']);
  });

  it('describes one index', async () => {
    const body = (await (await app().request('/v1/indexes/demo')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      name: 'demo',
      version: 'v1',
      documents: SAMPLE_DOCS.length,
      encoder: { name: 'bm25' },
    });
    expect((body.shards as unknown[]).length).toBe(3);
  });

  it('healthz and openapi.json answer', async () => {
    expect(await (await app().request('/healthz')).json()).toEqual({ status: 'ok' });
    const doc = (await (await app().request('http://localhost/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/indexes/{index}/search',
        '/v1/indexes',
        '/v1/indexes/{index}',
        '/healthz',
      ]),
    );
  });

  it('a CURRENT pointing at a missing manifest is the service’s 503 index_unavailable, not the caller’s 404', async () => {
    await store.put(
      currentKey('ghost'),
      encodeCurrentPointer({ version: 'v9', manifestKey: manifestKey('ghost', 'v9'), updatedAt: '' }),
    );
    const res = await app().request('/v1/indexes/ghost/search?q=x');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('index_unavailable');
  });
});
