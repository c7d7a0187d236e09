/**
 * Approximate mode through the API (`app.request()` over real indexes in the memory store): the mode is
 * chosen per request or by the index, stated in every response; scores of returned documents are exact
 * and explained like exact ones; a cold query reads CURRENT, the manifest, the routing object and a few
 * forward records, a warm one nothing; unreadable approximate files fall back to exact (and say so);
 * caches are keyed by version, so a new version never answers from an old version's bytes; and on a
 * topical corpus recall of the exact top-10 stays above a floor that broken routing would miss.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp, type EdgeDeps } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { COMMON, SUBJECTS } from './helpers/subjects.ts';
import {
  type BuiltIndex,
  buildTestIndex,
  expectedHits,
  SAMPLE_DOCS,
  type TestDocument,
} from './helpers/test-index.ts';

interface Body {
  mode: string;
  version: string;
  hits: {
    id: string;
    score: number;
    fields?: Record<string, unknown>;
    explain?: { contribution: number }[];
  }[];
  shards: { total: number; ok: number; failed: { shard: string; code: string }[] };
  approximation?: { level: string; heap_factor: number; units_scored: number };
  debug?: { subrequests: number; bytes: number };
  error?: { code: string; field?: string; message: string };
}

let store: MemoryObjectStore;
const app = (overrides: Partial<EdgeDeps> = {}) =>
  createApp({ store, encoderFactory: registryEncoderFactory, ...overrides });
const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const search = async (a: ReturnType<typeof app>, index: string, body: Record<string, unknown>) => {
  const res = await a.request(`/v1/indexes/${index}/search`, post(body));
  return { status: res.status, body: (await res.json()) as Body };
};

/** A few hundred documents about a handful of subjects, so clusters and routing have something to do. */
function topicalDocs(n: number): TestDocument[] {
  const subjects = SUBJECTS;
  const common = COMMON;
  let seed = 11;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  return Array.from({ length: n }, (_, i) => {
    const words = subjects[i % subjects.length];
    const other = subjects[(i * 7 + 3) % subjects.length];
    const text = Array.from({ length: 24 }, () => {
      const r = rand();
      return r < 0.55
        ? words[Math.floor(rand() * words.length)]
        : r < 0.7
          ? other[Math.floor(rand() * other.length)]
          : common[Math.floor(rand() * common.length)];
    }).join(' ');
    return { id: `t${i}`, text, title: `doc ${i}` };
  });
}

beforeEach(() => {
  store = new MemoryObjectStore();
});

describe('approximate mode', () => {
  it('answers in the mode asked, states it, and returns exact, explained scores', async () => {
    const built = await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 3 });
    const a = app();
    const exact = await search(a, 'demo', { query: 'brown fox dog', k: 5 });
    expect(exact.body.mode).toBe('exact'); // the index's default
    const approx = await search(a, 'demo', {
      query: 'brown fox dog',
      k: 5,
      mode: 'approximate',
      explain: true,
      fields: ['title'],
    });
    expect(approx.status).toBe(200);
    expect(approx.body.mode).toBe('approximate');
    expect(approx.body.approximation).toMatchObject({ level: 'clusters', heap_factor: 0.7 });
    // A ten-document index fits one cluster per shard: approximate finds the exact answer here.
    const query = (await built.encoder.encode(['brown fox dog'], 'query'))[0];
    const expected = expectedHits(built, query, 5);
    expect(approx.body.hits.map((h) => h.id)).toEqual(expected.map((h) => h.id));
    approx.body.hits.forEach((h, i) => {
      expect(h.score).toBeCloseTo(expected[i].score, 9);
      const sum = h.explain!.reduce((n, t) => n + t.contribution, 0);
      expect(sum).toBeCloseTo(h.score, 9);
    });
    expect(approx.body.hits[0].fields).toEqual(exact.body.hits[0].fields ?? expect.anything());
    expect(approx.body.hits.find((h) => h.id === 'd0')?.fields).toEqual({ title: 'Fox' });
  });

  it("follows the index's default mode, and GET takes mode, heap_factor and budget", async () => {
    await buildTestIndex(store, {
      index: 'auto',
      version: 'v1',
      approximate: { defaultMode: 'approximate' },
    });
    const a = app();
    expect((await search(a, 'auto', { query: 'fox' })).body.mode).toBe('approximate');
    expect((await search(a, 'auto', { query: 'fox', mode: 'exact' })).body.mode).toBe('exact');
    const res = await a.request(
      '/v1/indexes/auto/search?q=fox&mode=approximate&heap_factor=0.5&budget=3&explain=1',
    );
    const body = (await res.json()) as Body;
    expect(res.status).toBe(200);
    expect(body.approximation).toMatchObject({ heap_factor: 0.5 });
    expect(body.approximation!.units_scored).toBeLessThanOrEqual(3);
  });

  it('refuses approximate mode on an index built without it, and bad knobs, naming the field', async () => {
    await buildTestIndex(store, { index: 'plain', version: 'v1', approximate: false });
    const a = app();
    const none = await search(a, 'plain', { query: 'fox', mode: 'approximate' });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ field: 'mode' });
    expect(none.body.error!.message).toMatch(/without approximate-search files/);
    for (const [body, field] of [
      [{ query: 'fox', mode: 'fast' }, 'mode'],
      [{ query: 'fox', mode: 'approximate', heap_factor: 0 }, 'heap_factor'],
      [{ query: 'fox', mode: 'approximate', heap_factor: 1.5 }, 'heap_factor'],
      [{ query: 'fox', mode: 'approximate', budget: 0.5 }, 'budget'],
      [{ query: 'fox', mode: 'exact', budget: 3 }, 'budget'],
    ] as const) {
      const res = await search(a, 'plain', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', field });
    }
  });
});

