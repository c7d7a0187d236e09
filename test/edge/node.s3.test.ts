/**
 * The Node entry over a real S3 server (Ceph radosgw from the globalSetup): edge/node.ts builds its store
 * from CSPLADE_STORE=s3://bucket/prefix exactly as in production, serves over HTTP on 127.0.0.1, and
 * answers like the app over a memory store holding the same index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { type NodeServer, nodeDeps, startNodeServer } from '../../edge/node.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { openStore } from '../../shared/store/open.node.ts';
import { createTestBucket, s3TestClient, s3TestEnv } from '../services/s3-test-env.ts';
import { buildTestIndex } from './helpers/test-index.ts';

let server: NodeServer;
const memory = new MemoryObjectStore();

beforeAll(async () => {
  const s3 = s3TestEnv();
  const bucket = await createTestBucket(s3TestClient(), 'edge-node');
  const env = {
    S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: s3.region,
    CSPLADE_STORE: `s3://${bucket}/csplade`,
  };
  await buildTestIndex(openStore(env.CSPLADE_STORE, { env }), { index: 'demo', version: 'v1', shards: 2 });
  await buildTestIndex(memory, { index: 'demo', version: 'v1', shards: 2 });
  server = await startNodeServer(nodeDeps(env), { port: 0 });
});
afterAll(() => server?.close());

describe('the Node entry over S3 (radosgw)', () => {
  it('lists and describes the index', async () => {
    const list = await (await fetch(`${server.url}/v1/indexes`)).json();
    expect(list).toMatchObject({ indexes: [{ name: 'demo', version: 'v1' }] });
  });

  it('answers POST and GET like the app over memory, and reports its S3 requests', async () => {
    const app = createApp({ store: memory, encoderFactory: registryEncoderFactory });
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'lazy brown dog', k: 4, explain: true, fields: ['title', 'url'] }),
    };
    const res = await fetch(`${server.url}/v1/indexes/demo/search`, init);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-csplade-cost')).toMatch(/^subrequests=[1-9]\d*; bytes=[1-9]\d*/);
    const body = (await res.json()) as { hits: unknown[] };
    const expected = (await (await app.request('/v1/indexes/demo/search', init)).json()) as {
      hits: unknown[];
    };
    expect(body.hits.length).toBe(4);
    expect(body.hits).toEqual(expected.hits);
    const viaGet = (await (
      await fetch(`${server.url}/v1/indexes/demo/search?q=lazy%20brown%20dog&k=4`)
    ).json()) as {
      hits: { id: string }[];
    };
    expect(viaGet.hits.map((h) => h.id)).toEqual((expected.hits as { id: string }[]).map((h) => h.id));
  });

  it('unknown index over S3 is a 404', async () => {
    const res = await fetch(`${server.url}/v1/indexes/absent/search?q=x`);
    expect(res.status).toBe(404);
  });
});
