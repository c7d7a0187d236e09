/**
 * Filters through the API (`app.request()` over a real index in the memory store): 520 random filters
 * with random queries, from none or a handful of documents (< 0.1%) to nearly all (> 90%), answered
 * exactly equal to brute force over the filtered corpus in exact mode, and in approximate mode with only
 * passing documents, exact scores, never fewer hits than exist, and a recall that is reported. Bad
 * filters are 400s naming the place; an index without filterable fields says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import {
  checkFiltered,
  FILTER_SCHEMA,
  filterCorpus,
  filteredCases,
  type Search,
} from './helpers/filtered-cases.ts';
import { type BuiltIndex, buildTestIndex } from './helpers/test-index.ts';

const docs = filterCorpus(6000);
// Random cases, and narrow score windows: a few dozen documents spread over many clusters.
const cases = [
  ...filteredCases(500),
  ...Array.from({ length: 20 }, (_, i) => ({
    query: ['whale krill', 'violin sonata', 'lava ash', 'wheat soil'][i % 4],
    filter: { score: { gte: 1 + i / 4, lt: 1.05 + i / 4 } },
    k: 10,
  })),
];
let built: BuiltIndex;
let search: Search;
const store = new MemoryObjectStore();
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  built = await buildTestIndex(store, {
    index: 'f',
    version: 'v1',
    docs,
    shards: 3,
    filterable: FILTER_SCHEMA,
    approximate: { settings: { clusterSize: 64, routingEntries: 400, termsPerCluster: 4 } },
  });
  await buildTestIndex(store, { index: 'plain', version: 'v1', shards: 2 });
  app = createApp({ store, encoderFactory: registryEncoderFactory });
  search = async (body) => {
    const res = await app.request('/v1/indexes/f/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as never };
  };
}, 60_000);

describe('filtered search', () => {
  it('exact: equals brute force over the filtered corpus for 520 random filters', async () => {
    const report = await checkFiltered(search, built, docs, cases, 'exact');
    console.log(`filtered exact (Node): ${JSON.stringify(report)}`);
    expect(report.bySelectivity.under_0_1_percent).toBeGreaterThan(5);
    expect(report.bySelectivity.over_90_percent).toBeGreaterThan(5);
    expect(report.bySelectivity.none).toBeGreaterThan(0);
  }, 120_000);

  it('approximate: passing documents only, exact scores, k hits when k exist; recall reported', async () => {
    const report = await checkFiltered(search, built, docs, cases, 'approximate');
    const unfiltered = cases.map(({ filter: _, ...c }) => c);
    const baseline = await checkFiltered(search, built, docs, unfiltered, 'approximate');
    console.log(
      `filtered approximate (Node): ${JSON.stringify(report)}; the same queries unfiltered: recall ${baseline.approximateRecall}`,
    );
    // Summaries pruned to a few terms per cluster make approximate answers miss hits, filtered or not:
    // filtered recall stays near the unfiltered one (scans and exact answers are whole), and every
    // strategy appears on this corpus.
    expect(report.approximateRecall).toBeGreaterThan(baseline.approximateRecall! - 0.1);
    expect(baseline.approximateRecall).toBeLessThan(1);
    expect(Object.keys(report.strategies ?? {})).toEqual(
      expect.arrayContaining(['scan', 'exact', 'approximate']),
    );
  }, 120_000);

  it('bad filters are 400s naming the place in the filter', async () => {
    for (const [filter, field, message] of [
      [{ author: 'x' }, 'filter.author', /unknown field "author"/],
      [{ year: 'recent' }, 'filter.year', /finite number/],
      [{ and: [{ lang: 'en' }, { published: { gt: 'soon' } }] }, 'filter.and[1].published.gt', /ISO 8601/],
      [{ lang: { gte: 'a' } }, 'filter.lang.gte', /range operators/],
      [['en'], 'filter', /must be an object/],
    ] as const) {
      const { status, body } = await search({ query: 'whale', filter });
      expect(status).toBe(400);
      expect((body as { error: { field: string; message: string } }).error).toMatchObject({ field });
      expect((body as { error: { message: string } }).error.message).toMatch(message);
    }
    const res = await app.request('/v1/indexes/plain/search?q=fox&filter=%7B%22lang%22%3A%22en%22%7D');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { field: 'filter.lang', message: expect.stringMatching(/no filterable fields/) },
    });
    const bad = await app.request('/v1/indexes/f/search?q=whale&filter=%7Blang');
    expect(await bad.json()).toMatchObject({
      error: { field: 'filter', message: expect.stringMatching(/must be JSON/) },
    });
  });

  it('POST /warm loads the doc-values heads too', async () => {
    const fresh = createApp({ store, encoderFactory: registryEncoderFactory });
    const before = await fresh.request('/v1/indexes/f/search?q=whale&debug=1');
    const cached = (res: Response) =>
      res
        .json()
        .then(
          (b) => (b as { debug: { cached_bytes: { doc_values: number } } }).debug.cached_bytes.doc_values,
        );
    expect(await cached(before)).toBe(0);
    expect((await fresh.request('/v1/indexes/f/warm', { method: 'POST' })).status).toBe(200);
    expect(await cached(await fresh.request('/v1/indexes/f/search?q=whale&debug=1'))).toBeGreaterThan(0);
  });

  it('a GET filter answers as the POST one; the index lists its filterable fields', async () => {
    const filter = { lang: 'de', year: { gte: 2000 } };
    const viaGet = await app.request(
      `/v1/indexes/f/search?q=whale%20krill&k=5&filter=${encodeURIComponent(JSON.stringify(filter))}`,
    );
    const viaPost = await search({ query: 'whale krill', k: 5, filter });
    expect(((await viaGet.json()) as { hits: unknown }).hits).toEqual(viaPost.body.hits);
    const info = (await (await app.request('/v1/indexes/f')).json()) as Record<string, unknown>;
    expect(info.filterable).toEqual(FILTER_SCHEMA);
  });
});
