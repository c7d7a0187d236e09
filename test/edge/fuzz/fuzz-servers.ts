/**
 * The two servers the HTTP fuzz runs against, over the same index: the Node entry as its own process
 * over a real folder store, and the wrangler-bundled Worker in workerd over a local R2 bucket holding
 * the same objects — both configured as in production through env / vars, with a short body deadline
 * so stalled bodies are answered quickly. Also the known query each batch is checked with: its hits
 * must equal exhaustive scoring of the index (test-index.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../../edge/local-worker.node.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { childPids, type EdgeProcess, processAlive, startNodeEdgeProcess } from '../helpers/edge-process.ts';
import { sendRaw } from '../helpers/raw-http.ts';
import { buildTestIndex, expectedHits, SAMPLE_DOCS } from '../helpers/test-index.ts';
import type { FuzzTargets } from './http-arbitraries.ts';
import type { FuzzServer } from './run-fuzz.ts';

export const FUZZ_INDEX = 'fuzz';
export const FUZZ_MAX_BODY_BYTES = 64 * 1024;

/** Limits of both servers (env on Node, vars on the Worker). */
const LIMITS = {
  MAX_BODY_BYTES: String(FUZZ_MAX_BODY_BYTES),
  BODY_TIMEOUT_MS: '300',
  REQUEST_TIMEOUT_MS: '5000',
  STORE_TIMEOUT_MS: '2000',
  READY_TIMEOUT_MS: '1000',
  CORS_ORIGINS: '*',
};

export interface FuzzServers {
  readonly targets: FuzzTargets;
  readonly node?: FuzzServer;
  readonly workerd?: FuzzServer;
  reference(url: string): Promise<string | null>;
  dispose(): Promise<void>;
}

export async function startFuzzServers(runtimes: readonly ('node' | 'workerd')[]): Promise<FuzzServers> {
  const dir = await mkdtemp(join(tmpdir(), 'csplade-fuzz-'));
  const store = new LocalFolderObjectStore(join(dir, 'store'));
  const built = await buildTestIndex(store, { index: FUZZ_INDEX, version: 'v1', shards: 3 });
  const query = 'brown fox and the lazy dog';
  const expected = expectedHits(built, (await built.encoder.encode([query], 'query'))[0], 5);

  let edge: EdgeProcess | undefined;
  let worker: LocalWorker | undefined;
  let node: FuzzServer | undefined;
  let workerd: FuzzServer | undefined;
  try {
    if (runtimes.includes('node')) {
      edge = await startNodeEdgeProcess({ CSPLADE_STORE: join(dir, 'store'), ...LIMITS });
      const process = edge;
      node = { name: 'node', url: process.url, alive: () => process.alive() };
    }
    if (runtimes.includes('workerd')) {
      const before = new Set(childPids('workerd'));
      worker = await startLocalWorker({ scriptPath: await bundleWorker(join(dir, 'worker')), vars: LIMITS });
      const pid = childPids('workerd').find((p) => !before.has(p));
      for (const { key } of await store.list('indexes/')) {
        await worker.bucket.put(key, new Uint8Array((await store.get(key))!.bytes));
      }
      workerd = {
        name: 'workerd',
        url: worker.url.toString(),
        alive: () => pid !== undefined && processAlive(pid),
      };
    }
  } catch (error) {
    await edge?.stop();
    await worker?.dispose();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    targets: {
      index: FUZZ_INDEX,
      words: [...new Set(SAMPLE_DOCS.flatMap((d) => d.text.toLowerCase().split(/\W+/)).filter(Boolean))],
      maxBodyBytes: FUZZ_MAX_BODY_BYTES,
    },
    node,
    workerd,
    async reference(url) {
      const res = await sendRaw(url, {
        method: 'POST',
        path: `/v1/indexes/${FUZZ_INDEX}/search`,
        headers: { 'content-type': 'application/json' },
        body: new TextEncoder().encode(JSON.stringify({ query, k: 5 })),
      });
      if (res.status !== 200) return `status ${res.status} ${res.error ?? ''} ${res.body.slice(0, 200)}`;
      const hits = (JSON.parse(res.body) as { hits: { id: string; score: number }[] }).hits;
      const same =
        hits.length === expected.length &&
        hits.every(
          (h, i) =>
            h.id === expected[i].id && Math.abs(h.score - expected[i].score) <= 1e-9 * expected[i].score,
        );
      return same ? null : `hits ${JSON.stringify(hits)} differ from ${JSON.stringify(expected)}`;
    },
    async dispose() {
      await edge?.stop();
      await worker?.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
