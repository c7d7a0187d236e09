/**
 * Deadlines (issue 14, case 3): a store that accepts requests and never answers must not hang a search.
 * Every store read has a deadline (shared/store/deadline.ts, set up by the entries) and so has the whole
 * request; either one expiring answers 503 with Retry-After and a typed JSON error, and the same app
 * answers again once the store does. /healthz stays liveness; /readyz reads the store within its own
 * deadline and says not ready while CURRENT cannot be read. Shown through `app.request`, through the
 * Node entry over real stores that hang (an S3 server that never answers, a folder whose CURRENT is a
 * FIFO), and inside workerd.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type EdgeLimits } from '../../edge/app.ts';
import { type NodeServer, nodeDeps, startNodeServer } from '../../edge/node.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { currentKey } from '../../shared/index/layout.ts';
import { withDeadlines } from '../../shared/store/deadline.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { R2BindingObjectStore } from '../../shared/store/r2-binding.ts';
import { startWorkerdScript } from '../helpers/workerd-script.ts';
import { type StallingStore, stallingStore } from './helpers/stalling-store.ts';
import { buildTestIndex } from './helpers/test-index.ts';

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

let stalling: StallingStore;

beforeEach(async () => {
  const memory = new MemoryObjectStore();
  await buildTestIndex(memory, { index: 'demo', version: 'v1', shards: 2 });
  stalling = stallingStore(memory);
});

function app(limits: Partial<EdgeLimits> = {}, readMs = 150) {
  return createApp({
    store: withDeadlines(stalling, { readMs }),
    encoderFactory: registryEncoderFactory,
    limits: { requestTimeoutMs: 5_000, readyTimeoutMs: 1_000, ...limits },
    logError: () => {},
  });
}

async function timed(response: Response | Promise<Response>) {
  const started = performance.now();
  const res = await response;
  const text = await res.text();
  return {
    res,
    ms: performance.now() - started,
    body: JSON.parse(text) as ErrorBody & Record<string, unknown>,
  };
}

function expectRetryableError(res: Response, body: ErrorBody, code: RegExp | string) {
  expect(res.status, JSON.stringify(body)).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(body.error.code).toMatch(code);
  expect(body.error.message).not.toMatch(/\n\s+at /);
}

describe('a store that never answers (app.request)', () => {
  it('CURRENT: search GET and POST and the index description answer 503 within the read deadline', async () => {
    stalling.stall(/\/CURRENT$/, 'hang');
    const a = app();
    for (const request of [
      () => a.request('/v1/indexes/demo/search?q=fox'),
      () =>
        a.request('/v1/indexes/demo/search', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'fox' }),
        }),
      () => a.request('/v1/indexes/demo'),
    ]) {
      const { res, ms, body } = await timed(request());
      expectRetryableError(res, body, 'store_timeout');
      expect(body.error.message).toContain('CURRENT');
      expect(ms).toBeLessThan(1_500);
    }
  });

  it('the manifest and the index listing time out the same way', async () => {
    const a = app();
    stalling.stall(/manifest/, 'hang');
    const search = await timed(a.request('/v1/indexes/demo/search?q=fox'));
    expectRetryableError(search.res, search.body, 'store_timeout');
    expect(search.body.error.message).toContain('manifest');
    stalling.stall(/^indexes\/$/, 'hang');
    const listing = await timed(a.request('/v1/indexes'));
    expectRetryableError(listing.res, listing.body, 'store_timeout');
    expect(listing.ms).toBeLessThan(1_500);
  });

  it('answers again as soon as the store does', async () => {
    const a = app();
    stalling.stall(/\/CURRENT$/, 'hang');
    expect((await a.request('/v1/indexes/demo/search?q=fox')).status).toBe(503);
    stalling.stall(/\/CURRENT$/, null);
    const res = await a.request('/v1/indexes/demo/search?q=fox');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { hits: unknown[] }).hits.length).toBeGreaterThan(0);
  });

  it('the whole request has a deadline too: many slow reads add up to a 503 deadline_exceeded', async () => {
    // Every read answers within its own deadline (1 s), but CURRENT, manifest and shards one after
    // the other take longer than the request may.
    stalling.stall(/./, { delayMs: 150 });
    const { res, ms, body } = await timed(
      app({ requestTimeoutMs: 300 }, 1_000).request('/v1/indexes/demo/search?q=fox'),
    );
    expectRetryableError(res, body, 'deadline_exceeded');
    expect(body.error.message).toMatch(/300 ms/);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1_000);
  });
});

describe('liveness and readiness', () => {
  it('/healthz stays ok while the store hangs; /readyz is ready only while CURRENT can be read', async () => {
    const a = app({ readyTimeoutMs: 400 }, 5_000);
    const ready = await timed(a.request('/readyz'));
    expect(ready.res.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', indexes: 1 });

    stalling.stall(/\/CURRENT$/, 'hang');
    expect(await (await a.request('/healthz')).json()).toEqual({ status: 'ok' });
    const hung = await timed(a.request('/readyz'));
    expectRetryableError(hung.res, hung.body, 'not_ready');
    expect(hung.body.error.message).toContain('indexes/demo/CURRENT');
    // Its own deadline (400 ms), not the store's (5 s).
    expect(hung.ms).toBeLessThan(1_500);

    stalling.stall(/\/CURRENT$/, 'unavailable');
    const failing = await timed(a.request('/readyz'));
    expectRetryableError(failing.res, failing.body, 'not_ready');

    stalling.stall(/\/CURRENT$/, null);
    stalling.stall(/^indexes\/$/, 'hang');
    const unlisted = await timed(a.request('/readyz'));
    expectRetryableError(unlisted.res, unlisted.body, 'not_ready');
  });

  it('/readyz is not ready when a CURRENT holds garbage', async () => {
    const a = app();
    await stalling.put(currentKey('demo'), new TextEncoder().encode('\u0000garbage'));
    const { res, body } = await timed(a.request('/readyz'));
    expectRetryableError(res, body, 'not_ready');
    expect(body.error.message).toContain('indexes/demo/CURRENT');
  });
});

describe('the Node entry over real stores that hang', () => {
  let blackHole: Server;
  const sockets: Socket[] = [];
  let server: NodeServer;
  beforeAll(async () => {
    blackHole = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as { port: number }).port;
    server = await startNodeServer(
      nodeDeps({
        CSPLADE_STORE: 's3://hung-bucket/csplade',
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        AWS_ACCESS_KEY_ID: 'k',
        AWS_SECRET_ACCESS_KEY: 's',
        STORE_TIMEOUT_MS: '300',
        REQUEST_TIMEOUT_MS: '3000',
        READY_TIMEOUT_MS: '500',
      }),
      { port: 0 },
    );
  });
  afterAll(async () => {
    await server?.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('S3 that accepts connections and never answers: search and listing 503 with Retry-After in time', async () => {
    for (const path of ['/v1/indexes/demo/search?q=fox', '/v1/indexes']) {
      const { res, ms, body } = await timed(fetch(`${server.url}${path}`));
      expectRetryableError(res, body, 'store_timeout');
      expect(ms).toBeLessThan(2_000);
    }
    expect(sockets.length).toBeGreaterThan(0);
  });

  it('liveness says ok, readiness says not ready', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const { res, ms, body } = await timed(fetch(`${server.url}/readyz`));
    expectRetryableError(res, body, 'not_ready');
    expect(ms).toBeLessThan(2_000);
  });

  it('a folder store whose CURRENT never opens (a FIFO) answers 503, then serves once it is a file again', async () => {
    const root = await mkdtemp(join(tmpdir(), 'csplade-fifo-'));
    const folder = await startNodeServer(
      nodeDeps({ CSPLADE_STORE: root, STORE_TIMEOUT_MS: '300', CURRENT_TTL_MS: '1' }),
      { port: 0 },
    );
    try {
      await buildTestIndex(new LocalFolderObjectStore(root), { index: 'demo', version: 'v1', shards: 1 });
      const fifo = join(root, 'indexes', 'demo', 'CURRENT');
      const pointer = await (await open(fifo)).readFile();
      await rm(fifo);
      execFileSync('mkfifo', [fifo]);
      const { res, ms, body } = await timed(fetch(`${folder.url}/v1/indexes/demo/search?q=fox`));
      expectRetryableError(res, body, 'store_timeout');
      expect(ms).toBeLessThan(2_000);
      // A writer lets the abandoned open() return, then CURRENT becomes a file again.
      await (await open(fifo, 'w')).close();
      await rm(fifo);
      await new LocalFolderObjectStore(root).put('indexes/demo/CURRENT', new Uint8Array(pointer));
      expect((await fetch(`${folder.url}/v1/indexes/demo/search?q=fox`)).status).toBe(200);
    } finally {
      await folder.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('inside workerd', () => {
  it('the app over an R2 binding whose CURRENT never answers: 503 with Retry-After; readiness says so', async () => {
    const miniflare = await startWorkerdScript(
      `
      import { createApp } from '../../edge/app.ts';
      import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
      import { withDeadlines } from '../../shared/store/deadline.ts';
      import { R2BindingObjectStore } from '../../shared/store/r2-binding.ts';
      let app;
      export default {
        fetch(request, env) {
          if (!app) {
            const r2 = new R2BindingObjectStore(env.BUCKET, { name: 'BUCKET' });
            const hangs = (key) => key === 'indexes/hung/CURRENT';
            const stalling = {
              get: (key) => (hangs(key) ? new Promise(() => {}) : r2.get(key)),
              getRange: (key, offset, length) => r2.getRange(key, offset, length),
              head: (key) => r2.head(key),
              list: (prefix) => r2.list(prefix),
              listPrefixes: (prefix) => r2.listPrefixes(prefix),
              put: (key, bytes, options) => r2.put(key, bytes, options),
              delete: (key) => r2.delete(key),
            };
            app = createApp({
              store: withDeadlines(stalling, { readMs: 200 }),
              encoderFactory: registryEncoderFactory,
              limits: { readyTimeoutMs: 400 },
              logError: () => {},
            });
          }
          return app.fetch(request, env);
        },
      };`,
      import.meta.dirname,
      { r2Buckets: ['BUCKET'], compatibilityFlags: ['nodejs_compat'] },
    );
    try {
      const bucket = (await miniflare.getR2Bucket('BUCKET')) as never;
      const store = new R2BindingObjectStore(bucket, { name: 'BUCKET' });
      await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 2 });
      await store.put('indexes/hung/versions/v1/manifest.msgpack', new Uint8Array([1]));
      const hung = await timed(miniflare.dispatchFetch('http://edge/v1/indexes/hung/search?q=fox') as never);
      expectRetryableError(hung.res, hung.body, 'store_timeout');
      expect(hung.ms).toBeLessThan(2_000);
      expect((await miniflare.dispatchFetch('http://edge/v1/indexes/demo/search?q=fox')).status).toBe(200);
      const ready = await timed(miniflare.dispatchFetch('http://edge/readyz') as never);
      expectRetryableError(ready.res, ready.body, 'not_ready');
      expect(ready.body.error.message).toContain('indexes/hung/CURRENT');
      expect((await miniflare.dispatchFetch('http://edge/healthz')).status).toBe(200);
    } finally {
      await miniflare.dispose();
    }
  });
});