describe('approximate mode: reads, warm-up and caches', () => {
  it('a cold query reads CURRENT, the manifest, the routing object and forward records; a warm one nothing', async () => {
    await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 3 });
    const a = app();
    const cold = await search(a, 'demo', { query: 'brown fox', mode: 'approximate', debug: true });
    // CURRENT + manifest + routing + at most one planned read per shard of forward records.
    expect(cold.body.debug!.subrequests).toBeGreaterThanOrEqual(4);
    expect(cold.body.debug!.subrequests).toBeLessThanOrEqual(3 + 3);
    const warm = await search(a, 'demo', { query: 'brown fox', mode: 'approximate', debug: true });
    expect(warm.body.debug).toMatchObject({ subrequests: 0, bytes: 0 });
    expect(warm.body.hits).toEqual(cold.body.hits);
  });

  it('warm-up loads a version into the isolate: the next approximate query reads only forward records', async () => {
    await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 3 });
    const a = app();
    const warmed = await a.request('/v1/indexes/demo/warm', { method: 'POST' });
    expect(warmed.status).toBe(200);
    const report = (await warmed.json()) as { version: string; subrequests: number };
    expect(report.version).toBe('v1');
    // CURRENT, the manifest, three hot regions, the routing object.
    expect(report.subrequests).toBeGreaterThanOrEqual(6);
    const after = await search(a, 'demo', { query: 'brown fox', mode: 'approximate', debug: true });
    expect(after.body.debug!.subrequests).toBeGreaterThan(0);
    expect(after.body.debug!.subrequests).toBeLessThanOrEqual(3); // records only: one planned read per shard
    const exactAfter = await search(a, 'demo', { query: 'brown fox', mode: 'exact', debug: true });
    // Exact needs postings only: hot regions were warmed.
    expect(exactAfter.body.debug!.subrequests).toBeLessThanOrEqual(3);
  });

  it('answers exactly, naming the damage, when an approximate file is unreadable', async () => {
    const built = await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 2 });
    const entry = built.manifest.shards[0].approximate!;
    const bytes = (await store.get(entry.key))!.bytes.slice();
    for (let i = 0; i < entry.head.offset; i++) bytes[i] ^= 0x5a; // every forward record
    await store.put(entry.key, bytes);
    const res = await search(app(), 'demo', { query: 'brown fox', mode: 'approximate' });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('exact');
    expect(res.body.shards.failed[0]).toMatchObject({ code: 'corrupt_shard' });
    expect(res.body.hits.length).toBeGreaterThan(0);
  });

  it('keys caches by version: a new version is never answered from the old one’s bytes', async () => {
    await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 2 });
    const a = app({ limits: { currentTtlMs: 0 } });
    const first = await search(a, 'demo', { query: 'brown fox', mode: 'approximate' });
    expect(first.body.hits.map((h) => h.id)).toContain('d0');
    // v2: the same shard count and key names inside its own folder, other documents.
    const docs = SAMPLE_DOCS.map((d, i) => ({
      ...d,
      id: `v2-${i}`,
      text: i === 4 ? 'brown fox brown fox' : 'nothing here',
    }));
    const v2 = await buildTestIndex(store, { index: 'demo', version: 'v2', shards: 2, docs });
    const second = await search(a, 'demo', { query: 'brown fox', mode: 'approximate' });
    expect(second.body.version).toBe('v2');
    const query = (await v2.encoder.encode(['brown fox'], 'query'))[0];
    expect(second.body.hits.map((h) => h.id)).toEqual(expectedHits(v2, query, 10).map((h) => h.id));
    expect(second.body.hits.map((h) => h.id)).toEqual(['v2-4']);
  });
});

describe('approximate mode: recall', () => {
  it('finds nearly all of the exact top-10 on a topical corpus spread over shards', async () => {
    const docs = topicalDocs(1500);
    const built: BuiltIndex = await buildTestIndex(store, {
      index: 'topics',
      version: 'v1',
      shards: 3,
      docs,
      approximate: { settings: { clusterSize: 64, blockSize: 32 } },
    });
    const a = app();
    let recall = 0;
    const queries = [
      'whale krill coral',
      'lava crater ash',
      'violin sonata',
      'parser linker bytecode',
      'barley soil',
      'quasar orbit nebula',
    ];
    for (const q of queries) {
      const approx = await search(a, 'topics', { query: q, k: 10, mode: 'approximate' });
      const exact = new Set(
        expectedHits(built, (await built.encoder.encode([q], 'query'))[0], 10).map((h) => h.id),
      );
      recall += approx.body.hits.filter((h) => exact.has(h.id)).length / exact.size;
    }
    expect(recall / queries.length).toBeGreaterThanOrEqual(0.9);
  });
});
