/**
 * Multi-search through the API (`app.request()` over real indexes in the memory store): the answers
 * equal the same searches made one by one (exact and approximate, filters, pages, snippets, vectors),
 * across indexes too; a bad or failing search is its own error entry and the others answer; the number
 * of searches is bounded; and searches that need the same bytes share one read of them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { FILTER_SCHEMA, filterCorpus } from './helpers/filtered-cases.ts';
import { buildTestIndex } from './helpers/test-index.ts';

const store = new MemoryObjectStore();
const appOf = () => createApp({ store, encoderFactory: registryEncoderFactory, limits: { maxSearches: 12 } });

beforeAll(async () => {
  await buildTestIndex(store, {
    index: 'm',
    version: 'v1',
    docs: filterCorpus(1500, 3),
    shards: 3,
    filterable: FILTER_SCHEMA,
    storeText: true,
    approximate: { settings: { clusterSize: 64, routingEntries: 300, termsPerCluster: 4 } },
  });
  await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 2 });
}, 60_000);

const post = (app: ReturnType<typeof appOf>, path: string, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A response without what depends on the isolate's caches (time, how many records were read). */
const without = ({ took_ms: _, approximation, ...rest }: Record<string, unknown>) => {
  if (!approximation) return rest;
  const { records_fetched: __, waves: ___, ...cut } = approximation as Record<string, unknown>;
  return { ...rest, approximation: cut };
};

const SEARCHES: Record<string, unknown>[] = [
  { query: 'whale krill', k: 5 },
  { query: 'violin sonata', k: 3, from: 3, mode: 'exact' },
  { query: 'lava ash', k: 4, mode: 'approximate', explain: true },
  { query: 'galaxy orbit', filter: { lang: 'de' }, fields: ['title', 'text'], snippet: true },
  { query: 'wheat soil', filter: { year: { gte: 2010 } }, mode: 'approximate', from: 0, k: 6 },
  { vector: { '#19094': 1.5, whale: 0.5 }, k: 2 },
];

describe('multi-search', () => {
  it('answers as the same searches made one by one', async () => {
    const app = appOf();
    const res = await post(app, '/v1/indexes/m/msearch', { searches: SEARCHES });
    expect(res.status).toBe(200);
    const { responses } = (await res.json()) as { responses: Record<string, unknown>[] };
    expect(responses).toHaveLength(SEARCHES.length);
    for (const [i, search] of SEARCHES.entries()) {
      const single = (await (await post(appOf(), '/v1/indexes/m/search', search)).json()) as Record<
        string,
        unknown
      >;
      expect(responses[i].status).toBe(200);
      expect((single.hits as unknown[]).length, JSON.stringify(search)).toBeGreaterThan(0);
      expect(without({ ...responses[i], status: undefined }), JSON.stringify(search)).toEqual(
        without({ ...single, status: undefined }),
      );
    }
  });

  it('searches other indexes, on /v1/msearch each naming its own', async () => {
    const app = appOf();
    const res = await post(app, '/v1/msearch', {
      searches: [
        { index: 'demo', query: 'brown fox', k: 2 },
        { index: 'm', query: 'whale', k: 2 },
      ],
    });
    const { responses } = (await res.json()) as { responses: { index: string; status: number }[] };
    expect(responses.map((r) => [r.status, r.index])).toEqual([
      [200, 'demo'],
      [200, 'm'],
    ]);
    const mixed = await post(app, '/v1/indexes/m/msearch', {
      searches: [{ index: 'demo', query: 'fox' }, { query: 'whale' }],
    });
    const both = (await mixed.json()) as { responses: { index: string }[] };
    expect(both.responses.map((r) => r.index)).toEqual(['demo', 'm']);
  });

  it('a bad or failing search is its own error; the others answer', async () => {
    const res = await post(appOf(), '/v1/msearch', {
      searches: [
        { index: 'm', query: 'whale', k: 0 },
        { index: 'nope', query: 'whale' },
        { query: 'whale' },
        { index: 'm', query: 'whale', filter: { author: 'x' } },
        'not a search',
        { index: 'm', query: 'whale', k: 1 },
      ],
    });
    expect(res.status).toBe(200);
    const { responses } = (await res.json()) as {
      responses: { status: number; error?: { field?: string }; hits?: unknown[] }[];
    };
    expect(responses.map((r) => [r.status, r.error?.field])).toEqual([
      [400, 'k'],
      [404, 'index'],
      [400, 'index'],
      [400, 'filter.author'],
      [400, 'body'],
      [200, undefined],
    ]);
    expect(responses[5].hits).toHaveLength(1);
  });

  it('bounds the number of searches and checks the body', async () => {
    const app = appOf();
    const many = await post(app, '/v1/indexes/m/msearch', {
      searches: Array.from({ length: 13 }, () => ({ query: 'x' })),
    });
    expect(many.status).toBe(400);
    expect(await many.json()).toMatchObject({
      error: { field: 'searches', message: expect.stringMatching(/limit of 12/) },
    });
    for (const [body, field] of [
      [{}, 'searches'],
      [{ searches: [] }, 'searches'],
      [{ searches: [{ query: 'x' }], extra: 1 }, 'extra'],
      [[], 'body'],
    ] as const) {
      const res = await post(app, '/v1/indexes/m/msearch', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
    }
  });

  it('searches needing the same bytes share one read of them', async () => {
    const single = await post(appOf(), '/v1/indexes/m/search', { query: 'whale krill coral', mode: 'exact' });
    const cost = (res: Response) =>
      Number(/subrequests=(\d+)/.exec(res.headers.get('x-csplade-cost') ?? '')![1]);
    const batch = await post(appOf(), '/v1/indexes/m/msearch', {
      searches: Array.from({ length: 8 }, () => ({ query: 'whale krill coral', mode: 'exact' })),
    });
    expect(cost(single)).toBeGreaterThan(3);
    expect(cost(batch)).toBe(cost(single));
  });
});
