/**
 * `npm start`, the embedded default: indexes the sample corpus with the bm25 encoder into a local folder
 * store (the batch CLI's `csplade index`, in process), copies the published objects into the local R2
 * bucket of a real Workers runtime (the wrangler-bundled edge/worker.ts in Miniflare/workerd), checks a
 * sample query end to end, then prints the URL and a curl command and serves until Ctrl-C.
 * Options (environment): PORT (default 8787), START_DIR (default .tmp/start).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main as csplade } from '../batch/cli/main.ts';
import { LocalFolderObjectStore } from '../shared/store/local-folder.node.ts';
import type { ObjectStore } from '../shared/store/object-store.ts';
import { bundleWorker, startLocalWorker } from './local-worker.node.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const INDEX = 'sample';
const SAMPLE_QUERY = 'how do plants turn light into energy';

async function buildSampleIndex(dir: string): Promise<string> {
  const storeDir = join(dir, 'store');
  await rm(storeDir, { recursive: true, force: true });
  await mkdir(storeDir, { recursive: true });
  let out = '';
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += chunk;
      done();
    },
  });
  const argv = ['index', '--corpus', join(ROOT, 'test/fixtures/sample-corpus.jsonl'), '--index', INDEX];
  argv.push('--store', storeDir, '--encoder', 'bm25', '--shards', '2', '--json');
  const code = await csplade(argv, { stdout, stderr: process.stderr, env: process.env, cwd: dir });
  if (code !== 0) throw new Error(`csplade index failed with exit code ${code}`);
  const summary = JSON.parse(out.trim().split('\n').pop()!) as {
    version: string;
    documents: { indexed: number };
  };
  console.log(
    `indexed ${summary.documents.indexed} documents of the sample corpus as ${INDEX} ${summary.version}`,
  );
  return storeDir;
}

/** Copies indexes/ from the folder store into the bucket; CURRENT pointers last, as a publisher would. */
async function copyIndexes(from: ObjectStore, to: ObjectStore): Promise<number> {
  const objects = await from.list('indexes/');
  const ordered = [
    ...objects.filter((o) => !o.key.endsWith('/CURRENT')),
    ...objects.filter((o) => o.key.endsWith('/CURRENT')),
  ];
  for (const { key } of ordered) {
    const object = await from.get(key);
    if (object) await to.put(key, new Uint8Array(object.bytes));
  }
  return ordered.length;
}

async function start(): Promise<void> {
  const dir = resolve(ROOT, process.env.START_DIR ?? '.tmp/start');
  await mkdir(dir, { recursive: true });
  const storeDir = await buildSampleIndex(dir);
  const scriptPath = await bundleWorker(join(dir, 'worker'));
  const worker = await startLocalWorker({ scriptPath, port: Number(process.env.PORT ?? 8787) });
  const copied = await copyIndexes(new LocalFolderObjectStore(storeDir), worker.bucket);
  const base = worker.url.origin;
  const check = await fetch(`${base}/v1/indexes/${INDEX}/search?q=${encodeURIComponent(SAMPLE_QUERY)}&k=3`);
  const body = (await check.json()) as { hits?: { id: string; score: number }[] };
  if (check.status !== 200 || !body.hits?.length) {
    await worker.dispose();
    throw new Error(`the sample query failed (${check.status}): ${JSON.stringify(body)}`);
  }
  console.log(`copied ${copied} objects into the local R2 bucket of workerd (Miniflare)`);
  console.log(`\ncsplade edge (Workers runtime) listening on ${base}\n`);
  console.log('Try:');
  console.log(`  curl -s '${base}/v1/indexes/${INDEX}/search?q=${encodeURIComponent(SAMPLE_QUERY)}&k=3'`);
  console.log(
    `  curl -s -X POST ${base}/v1/indexes/${INDEX}/search -H 'content-type: application/json' \\\n` +
      `       -d '{"query": "${SAMPLE_QUERY}", "k": 3, "explain": true, "fields": ["title"], "debug": true}'`,
  );
  console.log(`  curl -s ${base}/v1/indexes   ·   ${base}/openapi.json`);
  console.log(`\n(top hit now: ${body.hits[0].id}, score ${body.hits[0].score.toFixed(4)}) — Ctrl-C to stop`);
  const stop = () => {
    void worker.dispose().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await start();
