/**
 * The S3 backend inside workerd (Miniflare), bundled as wrangler would bundle it, talking to radosgw: a
 * Worker can use any S3-compatible store (or R2's S3 API) through the same code Node uses. One catch,
 * found here: with browser conditions the SDK parses XML answers (ListObjectsV2, errors) with DOMParser,
 * which workerd lacks; the bundle must keep the SDK's own pure-JS parser (the plugin below).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorkerdScript } from '../../helpers/workerd-script.ts';
import { createTestBucket, s3TestClient, s3TestEnv } from '../../services/s3-test-env.ts';

const workerSource = `
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore, s3ClientConfig } from '../../../shared/store/s3.ts';

const codeOf = (promise) => promise.then(() => 'ok', (error) => error.code ?? String(error));

export default {
  async fetch(request, env) {
    const client = new S3Client(s3ClientConfig(JSON.parse(env.S3_SETTINGS)));
    const store = new S3ObjectStore({ client, bucket: env.BUCKET });
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => i % 253);
    const created = await store.put('from-worker/blob', bytes, { ifNoneMatch: '*' });
    const again = await codeOf(store.put('from-worker/blob', bytes, { ifNoneMatch: '*' }));
    const range = await store.getRange('from-worker/blob', 4990, 10);
    const pastEnd = await codeOf(store.getRange('from-worker/blob', 4995, 10));
    const swapped = await store.put('from-worker/blob', bytes.subarray(0, 10), { ifMatch: created.etag });
    const listed = (await store.list('from-worker/')).map((o) => [o.key, o.size, o.etag === swapped.etag]);
    return Response.json({ created: created.size, again, range: [...range], pastEnd, listed });
  },
};`;

/** Resolves @aws-sdk/xml-builder's browser parser (DOMParser) to its pure-JS twin. */
const xmlBuilderEntry = createRequire(import.meta.url).resolve('@aws-sdk/xml-builder');
const pureJsXmlParser: Plugin = {
  name: 'aws-sdk-pure-js-xml-parser',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/xml-parser(\.browser)?(\.js)?$/ }, (args) =>
      args.importer.includes(`${'@aws-sdk'}/xml-builder`)
        ? { path: join(dirname(xmlBuilderEntry), '..', 'dist-es', 'xml-parser.js') }
        : undefined,
    );
  },
};

const env = s3TestEnv();
const bucket = await createTestBucket(s3TestClient(env), 'workerd');
const miniflare = await startWorkerdScript(
  workerSource,
  import.meta.dirname,
  {
    compatibilityFlags: ['nodejs_compat'],
    bindings: { BUCKET: bucket, S3_SETTINGS: JSON.stringify(env) },
  },
  [pureJsXmlParser],
);
afterAll(() => miniflare.dispose());

describe('S3 backend inside workerd', () => {
  it('puts conditionally, reads ranges and lists against radosgw from a Worker', async () => {
    const response = await miniflare.dispatchFetch('http://store.test/');
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(JSON.parse(text)).toEqual({
      created: 5000,
      again: 'precondition_failed',
      range: Array.from({ length: 10 }, (_, i) => (4990 + i) % 253),
      pastEnd: 'invalid_range',
      listed: [['from-worker/blob', 10, true]],
    });
  });
});
