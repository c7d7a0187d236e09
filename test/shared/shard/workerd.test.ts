/**
 * The shard reader and writer inside workerd (Miniflare), bundled the way wrangler bundles a
 * Worker (esbuild, browser/workerd conditions): a Worker reads a golden shard posted to it and
 * writes a shard itself, and both must agree with Node byte for byte and value for value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../shared/io/byte-source.ts';
import { openShard, writeShard } from '../../../shared/shard/index.ts';
import { startWorkerdScript } from '../../helpers/workerd-script.ts';
import { GOLDEN_SHARDS } from './golden-inputs.ts';

const workerSource = `
import { bytesSource } from '../../../shared/io/byte-source.ts';
import { openShard, writeShard } from '../../../shared/shard/index.ts';
import { GOLDEN_SHARDS } from './golden-inputs.ts';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/write') {
      const golden = GOLDEN_SHARDS[Number(url.searchParams.get('i'))];
      return new Response(writeShard(golden.input()).bytes);
    }
    const bytes = new Uint8Array(await request.arrayBuffer());
    const shard = await openShard(bytesSource('posted', bytes));
    const postings = await shard.loadPostings(shard.terms);
    const lists = [...shard.terms].map((t) => {
      const all = postings.get(t).decodeAll();
      return [t, [...all.docs], [...all.impacts]];
    });
    const docs = Array.from({ length: shard.numDocs }, (_, d) => d);
    return Response.json({
      stats: shard.stats,
      lists,
      ids: docs.map((d) => shard.externalId(d)),
      stored: shard.hasStoredFields ? await shard.storedFields(docs) : null,
    });
  },
};`;

const miniflare = await startWorkerdScript(workerSource, import.meta.dirname, {});
afterAll(() => miniflare.dispose());

describe.each(GOLDEN_SHARDS.map((g, i) => ({ ...g, i })))('shard code inside workerd: $file', (golden) => {
  const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '../../fixtures/shards', golden.file)));

  it('reads the golden shard with the same results as Node', async () => {
    const response = await miniflare.dispatchFetch('http://shard/read', { method: 'POST', body: bytes });
    expect(response.status).toBe(200);
    const fromWorker = (await response.json()) as Record<string, unknown>;
    const shard = await openShard(bytesSource('posted', bytes));
    const postings = await shard.loadPostings(shard.terms);
    const docs = Array.from({ length: shard.numDocs }, (_, d) => d);
    expect(fromWorker).toEqual({
      stats: shard.stats,
      lists: [...shard.terms].map((t) => {
        const all = postings.get(t)!.decodeAll();
        return [t, [...all.docs], [...all.impacts]];
      }),
      ids: docs.map((d) => shard.externalId(d)),
      stored: shard.hasStoredFields ? await shard.storedFields(docs) : null,
    });
  });

  it('writes the same bytes as Node', async () => {
    const response = await miniflare.dispatchFetch(`http://shard/write?i=${golden.i}`);
    const fromWorker = new Uint8Array(await response.arrayBuffer());
    expect(Buffer.compare(fromWorker, writeShard(golden.input()).bytes)).toBe(0);
  });
});
