/**
 * Soak benchmark: the search API under steady load for a long stretch, on the Node entry (its own
 * process over a folder store) and on the wrangler-bundled Worker in workerd (local R2), both serving a
 * synthetic SPLADE-like index (test/bench/synthetic-index.ts) over HTTP on 127.0.0.1.
 *
 *   npm run bench:soak -- [--docs 100000] [--shards 4] [--queries 200] [--duration 60] [--warmup 120]
 *                         [--max-warmup 240] [--window 10] [--connections 64] [--k 10]
 *                         [--node-heap-mb 256] [--workerd-via direct|entry] [--workerd-shared-cache off|cache-api]
 *                         [--runtimes node,workerd] [--json]
 *
 * The Node entry runs with its V8 heap capped at `node-heap-mb` (0: V8's default), as a Node service in a
 * container should be and as a Worker isolate is (128 MB): uncapped, V8 keeps growing the heap's reserved
 * size for minutes under this allocation rate while the live heap stays flat (edge/README.md).
 * The Worker is loaded on a socket of its own in workerd (`directSocket`), as workerd serves it in
 * production; `--workerd-via entry` goes through Miniflare's entry worker instead, a development proxy
 * whose own heap grows under sustained load (and with it workerd's RSS).
 * Per runtime: autocannon warms the server up with the same load (every query, so caches fill), one
 * continuous run of at least `warmup` s that ends once two windows of `window` s in a row set no new high
 * of the median RSS (within 2%; at most `max-warmup` s): a V8 heap grows its reserved size over the first
 * minute or two of such a load while the live heap stays flat, and "after warm-up" means once that has settled. Then
 * `duration` s at `connections` connections; the RSS of the server process is read from /proc every
 * second throughout. Prints one JSON object with, per runtime, `errors` (transport errors + timeouts +
 * non-2xx; target 0; `errors_by_code` names each failure: ECONNRESET, a timeout, …), `rss_growth` (RSS at the end against RSS after warm-up: target ≤ 0.10), p50/p99
 * latency and requests/s. "RSS after warm-up" and "at the end" are each the median of the samples of the
 * last `window` s of that phase: a garbage-collected heap breathes by tens of MB between collections
 * (the isolate's caches churn through large postings reads), and one sample would measure where in that
 * cycle it fell; the single samples and the maximum are printed too. The app's own JavaScript heap (its
 * reserved size plus ArrayBuffer contents, read through the V8 inspector; `js_heap_growth`) is printed
 * beside the process RSS, and its live part (used heap plus ArrayBuffers; `js_live_at_end_mb`,
 * `js_live_max_mb`: what a Worker isolate's 128 MB limit is about). The RSS also holds what the runtime allocates outside it (workerd runs
 * Miniflare's R2 and Cache emulators in the same process). Every answer of a checked sample
 * must equal the one given before the load (the same hits), so a server that stays up but answers wrong
 * does not pass.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import { childPids, rssBytes, startNodeEdgeProcess } from '../edge/helpers/edge-process.ts';
import { numberArg, stringArg } from './args.ts';
import { type Autocannon, autocannonCountingErrors } from './autocannon.ts';
import { connectHeapProbe, type HeapProbe } from './heap-probe.ts';
import { generateCorpus } from './synthetic-corpus.ts';
import { type SyntheticIndex, syntheticIndex } from './synthetic-index.ts';

const DOCS = numberArg('docs', 100_000);
const SHARDS = numberArg('shards', 4);
const QUERIES = numberArg('queries', 200);
const DURATION = numberArg('duration', 60);
/**
 * At least two minutes: after a one-minute warm-up, workerd's RSS still rose by 7% over the next 20 s, then
 * stayed level for the 160 s after that (`npm run bench:soak -- --runtimes workerd --duration 180 --warmup 60`
 * prints `rss_mb_every_5s`); a warm-up that ends before the heap has settled measures that settling as growth.
 */
