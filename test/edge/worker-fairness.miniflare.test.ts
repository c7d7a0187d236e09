/**
 * The Worker in workerd under a load at its capacity: 64 keep-alive connections, each sending its next
 * search as soon as the previous one is answered (the soak's load, shorter and on a smaller index).
 * Every connection must be served in turn: no request reset, and no connection kept waiting many times
 * longer than the typical one. Without edge/http/fair-turns.ts, workerd serves part of the connections
 * over and over and leaves the others unread for seconds — p99 tens of times the median, and resets
 * once a connection waits past workerd's 5 s keep-alive timeout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { autocannonCountingErrors } from '../bench/autocannon.ts';
import { generateCorpus } from '../bench/synthetic-corpus.ts';
import { type SyntheticIndex, syntheticIndex } from '../bench/synthetic-index.ts';

const CONNECTIONS = 64;
let dir: string;
let worker: LocalWorker;
let index: SyntheticIndex;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-fairness-'));
  const corpus = generateCorpus({ docs: 20_000, vocab: 30_522, queries: 200, seed: 7 });
  index = await syntheticIndex(corpus, { index: 'fair', version: 'v1', shards: 4, k: 10 });
  worker = await startLocalWorker({
    scriptPath: await bundleWorker(join(dir, 'worker')),
    directSocket: true,
    // The shared cache off, as in the soak: Miniflare's Cache API emulator lives in the same workerd.
    vars: { SHARED_CACHE: 'off' },
    cachePersist: false,
  });
  for (const f of index.files) await worker.bucket.put(f.key, new Uint8Array(f.bytes));
}, 180_000);
afterAll(async () => {
  await worker?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const load = (seconds: number) =>
  autocannonCountingErrors({
    url: worker.directUrl!.origin,
    connections: CONNECTIONS,
    duration: seconds,
    requests: index.bodies.map((body) => ({
      method: 'POST',
      path: '/v1/indexes/fair/search',
      headers: { 'content-type': 'application/json' },
      body,
    })),
  });

describe('the Worker in workerd at capacity', () => {
  it('serves all 64 connections in turn: no resets, p99 within 10× the median', async () => {
    await load(4); // caches fill, the JIT warms up
    const result = await load(12);
    const report = JSON.stringify({
      requests: result.requests.total,
      latency: result.latency,
      errors: result.errorsByCode,
      non2xx: result.non2xx,
    });
    expect(result.requests.total, report).toBeGreaterThan(CONNECTIONS * 10);
    expect(result.errors + result.non2xx, report).toBe(0);
    // Served in turn, each request waits behind about one request per other connection: the median and
    // the p99 are of the same order. A starved connection waits seconds while the median is tens of ms.
    expect(result.latency.p99, report).toBeLessThanOrEqual(10 * Math.max(result.latency.p50, 10));
  }, 120_000);
});
