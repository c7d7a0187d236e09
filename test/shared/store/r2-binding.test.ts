/**
 * The R2 binding backend against a real R2 implementation: Miniflare's local bucket (the workerd R2
 * simulator wrangler dev uses), reached from Node through `getR2Bucket`. Each test gets its own prefix.
 */
import type { R2Bucket } from '@cloudflare/workers-types';
import { Miniflare } from 'miniflare';
import { afterAll, describe, expect, it } from 'vitest';
import { prefixed } from '../../../shared/store/prefixed.ts';
import { R2BindingObjectStore } from '../../../shared/store/r2-binding.ts';
import { describeObjectStoreConformance } from './conformance.ts';

// The Worker writes the paging test's 1,050 keys itself: from Node each put crosses into workerd (~16 ms).
const seedingWorker = `export default {
  async fetch(request, env) {
    const entries = await request.json();
    await Promise.all(entries.map(([key, base64]) =>
      env.BUCKET.put(key, Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)))));
    return new Response(String(entries.length));
  },
};`;
const miniflare = new Miniflare({ modules: true, script: seedingWorker, r2Buckets: ['BUCKET'] });
const bucket = (await miniflare.getR2Bucket('BUCKET')) as unknown as R2Bucket;
const store = new R2BindingObjectStore(bucket, { name: 'BUCKET' });
afterAll(() => miniflare.dispose());

let testNumber = 0;
describeObjectStoreConformance('R2 binding on Miniflare', () => prefixed(store, `test-${++testNumber}`), {
  async putMany(_store, entries) {
    const body = entries.map(([key, bytes]) => [
      `test-${testNumber}/${key}`,
      Buffer.from(bytes).toString('base64'),
    ]);
    const response = await miniflare.dispatchFetch('http://seed/', {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(await response.text()).toBe(String(entries.length));
  },
});

describe('R2 binding from Node', () => {
  it('stores a Node Buffer that is a view into a pooled allocation (msgpackr, fs return such buffers)', async () => {
    // Buffer.from of a short string lands in Node's shared 8 KiB pool: a view at an offset.
    const pooled = Buffer.from('pooled bytes');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    await store.put('node/pooled', pooled);
    expect(new TextDecoder().decode((await store.get('node/pooled'))!.bytes)).toBe('pooled bytes');
  });
});
