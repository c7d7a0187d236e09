/**
 * The new API features in the Worker (the wrangler bundle in workerd over a local R2 bucket), answered as
 * the Node app answers them over the same objects: stored text and snippets (DEFLATE blocks inflated by
 * workerd's DecompressionStream), pages that concatenate, multi-search equal to single searches,
 * X-Request-Id and Server-Timing, and no /metrics (Workers log instead).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { FILTER_SCHEMA, filterCorpus } from './helpers/filtered-cases.ts';
import { buildTestIndex } from './helpers/test-index.ts';

let worker: LocalWorker;
const logged: string[] = [];
const memory = new MemoryObjectStore();
const docs = filterCorpus(1200, 4);

async function seed(store: ObjectStore) {
  await buildTestIndex(store, {
    index: 'w',
    version: 'v1',
    docs,
    shards: 3,
    storeText: true,
    filterable: FILTER_SCHEMA,
    approximate: { settings: { clusterSize: 64, routingEntries: 300, termsPerCluster: 4 } },
  });
}

beforeAll(async () => {
  worker = await startLocalWorker({
    scriptPath: await bundleWorker(),
    vars: { CURRENT_TTL_MS: '60000' },
    onStdout: (line) => logged.push(line),
  });
  await seed(worker.bucket);
  await seed(memory);
}, 120_000);
afterAll(() => worker?.dispose());

const init = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function fromWorker(path: string, body: unknown, headers?: Record<string, string>) {
  const res = await worker.miniflare.dispatchFetch(`http://edge${path}`, init(body, headers) as never);
  return { res, body: (await res.json()) as Record<string, unknown> };
}

const cut = ({ took_ms: _, ...rest }: Record<string, unknown>) => rest;

describe('API features in workerd', () => {
  it('answers text, snippets, filters and pages as the Node app does', async () => {
    const app = createApp({ store: memory, encoderFactory: registryEncoderFactory });
    for (const body of [
      { query: 'whale coral krill', k: 5, fields: ['text', 'title'], snippet: true, explain: true },
      { query: 'violin sonata', k: 4, from: 4, filter: { lang: 'en' }, mode: 'exact' },
      { query: 'lava crater', k: 5, from: 5, mode: 'approximate', snippet: true },
    ]) {
      const worker = await fromWorker('/v1/indexes/w/search', body);
      const node = (await (await app.request('/v1/indexes/w/search', init(body))).json()) as Record<
        string,
        unknown
      >;
      expect(worker.res.status).toBe(200);
      expect((worker.body.hits as unknown[]).length).toBeGreaterThan(0);
      expect(worker.body.hits, JSON.stringify(body)).toEqual(node.hits);
    }
  });

  it('pages concatenate, and multi-search equals the single searches', async () => {
    const whole = await fromWorker('/v1/indexes/w/search', {
      query: 'galaxy orbit',
      k: 12,
      from: 0,
      mode: 'approximate',
    });
    const searches = [0, 4, 8].map((from) => ({ query: 'galaxy orbit', k: 4, from, mode: 'approximate' }));
    const batch = await fromWorker('/v1/indexes/w/msearch', { searches });
    const responses = batch.body.responses as Record<string, unknown>[];
    expect(responses.flatMap((r) => r.hits as unknown[])).toEqual(whole.body.hits);
    for (const [i, search] of searches.entries()) {
      const single = await fromWorker('/v1/indexes/w/search', search);
      const { status, ...rest } = responses[i];
      expect(status).toBe(200);
      expect(cut(rest).hits).toEqual(cut(single.body).hits);
      expect(cut(rest).version).toEqual(single.body.version);
    }
  });

  it('echoes X-Request-Id, logs one JSON line per request, reports Server-Timing, serves the page and no /metrics', async () => {
    const { res } = await fromWorker(
      '/v1/indexes/w/search',
      { query: 'wheat', filter: { open: true } },
      { 'x-request-id': 'w-1' },
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // stdout reaches us a moment later
    const line = logged
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.request_id === 'w-1');
    expect(line).toEqual([
      expect.objectContaining({
        msg: 'request',
        route: '/v1/indexes/:index/search',
        status: 200,
        index: 'w',
        version: 'v1',
        mode: 'exact',
        k: 10,
        filter: ['open'],
        store_reads: expect.any(Number),
        bytes_read: expect.any(Number),
        cache_hits: expect.objectContaining({ memory: expect.any(Number) }),
      }),
    ]);
    expect(res.headers.get('x-request-id')).toBe('w-1');
    expect(res.headers.get('server-timing')).toMatch(
      /^encode;dur=[\d.]+, plan;dur=[\d.]+, fetch;dur=[\d.]+, score;dur=[\d.]+, merge;dur=[\d.]+$/,
    );
    const page = await worker.miniflare.dispatchFetch('http://edge/');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<form id="search" role="search">');
    expect((await worker.miniflare.dispatchFetch('http://edge/metrics')).status).toBe(404);
  });
});
