/**
 * Bounded input (issue 14, case 2): the body limit holds while the body streams in, chunked or not, so a
 * 100 MB chunked POST is answered 413 as soon as the limit is crossed and the server never holds it; a
 * body that trickles in slower than its deadline is a 408. Through `app.request` with a counting stream,
 * and against the Node entry as its own process, whose RSS must stay flat.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { type EdgeProcess, rssBytes, startNodeEdgeProcess } from './helpers/edge-process.ts';
import { sendRaw } from './helpers/raw-http.ts';
import { buildTestIndex } from './helpers/test-index.ts';

const utf8 = new TextEncoder();

/** A chunked request body of `total` bytes (a JSON object padded with spaces) that counts what was pulled. */
function countingBody(total: number, chunkBytes = 16 * 1024) {
  const head = utf8.encode('{"query": "fox"');
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === 0) {
        state.pulled += head.length;
        controller.enqueue(head);
        return;
      }
      if (state.pulled >= total) {
        controller.enqueue(utf8.encode('}'));
        controller.close();
        return;
      }
      const chunk = new Uint8Array(Math.min(chunkBytes, total - state.pulled)).fill(0x20);
      state.pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, state };
}

describe('the body limit while streaming (app.request)', () => {
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    const store = new MemoryObjectStore();
    await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 1 });
    app = createApp({ store, encoderFactory: registryEncoderFactory, limits: { maxBodyBytes: 64 * 1024 } });
  });

  const post = (body: ReadableStream<Uint8Array>) =>
    app.request('/v1/indexes/demo/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);

  it('a chunked body over the limit is answered 413 long before it ends', async () => {
    const total = 50 * 1024 * 1024;
    const { stream, state } = countingBody(total);
    const res = await post(stream);
    const pulledAtAnswer = state.pulled;
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'body_too_large', field: 'body' } });
    // The rest is read and dropped behind the answer (so that a real connection is not reset).
    expect(pulledAtAnswer).toBeLessThan(total / 4);
  });

  it('with discard-then-answer (the Worker), the 413 comes once the rest is dropped', async () => {
    const store = new MemoryObjectStore();
    await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 1 });
    const worker = createApp({
      store,
      encoderFactory: registryEncoderFactory,
      limits: { maxBodyBytes: 64 * 1024, refusedBody: 'discard-then-answer' },
    });
    const total = 4 * 1024 * 1024;
    const { stream, state } = countingBody(total);
    const res = await worker.request('/v1/indexes/demo/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(state.pulled).toBeGreaterThanOrEqual(total);
  });

  it('a chunked body within the limit is read whole and answered', async () => {
    const { stream } = countingBody(40 * 1024);
    const res = await post(stream);
    expect(res.status).toBe(200);
  });

  it('a declared Content-Length over the limit is refused before reading', async () => {
    const res = await app.request('/v1/indexes/demo/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
      body: '{"query": "fox"}',
    });
    expect(res.status).toBe(413);
  });
});

describe('the Node entry as a process', () => {
  let dir: string;
  let edge: EdgeProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csplade-body-'));
    await buildTestIndex(new LocalFolderObjectStore(dir), { index: 'demo', version: 'v1', shards: 2 });
    edge = await startNodeEdgeProcess({ CSPLADE_STORE: dir, BODY_TIMEOUT_MS: '500' });
  }, 90_000);
  afterAll(async () => {
    await edge?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const search = {
    method: 'POST',
    path: '/v1/indexes/demo/search',
    headers: { 'content-type': 'application/json' },
  };

  it('a 100 MB chunked POST is 413 early, and the RSS of the server stays flat', async () => {
    // Warm up: the first search loads the encoder and opens shards.
    expect((await sendRaw(edge.url, { ...search, body: utf8.encode('{"query": "fox"}') })).status).toBe(200);
    const before = rssBytes(edge.pid)!;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(edge.pid) ?? 0);
    }, 20);
    const res = await sendRaw(edge.url, {
      ...search,
      body: { prefix: utf8.encode('{"query": "fox", "pad": "'), chunks: 1600, chunkBytes: 64 * 1024 },
    });
    clearInterval(sampler);
    expect(res.status, `${res.error} after ${res.sentBytes} bytes`).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'body_too_large', field: 'body' } });
    expect(res.sentBytes).toBeLessThan(100 * 1024 * 1024);
    expect(peak - before, `RSS ${before} → peak ${peak}`).toBeLessThan(48 * 1024 * 1024);
    // The server is fine afterwards.
    expect((await sendRaw(edge.url, { ...search, body: utf8.encode('{"query": "dog"}') })).status).toBe(200);
  });

  it('a body that stalls is a 408 after its deadline; a chunked body in time is answered', async () => {
    const slow = await sendRaw(edge.url, {
      ...search,
      body: { prefix: utf8.encode('{"query": "fox"'), chunks: 20, chunkBytes: 1, delayMs: 200 },
    });
    expect(slow.status).toBe(408);
    expect(JSON.parse(slow.body)).toMatchObject({ error: { code: 'body_timeout', field: 'body' } });
    expect(slow.ms).toBeLessThan(2_000);
    const chunked = await sendRaw(edge.url, {
      ...search,
      body: { prefix: utf8.encode('{"query": "fox"'), chunks: 3, chunkBytes: 100, delayMs: 10 },
    });
    expect(chunked.status, chunked.body).toBe(400); // no closing brace: invalid JSON, named as such
    expect(JSON.parse(chunked.body)).toMatchObject({ error: { field: 'body' } });
  });
});
