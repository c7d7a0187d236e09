/**
 * The sample index behind `npm start` and `npm run dev`: the 73-document sample corpus indexed with bm25
 * (2 shards, filterable source and topic_rank, stored text) by the CLI's own `index` verb into
 * .tmp/sample/store, built afresh each time (a few hundred milliseconds). `--local-r2` also copies it
 * into the local R2 bucket `wrangler dev` reads (.wrangler/state/v3, the bucket named in wrangler.jsonc),
 * replacing what an earlier run put there.
 *
 *   npx tsx compose/dev/sample-index.ts [--local-r2]
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { readConfig } from '../../edge/local-worker.node.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { R2BindingObjectStore } from '../../shared/store/r2-binding.ts';
import { main as csplade } from '../cli/main.ts';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SAMPLE_INDEX = 'sample';
export const SAMPLE_QUERY = 'how do plants turn light into energy';
export const SAMPLE_STORE = join(ROOT, '.tmp', 'sample', 'store');

/** Indexes the sample corpus into `storeDir` (emptied first); returns the published version. */
export async function buildSampleIndex(
  storeDir = SAMPLE_STORE,
): Promise<{ version: string; documents: number }> {
  await rm(storeDir, { recursive: true, force: true });
  await mkdir(storeDir, { recursive: true });
  let out = '';
  let err = '';
  const argv = [
    'index',
    '--corpus',
    join(ROOT, 'test/fixtures/sample-corpus.jsonl'),
    '--index',
    SAMPLE_INDEX,
  ];
  argv.push('--store', storeDir, '--encoder', 'bm25', '--shards', '2', '--json', '--no-progress');
  // Filters and stored text, so the README's filter, text and snippet examples run on it as they are.
  argv.push('--filterable', 'source:keyword,topic_rank:number', '--store-text');
  argv.push('--rejects', join(storeDir, '..', 'sample.rejects.jsonl'));
  const code = await csplade(argv, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: process.env,
    cwd: ROOT,
  });
  if (code !== 0) throw new Error(`csplade index failed with exit code ${code}: ${err}`);
  const summary = JSON.parse(out.trim()) as { version: string; documents: { indexed: number } };
  return { version: summary.version, documents: summary.documents.indexed };
}

/** Copies indexes/ from one store into another; CURRENT pointers last, as a publisher would. */
export async function copyIndexes(from: ObjectStore, to: ObjectStore): Promise<number> {
  const objects = await from.list('indexes/');
  const ordered = [
    ...objects.filter((o) => !o.key.endsWith('/CURRENT')),
    ...objects.filter((o) => o.key.endsWith('/CURRENT')),
  ];
  for (const { key } of ordered) {
    const object = await from.get(key);
    // A copy: Miniflare's Node→workerd proxy refuses views into larger (pooled) buffers.
    if (object) await to.put(key, new Uint8Array(object.bytes));
  }
  return ordered.length;
}

/** Replaces the sample index in the local R2 bucket of `wrangler dev` with the one in `storeDir`. */
export async function seedLocalR2(storeDir = SAMPLE_STORE): Promise<number> {
  const config = await readConfig('wrangler.jsonc');
  const miniflare = new Miniflare({
    modules: true,
    script: 'export default { fetch: () => new Response(null, { status: 404 }) }',
    // Where `wrangler dev` keeps local state for a config at the repository root, keyed by bucket name.
    defaultPersistRoot: join(ROOT, '.wrangler', 'state', 'v3'),
    r2Buckets: { BUCKET: config.r2_buckets[0].bucket_name },
  });
  try {
    const bucket = new R2BindingObjectStore((await miniflare.getR2Bucket('BUCKET')) as never, {
      name: 'BUCKET',
    });
    for (const { key } of await bucket.list(`indexes/${SAMPLE_INDEX}/`)) await bucket.delete(key);
    return await copyIndexes(new LocalFolderObjectStore(storeDir), bucket);
  } finally {
    await miniflare.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { version, documents } = await buildSampleIndex();
  const where = process.argv.includes('--local-r2')
    ? `${SAMPLE_STORE} and wrangler dev's local R2 (${await seedLocalR2()} objects)`
    : SAMPLE_STORE;
  console.log(`sample index: ${documents} documents as ${SAMPLE_INDEX} ${version} in ${where}`);
  console.log(`sample query: ?q=${encodeURIComponent(SAMPLE_QUERY)}`);
}