const WARMUP = numberArg('warmup', 120);
const WINDOW = numberArg('window', 10);
const MAX_WARMUP = numberArg('max-warmup', 240);
const NODE_HEAP_MB = numberArg('node-heap-mb', 256);
const WORKERD_VIA = stringArg('workerd-via', 'direct');
/**
 * The Worker's shared cache tier. Off by default: Miniflare emulates the Cache API inside the very workerd
 * process whose RSS is measured (a Durable Object over SQLite and blob files, ~180 MB more RSS under this
 * load), while on Cloudflare the cache is a service outside the isolate. `--workerd-shared-cache cache-api`
 * measures with the emulator, as wrangler.jsonc deploys the Worker (it passes too since the Worker's
 * requests take turns: README, Reliability).
 */
const WORKERD_SHARED_CACHE = stringArg('workerd-shared-cache', 'off');
const CONNECTIONS = numberArg('connections', 64);
const K = numberArg('k', 10);
const RUNTIMES = stringArg('runtimes', 'node,workerd').split(',');
const INDEX = 'soak';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

interface Server {
  readonly url: string;
  readonly pid: number;
  /** The JavaScript heap of the app (inspector). */
  readonly heap: HeapProbe;
}

/** A free TCP port on 127.0.0.1 (for an inspector). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server under test and how to stop it. */
interface Running {
  readonly server: Server;
  stop(): Promise<void>;
}

/** The Node entry as a process of its own over the folder store, its heap capped like a container's. */
async function startNode(storeDir: string): Promise<Running> {
  const inspector = await freePort();
  const edge = await startNodeEdgeProcess({ CSPLADE_STORE: storeDir }, [
    `--inspect=127.0.0.1:${inspector}`,
    ...(NODE_HEAP_MB > 0 ? [`--max-old-space-size=${NODE_HEAP_MB}`] : []),
  ]);
  const heap = await connectHeapProbe(inspector, 'node');
  return {
    server: { url: edge.url, pid: edge.pid, heap },
    stop: async () => {
      heap.close();
      await edge.stop();
    },
  };
}

/** The bundled Worker in workerd over a local R2 bucket seeded with the index. */
async function startWorkerd(dir: string, index: SyntheticIndex): Promise<Running> {
  const persistTo = join(dir, 'r2');
  const scriptPath = await bundleWorker(join(dir, 'worker'));
  const seeding = await startLocalWorker({ scriptPath, persistTo });
  for (const f of index.files) await seeding.bucket.put(f.key, new Uint8Array(f.bytes));
  await seeding.dispose();
  const before = new Set(childPids('workerd'));
  const inspectorPort = await freePort();
  const worker = await startLocalWorker({
    scriptPath,
    persistTo,
    inspectorPort,
    directSocket: true,
    vars: { SHARED_CACHE: WORKERD_SHARED_CACHE },
  });
  // The Worker's isolate (Miniflare names it core:user:…), not the R2 or Cache emulators beside it.
  const heap = await connectHeapProbe(inspectorPort, 'workerd', (title) => title.includes('core:user'));
  const stop = async () => {
    heap.close();
    await worker.dispose();
  };
  const pid = childPids('workerd').find((p) => !before.has(p));
  if (pid === undefined) {
    await stop();
    throw new Error('cannot find the workerd process Miniflare started');
  }
  const url = WORKERD_VIA === 'entry' ? worker.url.origin : worker.directUrl!.origin;
  return { server: { url, pid, heap }, stop };
}

type Phase = 'warmup' | 'soak';

/**
 * The server's memory once a second: process RSS from /proc, and through the inspector the JS heap's
 * reserved size and its live part (used heap plus ArrayBuffer contents: what an isolate's limit is about).
 */
