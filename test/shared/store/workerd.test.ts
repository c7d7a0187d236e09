/**
 * The Workers side of the seam inside workerd itself (Miniflare), bundled the way wrangler bundles a
 * Worker: the R2 binding backend under the retrying and counting decorators, read through the edge's
 * byte tiers (isolate memory in front of the store), as the edge stacks them. Proves the runtime-neutral files need nothing from Node and behave there as in the suite.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startWorkerdScript } from '../../helpers/workerd-script.ts';

const workerSource = `
import { ByteTiers } from '../../../edge/search/byte-tiers.ts';
import { meteredStore } from '../../../edge/search/metered-store.ts';
import { counting } from '../../../shared/store/counting.ts';
import { retrying } from '../../../shared/store/retrying.ts';
import { prefixed } from '../../../shared/store/prefixed.ts';
import { R2BindingObjectStore } from '../../../shared/store/r2-binding.ts';

const codeOf = (promise) => promise.then(() => 'ok', (error) => error.code ?? String(error));

export default {
  async fetch(request, env) {
    const counted = counting(new R2BindingObjectStore(env.BUCKET, { name: 'BUCKET' }));
    const store = prefixed(retrying(counted), 'indexes/demo');
    const tiers = new ByteTiers(1 << 20);
    const metered = meteredStore(store);
    const io = { store: metered.store, cost: metered.cost, budgetLeft: () => 50, defer: () => {} };
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    const created = await store.put('v1/shard-0', bytes, { ifNoneMatch: '*' });
    const again = await codeOf(store.put('v1/shard-0', bytes, { ifNoneMatch: '*' }));
    counted.reset();
    const [hot] = await tiers.read([{ key: 'v1/shard-0', offset: 900, length: 100 }], io);
    const [hotAgain] = await tiers.read([{ key: 'v1/shard-0', offset: 950, length: 50 }], io);
    const readsAfterTwoRanges = counted.counts().total.requests;
    const pastEnd = await codeOf(store.getRange('v1/shard-0', 990, 20));
    const pointer = await store.put('CURRENT', new TextEncoder().encode('v1'));
    const swapped = await store.put('CURRENT', new TextEncoder().encode('v2'), { ifMatch: pointer.etag });
    const stale = await codeOf(store.put('CURRENT', new TextEncoder().encode('v3'), { ifMatch: pointer.etag }));
    const listed = (await store.list('')).map((o) => [o.key, o.size]);
    const rawKeys = (await env.BUCKET.list()).objects.map((o) => o.key);
    await store.delete('v1/shard-0');
    return Response.json({
      created: created.size,
      again,
      hot: [...hot.slice(0, 3)],
      hotAgain: [...hotAgain.slice(0, 3)],
      readsAfterTwoRanges,
      pastEnd,
      swapped: swapped.etag !== pointer.etag,
      stale,
      listed,
      rawKeys,
      absentAfterDelete: (await store.get('v1/shard-0')) === null,
      memoryHits: metered.cost.cacheHitsByTier.memory,
    });
  },
};`;

const miniflare = await startWorkerdScript(workerSource, import.meta.dirname, { r2Buckets: ['BUCKET'] });
afterAll(() => miniflare.dispose());

describe('ObjectStore decorators over an R2 binding inside workerd', () => {
  it('behaves as in the conformance suite, and the isolate tier saves the second range read', async () => {
    const response = await miniflare.dispatchFetch('http://store.test/');
    const result = (await response.json()) as Record<string, unknown>;
    expect(result).toMatchObject({
      created: 1000,
      again: 'precondition_failed',
      hot: [900 % 251, 901 % 251, 902 % 251],
      hotAgain: [950 % 251, 951 % 251, 952 % 251],
      readsAfterTwoRanges: 1,
      pastEnd: 'invalid_range',
      swapped: true,
      stale: 'precondition_failed',
      listed: [
        ['CURRENT', 2],
        ['v1/shard-0', 1000],
      ],
      rawKeys: ['indexes/demo/CURRENT', 'indexes/demo/v1/shard-0'],
      absentAfterDelete: true,
    });
    expect(result.memoryHits).toBe(1);
  });
});
