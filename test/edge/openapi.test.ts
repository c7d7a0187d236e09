/**
 * The OpenAPI document never echoes the Host header a caller sent (issue 14, case 11): its server URL is
 * the configured public URL, or relative ("/") when none is configured — a forged Host cannot put another
 * origin into the document that API explorers and client generators trust.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { type NodeServer, nodeDeps, startNodeServer } from '../../edge/node.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { sendRaw } from './helpers/raw-http.ts';

interface OpenApi {
  servers?: { url: string }[];
}

describe('servers[0].url of /openapi.json', () => {
  const store = new MemoryObjectStore();

  it('is relative when no public URL is configured, whatever the Host', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    const doc = (await (await app.request('http://evil.example/openapi.json')).json()) as OpenApi;
    expect(doc.servers).toEqual([{ url: '/' }]);
  });

  it('is the configured public URL, whatever the Host', async () => {
    const app = createApp({
      store,
      encoderFactory: registryEncoderFactory,
      publicUrl: 'https://search.example.com',
    });
    const doc = (await (await app.request('http://evil.example/openapi.json')).json()) as OpenApi;
    expect(doc.servers).toEqual([{ url: 'https://search.example.com' }]);
  });

  it('a public URL that is no absolute http(s) URL is refused at start-up', () => {
    expect(() =>
      createApp({ store, encoderFactory: registryEncoderFactory, publicUrl: 'search.example.com' }),
    ).toThrow(/PUBLIC_URL|public URL/);
  });
});

describe('the Node entry with a forged Host header', () => {
  let dir: string;
  let plain: NodeServer;
  let configured: NodeServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csplade-openapi-'));
    plain = await startNodeServer(nodeDeps({ CSPLADE_STORE: dir }), { port: 0 });
    configured = await startNodeServer(
      nodeDeps({ CSPLADE_STORE: dir, PUBLIC_URL: 'https://search.example.com/' }),
      { port: 0 },
    );
  });
  afterAll(async () => {
    await plain?.close();
    await configured?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers with the configured or a relative URL, never the forged host', async () => {
    for (const [server, expected] of [
      [plain, '/'],
      [configured, 'https://search.example.com'],
    ] as const) {
      const res = await sendRaw(server.url, { path: '/openapi.json', headers: { host: 'evil.example:666' } });
      expect(res.status).toBe(200);
      expect(res.body).not.toContain('evil');
      expect((JSON.parse(res.body) as OpenApi).servers).toEqual([{ url: expected }]);
    }
  });
});

describe('what /openapi.json documents', () => {
  it('every search parameter (body and query string), multi-search, the page and metrics', async () => {
    const app = createApp({ store: new MemoryObjectStore(), encoderFactory: registryEncoderFactory });
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const body = Object.keys(doc.components.schemas.SearchRequest.properties);
    for (const name of [
      'query',
      'vector',
      'k',
      'from',
      'filter',
      'fields',
      'snippet',
      'explain',
      'mode',
      'budget',
    ]) {
      expect(body).toContain(name);
    }
    expect(JSON.stringify(doc.components.schemas.SearchRequest.properties.fields)).toContain('"text"');
    const query = doc.paths['/v1/indexes/{index}/search'].get.parameters!.map((p) => p.name);
    for (const name of ['q', 'k', 'from', 'filter', 'fields', 'snippet', 'explain', 'mode'])
      expect(query).toContain(name);
    expect(Object.keys(doc.components.schemas.MultiSearchEntry.properties)).toContain('index');
    for (const path of ['/', '/metrics', '/v1/indexes/{index}/msearch', '/v1/msearch'])
      expect(doc.paths[path]).toBeDefined();
    const hit = JSON.stringify(doc.components.schemas.Hit);
    expect(hit).toContain('snippet');
    expect(hit).toContain('highlights');
  });
});