class MemorySampler {
  phase: Phase = 'warmup';
  readonly rss: { phase: Phase; bytes: number }[] = [];
  readonly heap: { phase: Phase; bytes: number }[] = [];
  readonly live: { phase: Phase; bytes: number }[] = [];
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(server: Server) {
    this.#timer = setInterval(() => {
      const at = this.phase;
      const bytes = rssBytes(server.pid);
      if (bytes !== undefined) this.rss.push({ phase: at, bytes });
      server.heap.sample().then(
        (h) => {
          this.heap.push({ phase: at, bytes: h.totalBytes + h.buffersBytes });
          this.live.push({ phase: at, bytes: h.usedBytes + h.buffersBytes });
        },
        () => {},
      );
    }, 1_000);
  }

  /** The median of the last `window` samples of a phase: one sample would say where in a GC cycle it fell. */
  lastWindow(phase: Phase, of = this.rss): number {
    return median(
      of
        .filter((r) => r.phase === phase)
        .slice(-WINDOW)
        .map((r) => r.bytes),
    );
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

type LoadRequest = Parameters<Autocannon>[0]['requests'][number];

/**
 * The soak's own load, without a pause, until the RSS settles: at least WARMUP s, and until two windows of
 * WINDOW s in a row set no new high of the median RSS (within 2%); at most MAX_WARMUP s. One continuous
 * run, as the soak is: rounds of load with their connections closed and reopened between them let the
 * server's heap shrink at each pause, and the soak then measured the growth back as its own.
 */
async function warmUp(name: string, url: string, requests: LoadRequest[], memory: MemorySampler) {
  log(`${name}: warm-up at ${CONNECTIONS} connections (${WARMUP}–${MAX_WARMUP} s, until the RSS settles)`);
  let high = 0;
  let calmWindows = 0;
  const settled = (seconds: number) => {
    if (seconds % WINDOW !== 0) return false;
    const current = memory.lastWindow('warmup');
    calmWindows = current <= high * 1.02 ? calmWindows + 1 : 0;
    high = Math.max(high, current);
    return seconds >= WARMUP && calmWindows >= 2;
  };
  const started = performance.now();
  const pass = await autocannonCountingErrors(
    { url, connections: CONNECTIONS, duration: MAX_WARMUP, requests },
    settled,
  );
  const errorsByCode = { ...pass.errorsByCode };
  if (pass.non2xx > 0) errorsByCode.non_2xx = pass.non2xx;
  return {
    errors: pass.errors + pass.non2xx, // autocannon's errors include its timeouts
    seconds: Math.round((performance.now() - started) / 1000),
    errorsByCode,
  };
}

/** Warm up, then DURATION s of load; the sampled answers must not change across it. */
async function soak(name: string, server: Server, index: SyntheticIndex) {
  const requests = index.bodies.map((body) => ({
    method: 'POST',
    path: `/v1/indexes/${INDEX}/search`,
    headers: { 'content-type': 'application/json' },
    body,
  }));
  const expected = await answers(server.url, index);
  const memory = new MemorySampler(server);
  try {
    const warm = await warmUp(name, server.url, requests, memory);
    const rssAfterWarmupSample = rssBytes(server.pid)!;
    memory.phase = 'soak';
    log(`${name}: soak ${DURATION} s at ${CONNECTIONS} connections`);
    const load = await autocannonCountingErrors({
      url: server.url,
      connections: CONNECTIONS,
      duration: DURATION,
      requests,
    });
    const rssAtEndSample = rssBytes(server.pid)!;
    memory.stop();
    const after = await answers(server.url, index);
    const wrong = after.filter((a, i) => a !== expected[i]).length;
    const report = {
      ...loadReport(load, warm, wrong),
      ...memoryReport(memory, rssAfterWarmupSample, rssAtEndSample),
    };
    log(`${name}: ${JSON.stringify(report)}`);
    return report;
  } finally {
    memory.stop();
  }
}

/** The sample queries' answers (status, hits, shard report), to compare before and after the load. */
async function answers(url: string, index: SyntheticIndex): Promise<string[]> {
  const sample = [0, 1, 2, 3, 4].map((i) => (i * 41) % index.bodies.length);
  return Promise.all(
    sample.map(async (q) => {
      const res = await fetch(`${url}/v1/indexes/${INDEX}/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: index.bodies[q],
      });
      const body = (await res.json()) as { hits?: unknown; shards?: unknown };
      return JSON.stringify({ status: res.status, hits: body.hits, shards: body.shards });
    }),
  );
}

function loadReport(
  load: Awaited<ReturnType<typeof autocannonCountingErrors>>,
  warm: { errors: number; seconds: number; errorsByCode: Record<string, number> },
  wrong: number,
) {
  return {
    requests: load.requests.total,
    requests_per_s: round(load.requests.average, 1),
    p50_ms: load.latency.p50,
    p99_ms: load.latency.p99,
    max_ms: load.latency.max,
    errors: load.errors + load.non2xx, // autocannon's errors include its timeouts
    errors_by_kind: { transport: load.errors - load.timeouts, timeouts: load.timeouts, non_2xx: load.non2xx },
    errors_by_code: load.errorsByCode,
    warmup_errors: warm.errors,
    warmup_errors_by_code: warm.errorsByCode,
    warmup_s: warm.seconds,
    wrong_answers_after: wrong,
  };
}

function memoryReport(memory: MemorySampler, rssAfterWarmupSample: number, rssAtEndSample: number) {
  const heapAfterWarmup = memory.lastWindow('warmup', memory.heap);
  const heapAtEnd = memory.lastWindow('soak', memory.heap);
  const rssAfterWarmup = memory.lastWindow('warmup');
  const rssAtEnd = memory.lastWindow('soak');
  const soakSamples = memory.rss.filter((r) => r.phase === 'soak').map((r) => r.bytes);
  return {
    rss_after_warmup_mb: mb(rssAfterWarmup),
    rss_at_end_mb: mb(rssAtEnd),
    rss_growth: round((rssAtEnd - rssAfterWarmup) / rssAfterWarmup, 4),
    rss_growth_single_samples: round((rssAtEndSample - rssAfterWarmupSample) / rssAfterWarmupSample, 4),
    rss_max_mb: mb(Math.max(...soakSamples)),
    js_heap_after_warmup_mb: mb(heapAfterWarmup),
    js_heap_at_end_mb: mb(heapAtEnd),
    js_heap_growth: round((heapAtEnd - heapAfterWarmup) / heapAfterWarmup, 4),
    js_live_at_end_mb: mb(memory.lastWindow('soak', memory.live)),
    js_live_max_mb: mb(Math.max(...memory.live.map((s) => s.bytes))),
    rss_mb_every_5s: soakSamples.filter((_, i) => i % 5 === 4).map(mb),
  };
}

/** Starts each runtime in turn over the same index and soaks it. */
async function soakRuntimes(dir: string, index: SyntheticIndex): Promise<Record<string, unknown>> {
  const store = new LocalFolderObjectStore(join(dir, 'store'));
  for (const f of index.files) await store.put(f.key, f.bytes);
  const results: Record<string, unknown> = {};
  for (const runtime of RUNTIMES) {
    if (runtime !== 'node' && runtime !== 'workerd') {
      throw new Error(`--runtimes: unknown runtime "${runtime}" (node, workerd)`);
    }
    const running = runtime === 'node' ? await startNode(join(dir, 'store')) : await startWorkerd(dir, index);
    try {
      results[runtime] = await soak(runtime, running.server, index);
    } finally {
      await running.stop();
    }
  }
  return results;
}

async function main() {
  const started = performance.now();
  const corpus = generateCorpus({ docs: DOCS, vocab: 30_522, queries: QUERIES, seed: 42 });
  const index = await syntheticIndex(corpus, { index: INDEX, version: 'v1', shards: SHARDS, k: K });
  const indexBytes = index.files.reduce((n, f) => n + f.bytes.length, 0);
  log(`index: ${DOCS} docs, ${SHARDS} shards, ${index.manifest.postings} postings, ${mb(indexBytes)} MB`);
  const dir = await mkdtemp(join(tmpdir(), 'csplade-soak-'));
  let results: Record<string, unknown>;
  try {
    results = await soakRuntimes(dir, index);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const out = {
    docs: DOCS,
    shards: SHARDS,
    queries: QUERIES,
    k: K,
    index_bytes: indexBytes,
    duration_s: DURATION,
    node_max_old_space_mb: NODE_HEAP_MB > 0 ? NODE_HEAP_MB : 'V8 default',
    workerd_via: WORKERD_VIA === 'entry' ? "Miniflare's entry worker" : "the Worker's own socket",
    workerd_shared_cache: WORKERD_SHARED_CACHE,
    min_warmup_s: WARMUP,
    rss_window_s: WINDOW,
    connections: CONNECTIONS,
    ...results,
    seconds: round((performance.now() - started) / 1000, 1),
  };
  process.stdout.write(`${JSON.stringify(out, null, process.argv.includes('--json') ? 0 : 2)}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

await main();
