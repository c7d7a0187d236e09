/**
 * Observability: X-Request-Id in and out, one structured log line per request (id, route, index,
 * version, mode, k, filter fields, status, latency, store reads, bytes, cache hits per tier),
 * Server-Timing with the five phases, and on the Node entry GET /metrics in Prometheus text format that
 * counts the requests made — behind the API key when one is set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { sha256Hex } from '../../edge/http/api-keys.ts';
import { type NodeServer, nodeDeps, startNodeServer } from '../../edge/node.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { FILTER_SCHEMA, filterCorpus } from './helpers/filtered-cases.ts';
import { parsePrometheusText, sampleValue } from './helpers/prometheus-text.ts';
import { buildTestIndex } from './helpers/test-index.ts';

const store = new MemoryObjectStore();
const lines: Record<string, unknown>[] = [];
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  await buildTestIndex(store, {
    index: 'o',
    version: 'v1',
    docs: filterCorpus(300),
    filterable: FILTER_SCHEMA,
  });
  app = createApp({
    store,
    encoderFactory: registryEncoderFactory,
    log: (line) => lines.push(JSON.parse(line)),
  });
});

describe('request ids, log lines and Server-Timing', () => {
  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const given = await app.request('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await app.request('/healthz');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const insane = await app.request('/healthz', { headers: { 'x-request-id': 'a b\u0007c' } });
    expect(insane.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one JSON line per search with what it did and cost', async () => {
    lines.length = 0;
    const filter = encodeURIComponent(JSON.stringify({ lang: 'en', year: { gte: 2000 } }));
    const res = await app.request(`/v1/indexes/o/search?q=whale%20krill&k=7&filter=${filter}`, {
      headers: { 'x-request-id': 'search-1' },
    });
    expect(res.status).toBe(200);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request',
      request_id: 'search-1',
      method: 'GET',
      route: '/v1/indexes/:index/search',
      status: 200,
      index: 'o',
      version: 'v1',
      mode: 'exact',
      k: 7,
      filter: ['lang', 'year'],
      store_reads: expect.any(Number),
      bytes_read: expect.any(Number),
      cache_hits: { memory: expect.any(Number), shared: 0 },
    });
    expect(lines[0].store_reads).toBeGreaterThan(0);
    expect(lines[0].latency_ms).toBeGreaterThanOrEqual(0);
    expect(res.headers.get('server-timing')).toMatch(
      /^encode;dur=[\d.]+, plan;dur=[\d.]+, fetch;dur=[\d.]+, score;dur=[\d.]+, merge;dur=[\d.]+$/,
    );
  });

  it('logs errors with their status and code', async () => {
    lines.length = 0;
    await app.request('/v1/indexes/o/search?q=whale&k=0');
    await app.request('/v1/indexes/nope/search?q=whale');
    expect(lines.map((l) => [l.status, l.error, l.route])).toEqual([
      [400, 'invalid_request', '/v1/indexes/:index/search'],
      [404, 'unknown_index', '/v1/indexes/:index/search'],
    ]);
  });
});

describe('GET /metrics on the Node entry', () => {
  let dir: string;
  let server: NodeServer;
  let locked: NodeServer;
  const key = 'metrics-key';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csplade-metrics-'));
    await buildTestIndex(new LocalFolderObjectStore(dir), {
      index: 'o',
      version: 'v1',
      docs: filterCorpus(200),
    });
    const quiet = { log: () => {} };
    server = await startNodeServer({ ...nodeDeps({ CSPLADE_STORE: dir }), ...quiet }, { port: 0 });
    locked = await startNodeServer(
      { ...nodeDeps({ CSPLADE_STORE: dir, API_KEY_HASHES: await sha256Hex(key) }), ...quiet },
      { port: 0 },
    );
  });
  afterAll(async () => {
    await server?.close();
    await locked?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('parses as Prometheus text and counts the requests made', async () => {
    for (let i = 0; i < 5; i++)
      expect((await fetch(`${server.url}/v1/indexes/o/search?q=whale%20${i}`)).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${server.url}/v1/indexes/o/search?q=`)).status).toBe(400);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheusText(await res.text());
    const count = (status: string) =>
      sampleValue(samples, 'csplade_http_request_duration_seconds_count', {
        route: '/v1/indexes/:index/search',
        method: 'GET',
        status,
      });
    expect(count('200')).toBe(5);
    expect(count('400')).toBe(2);
    expect(sampleValue(samples, 'csplade_store_reads_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'csplade_store_read_bytes_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'csplade_cache_hits_total', { tier: 'memory' })).toBeGreaterThan(0);
    const ratio = sampleValue(samples, 'csplade_cache_hit_ratio')!;
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    expect(sampleValue(samples, 'csplade_index_version_served', { index: 'o', version: 'v1' })).toBe(1);
  });

  it('is behind the API key when one is set', async () => {
    expect((await fetch(`${locked.url}/metrics`)).status).toBe(401);
    const ok = await fetch(`${locked.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
    expect(parsePrometheusText(await ok.text()).length).toBeGreaterThan(10);
  });

  it('is no route of an app without metrics (the Worker)', async () => {
    expect((await app.request('/metrics')).status).toBe(404);
  });
});
