/**
 * Benchmark of the edge through the real Workers runtime, with object storage's network modelled: the
 * wrangler-bundled Worker in workerd (Miniflare) over a local R2 bucket holding a synthetic index laid out
 * as the pipeline publishes it (documents in global cluster order, shards, approximate files, routing),
 * every store read paying the network model (shared/store/network-model.ts) for every request, measured
 * end to end over HTTP on 127.0.0.1. Vector queries ("#<term id>": weight).
 *
 *   npm run bench:edge -- [--docs 100000] [--shards 4] [--vocab 30522] [--corpus topical|independent]
 *     [--mode exact|approximate|both] [--queries 100] [--cold 30] [--duration 10] [--connections 8] [--trace]
 *     [--k 10] [--seed 1] [--filter-selectivity 0.01,0.1,0.5] [--json]
 *
 * Prints one JSON object (progress on stderr), per mode:
 * - cold: a fresh isolate (a new workerd over the persisted bucket) with an empty Cache API per sample,
 *   its first query: latency, subrequests, bytes (per shard), and what its reads cost at R2's price;
 * - cold_isolate_warm_cache: a fresh isolate whose Cache API already holds what the query needs (as
 *   after the scheduled warm-up or other isolates' queries of the same location);
 * - warm: one isolate; each query asked twice in a row, the second time measured (p50/p95/p99, bytes
 *   re-read) — a query whose bytes the isolate holds; `warm_rotation`: every query once more after all of
 *   them, when the isolate's 64 MB hold only part of the working set and the rest comes from the Cache API;
 * - recall_at_10: the fraction of the exact top-k (computed in this process) the answers hold;
 * - memory: what the isolate's caches hold after the warm pass, against their 64 MB budget;
 * and load (autocannon for a bounded time on the warm isolate: throughput, p99, errors).
 * `--filter-selectivity` adds `filters` (edge-filters.ts): per mode, the queries unfiltered and with a
 * filter passing each share of the documents — warm p50 and its ratio to the unfiltered one, bytes and
 * subrequests of a fresh isolate's first ask, recall against the exact filtered top-k.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EDGE_CACHES } from '../../edge/app.ts';
import { bundleWorker, type LocalWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { createEncoder } from '../../shared/encoders/registry.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { invertDocuments } from '../../shared/postings/invert.ts';
import { DEFAULT_NETWORK_MODEL } from '../../shared/store/network-model.ts';
import { numberArg, stringArg } from './args.ts';
import { autocannon } from './autocannon.ts';
import { type BenchCorpus, benchCorpus, corpusStats } from './bench-corpus.ts';
import { benchFilters, uOf } from './edge-filters.ts';
import { exhaustiveRawTopK } from './raw-baseline.ts';
import { writeSyntheticIndex } from './synthetic-shards.ts';

/** How long a query may go unanswered before the bench calls the local Worker hung. */
const HUNG_MS = 60_000;

/** Resolves once the folder's total size has not changed for `quietMs` (checked every 250 ms). */
async function untilStable(folder: string, quietMs = 1500): Promise<void> {
  const sizeOf = async (path: string): Promise<number> => {
    const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
    let total = 0;
    for (const e of entries) {
      const child = join(path, e.name);
      total += e.isDirectory()
        ? await sizeOf(child)
        : await stat(child).then(
            (s) => s.size,
            () => 0,
          );
    }
    return total;
  };
  let last = -1;
  let quietSince = performance.now();
  for (;;) {
    const size = await sizeOf(folder);
    if (size !== last) {
      last = size;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

const DOCS = numberArg('docs', 100_000);
const SHARDS = numberArg('shards', 4);
const VOCAB = numberArg('vocab', 30_522);
const QUERIES = numberArg('queries', 100);
const COLD = numberArg('cold', 30);
const DURATION = numberArg('duration', 10);
const CONNECTIONS = numberArg('connections', 8);
const K = numberArg('k', 10);
const SEED = numberArg('seed', 1);
const TRACE = process.argv.includes('--trace');
const CORPUS = stringArg('corpus', 'topical');
const MODE = stringArg('mode', 'both');
if (!['exact', 'approximate', 'both'].includes(MODE))
  throw new Error(`--mode must be exact, approximate or both, got "${MODE}"`);
const MODES = MODE === 'both' ? (['approximate', 'exact'] as const) : [MODE as 'exact' | 'approximate'];
const SELECTIVITIES = stringArg('filter-selectivity', '')
  .split(',')
  .filter((s) => s !== '')
  .map((s) => {
    const share = Number(s);
    if (!(share > 0 && share <= 1))
      throw new Error(`--filter-selectivity takes shares in (0, 1], got "${s}"`);
    return share;
  });
const INDEX = 'bench';
const VERSION = 'v1';
/** R2 Class B operations (reads): $0.36 per million (Cloudflare's published R2 pricing). */
const R2_USD_PER_MILLION_READS = 0.36;
const NETWORK_MODEL = { ...DEFAULT_NETWORK_MODEL };

interface Sample {
  ms: number;
  subrequests: number;
  bytes: number;
  ids: string[];
  /** What the isolate's caches held after this query (its debug block). */
  cached: Record<string, number>;
  /** The handler's own time (took_ms): the rest of `ms` is the isolate's start and HTTP. */
  handlerMs: number;
  /** The handler's phases (debug.timings_ms). */
  phases: Record<string, number>;
  /** The network model's trace of the request's I/O (printed with --trace). */
  trace: TraceEntry[];
}

/** The handler's phases as "encode+plan+fetch+score+merge" ms, for progress lines. */
function phaseLine(phases: Record<string, number>): string {
  return ['encode', 'plan', 'fetch', 'score', 'merge'].map((p) => Math.round(phases[p] ?? 0)).join('+');
}

interface TraceEntry {
  kind: string;
  queued_ms: number;
  started_ms: number;
  ended_ms: number;
  bytes: number;
}

/** A request's I/O in one line: store reads as start-end(kB), Cache API calls as c:start-end. */
function traceLine(trace: readonly TraceEntry[]): string {
  return trace
    .map((t) =>
      t.kind === 'store'
        ? `${t.started_ms}-${t.ended_ms}(${Math.round(t.bytes / 1000)}k)`
        : `c:${t.started_ms}-${t.ended_ms}`,
    )
    .join(' ');
}

type Mode = (typeof MODES)[number];
type Vector = Record<string, number>;
/** A measured query: which one, and what its answer cost. */
type Asked = { q: number; s: Sample };

/** The synthetic index as published, with its sizes. */
interface BenchIndex {
  readonly files: { key: string; bytes: Uint8Array }[];
  readonly manifest: IndexManifest;
  readonly order: Uint32Array;
  readonly shardBytes: number;
  readonly approxBytes: number;
}

/** What every measurement shares: the bundled Worker, its bucket, the query bodies and their exact answers. */
interface BenchRun {
  readonly dir: string;
  readonly scriptPath: string;
  readonly persistTo: string;
  /** The Worker's vars: each call gives the network model a new seed. */
  readonly vars: (extra?: Record<string, string>) => Record<string, string>;
  readonly bodies: Vector[];
  readonly truth: Set<string>[];
}

/** The queries asked cold (each in a fresh isolate). */
const COLD_QUERIES = Array.from({ length: COLD }, (_, i) => (i * 37) % QUERIES);

async function main() {
  const started = performance.now();
  const t0 = performance.now();
  const corpus = benchCorpus(CORPUS, { docs: DOCS, vocab: VOCAB, queries: QUERIES, seed: 42 });
  log(`corpus: ${DOCS} docs (${CORPUS}), ${QUERIES} queries in ${round((performance.now() - t0) / 1000)} s`);
  const index = await buildIndex(corpus);
  const { inverted, truth } = exactAnswers(corpus, index.order);
  const bodies = corpus.queries.map((q) => {
    const vector: Vector = {};
    q.terms.forEach((t, i) => {
      vector[`#${t}`] = q.impacts[i];
    });
    return vector;
  });

  const dir = await mkdtemp(join(tmpdir(), 'csplade-bench-edge-'));
  try {
    const scriptPath = await bundleWorker(join(dir, 'worker'));
    const persistTo = join(dir, 'r2');
    await seedBucket(scriptPath, persistTo, index.files);
    let sampleSeed = SEED;
    const vars = (extra: Record<string, string> = {}) => ({
      NETWORK_MODEL: JSON.stringify({ ...NETWORK_MODEL, seed: sampleSeed++ }),
      ...extra,
    });
    const run: BenchRun = { dir, scriptPath, persistTo, vars, bodies, truth };
    const report = reportHeader(corpus, index);
    for (const mode of MODES) {
      const { result, load } = await benchMode(run, mode);
      report[mode] = result;
      if (load) report.load = load;
    }
    if (SELECTIVITIES.length > 0) {
      report.filters = await benchFilters(
        {
          scriptPath,
          persistTo,
          vars,
          index: INDEX,
          modes: MODES,
          k: K,
          queries: corpus.queries,
          bodies,
          inverted,
          order: index.order,
        },
        SELECTIVITIES,
      );
    }
    report.wall_s = round((performance.now() - started) / 1000, 1);
    process.stdout.write(`${JSON.stringify(report, null, process.argv.includes('--json') ? 0 : 2)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes the synthetic index as the pipeline publishes it, with the encoder the queries need. */
async function buildIndex(corpus: BenchCorpus): Promise<BenchIndex> {
  const encoder = await createEncoder({ name: 'precomputed', vocabulary: 'bert-base-uncased' });
  const description = encoder.describe!();
  const t1 = performance.now();
  const { files, manifest, order } = await writeSyntheticIndex(corpus.documents, {
    index: INDEX,
    version: VERSION,
    shards: SHARDS,
    vocab: VOCAB,
    encoder: { name: encoder.name, fingerprint: encoder.fingerprint, config: description.config },
    vocabSize: encoder.vocabSize,
    assets: description.assets,
    ...(SELECTIVITIES.length > 0
      ? { filterable: { schema: { u: 'number' as const }, metadata: (doc: number) => ({ u: uOf(doc) }) } }
      : {}),
  });
  const shardBytes = files.filter((f) => f.key.endsWith('.csp')).reduce((n, f) => n + f.bytes.length, 0);
  const approxBytes = files.filter((f) => f.key.endsWith('.approx')).reduce((n, f) => n + f.bytes.length, 0);
  log(
    `index: ${SHARDS} shards, ${manifest.postings} postings, ${(shardBytes / 1e6).toFixed(1)} MB shards + ${(approxBytes / 1e6).toFixed(1)} MB approximate files in ${round((performance.now() - t1) / 1000)} s`,
  );
  return { files, manifest, order, shardBytes, approxBytes };
}

/** The exact answer of every query, in this process (ids are "doc<corpus position>"). */
function exactAnswers(corpus: BenchCorpus, order: Uint32Array) {
  const placed = Array.from(order, (i) => corpus.documents[i]);
  const inverted = invertDocuments(placed, VOCAB);
  const truth = corpus.queries.map((q) => {
    const raw = Array.from(q.terms, (t, i) => ({
      weight: q.impacts[i],
      docs: inverted.docs.subarray(inverted.termStarts[t], inverted.termStarts[t + 1]),
      impacts: inverted.impacts.subarray(inverted.termStarts[t], inverted.termStarts[t + 1]),
    }));
    return new Set(Array.from(exhaustiveRawTopK(DOCS, raw, K).docs, (d) => `doc${order[d]}`));
  });
  return { inverted, truth };
}

async function seedBucket(
  scriptPath: string,
  persistTo: string,
  files: readonly { key: string; bytes: Uint8Array }[],
): Promise<void> {
  const t2 = performance.now();
  const seeding = await startLocalWorker({ scriptPath, persistTo });
  for (const f of files) await seeding.bucket.put(f.key, new Uint8Array(f.bytes));
  await seeding.dispose();
  log(`seeded the local R2 bucket in ${round((performance.now() - t2) / 1000)} s`);
}

function reportHeader(corpus: BenchCorpus, index: BenchIndex): Record<string, unknown> {
  return {
    docs: DOCS,
    shards: SHARDS,
    vocab: VOCAB,
    corpus: CORPUS,
    corpus_stats: corpusStats(corpus),
    queries: QUERIES,
    k: K,
    postings: index.manifest.postings,
    index_bytes: {
      shards: index.shardBytes,
      approximate_files: index.approxBytes,
      routing: index.manifest.approximate!.routing.size,
    },
    runtime:
      'workerd (Miniflare 4, wrangler-bundled edge/worker.ts), local R2 behind the network model, HTTP on 127.0.0.1',
    network_model: NETWORK_MODEL,
    r2_usd_per_million_reads: R2_USD_PER_MILLION_READS,
  };
}

/** One mode: cold, cold isolate with a warm cache, warm, and (for the first mode) load. */
async function benchMode(
  run: BenchRun,
  mode: Mode,
): Promise<{ result: Record<string, unknown>; load?: Record<string, unknown> }> {
  const cold = await coldSamples(run, mode);
  const cachedCold = await cachedColdSamples(run, mode);
  // Warm: one isolate (CURRENT trusted for a minute); each query twice in a row, the second measured.
  const worker = await startLocalWorker({
    scriptPath: run.scriptPath,
    persistTo: run.persistTo,
    cachePersist: false,
    vars: run.vars({ CURRENT_TTL_MS: '60000' }),
  });
  const warm: Asked[] = [];
  for (let q = 0; q < QUERIES; q++) {
    await search(worker, run.bodies, q, mode);
    warm.push({ q, s: await search(worker, run.bodies, q, mode) });
  }
  const rotation: Asked[] = [];
  for (let q = 0; q < QUERIES; q++) rotation.push({ q, s: await search(worker, run.bodies, q, mode) });
  log(
    `${mode} warm p50 ${round(
      percentile(
        warm.map(({ s }) => s.ms),
        50,
      ),
    )} ms`,
  );
  const result = modeReport(run.truth, cold, cachedCold, warm, rotation);
  const load = mode === MODES[0] ? await loadReport(worker, run.bodies, mode) : undefined;
  await worker.dispose();
  return { result, ...(load ? { load } : {}) };
}

/** Cold: a fresh isolate and an empty Cache API per sample. */
async function coldSamples(run: BenchRun, mode: Mode): Promise<Asked[]> {
  const cold = await freshIsolateSamples(
    run,
    mode,
    false,
    (q, s) => `  cold q${q}: ${Math.round(s.ms)} ms: ${traceLine(s.trace)}`,
  );
  log(`${mode} cold: ${cold.map(({ s }) => `${Math.round(s.ms)} (${phaseLine(s.phases)})`).join(' ')} ms`);
  return cold;
}

/** Fresh isolates over a Cache API that already holds what the queries read (filled by one pass). */
async function cachedColdSamples(run: BenchRun, mode: Mode): Promise<Asked[]> {
  const cacheDir = join(run.dir, `cache-${mode}`);
  {
    const filler = await startLocalWorker({
      scriptPath: run.scriptPath,
      persistTo: run.persistTo,
      cachePersist: cacheDir,
      vars: run.vars(),
    });
    for (const q of COLD_QUERIES) await search(filler, run.bodies, q, mode);
    // The Cache API puts run after each response (waitUntil): disposing the runtime while they are
    // still being written would leave a half-written cache behind, so wait until it stops growing.
    await untilStable(cacheDir);
    await filler.dispose();
  }
  const cachedCold = await freshIsolateSamples(
    run,
    mode,
    cacheDir,
    (q, s) => `  cached q${q}: ${Math.round(s.ms)} ms (${phaseLine(s.phases)}): ${traceLine(s.trace)}`,
  );
  log(`${mode} cold isolate, warm cache: ${cachedCold.map(({ s }) => `${Math.round(s.ms)}`).join(' ')} ms`);
  return cachedCold;
}

/**
 * Each cold query once, each in a fresh isolate whose Cache API is `cachePersist` (false: empty); with
 * --trace, `traceOf` says what each one read.
 */
async function freshIsolateSamples(
  run: BenchRun,
  mode: Mode,
  cachePersist: false | string,
  traceOf: (q: number, s: Sample) => string,
): Promise<Asked[]> {
  const samples: Asked[] = [];
  for (const q of COLD_QUERIES) {
    const w = await startLocalWorker({
      scriptPath: run.scriptPath,
      persistTo: run.persistTo,
      cachePersist,
      vars: run.vars(),
    });
    const s = await search(w, run.bodies, q, mode);
    samples.push({ q, s });
    if (TRACE) log(traceOf(q, s));
    await w.dispose();
  }
  return samples;
}

/** One query over HTTP, its answer checked (every shard answered, in the mode asked) and its debug block kept. */
async function search(w: LocalWorker, bodies: readonly Vector[], q: number, mode: string): Promise<Sample> {
  const t = performance.now();
  const res = await fetch(`${w.url.origin}/v1/indexes/${INDEX}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vector: bodies[q], k: K, mode, debug: true }),
    // The Worker answers within its 20 s request deadline; silence past this means the runtime hung.
    signal: AbortSignal.timeout(HUNG_MS),
  }).catch((error: unknown) => {
    throw new Error(`query ${q} (${mode}): no answer from the local Worker within ${HUNG_MS} ms`, {
      cause: error,
    });
  });
  const body = (await res.json()) as {
    hits?: { id: string }[];
    mode?: string;
    shards?: { ok: number };
    took_ms?: number;
    debug?: {
      subrequests: number;
      bytes: number;
      cached_bytes: Record<string, unknown>;
      timings_ms: Record<string, number>;
      network?: { trace?: TraceEntry[] } | null;
    };
  };
  const ms = performance.now() - t;
  if (res.status !== 200 || body.shards?.ok !== SHARDS || body.mode !== mode)
    throw new Error(`query ${q} (${mode}): ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
  return {
    ms,
    subrequests: body.debug!.subrequests,
    bytes: body.debug!.bytes,
    ids: body.hits!.map((h) => h.id),
    cached: flatten(body.debug!.cached_bytes),
    handlerMs: body.took_ms ?? 0,
    phases: body.debug!.timings_ms,
    trace: body.debug!.network?.trace ?? [],
  };
}

/** The report of one mode: recall, and per kind of sample its latencies, subrequests and bytes. */
function modeReport(
  truth: readonly Set<string>[],
  cold: Asked[],
  cachedCold: Asked[],
  warm: Asked[],
  rotation: Asked[],
): Record<string, unknown> {
  const memory = warm[warm.length - 1].s.cached;
  const coldSubrequests = mean(cold.map(({ s }) => s.subrequests));
  return {
    recall_at_10: round(recallOf(truth, [...cold, ...warm]), 4),
    cold: {
      samples: cold.length,
      ...latencies(cold),
      max_ms: round(Math.max(...cold.map(({ s }) => s.ms))),
      subrequests_mean: round(coldSubrequests),
      subrequests_max: Math.max(...cold.map(({ s }) => s.subrequests)),
      bytes_mean: Math.round(mean(cold.map(({ s }) => s.bytes))),
      bytes_per_shard: Math.round(mean(cold.map(({ s }) => s.bytes)) / SHARDS),
      usd_per_million_queries: round(coldSubrequests * R2_USD_PER_MILLION_READS, 3),
    },
    cold_isolate_warm_cache: {
      samples: cachedCold.length,
      ...latencies(cachedCold),
      subrequests_mean: round(mean(cachedCold.map(({ s }) => s.subrequests))),
    },
    warm: {
      ...latencies(warm),
      subrequests_total: warm.reduce((n, { s }) => n + s.subrequests, 0),
      bytes_total: warm.reduce((n, { s }) => n + s.bytes, 0),
    },
    warm_rotation: {
      ...latencies(rotation),
      subrequests_total: rotation.reduce((n, { s }) => n + s.subrequests, 0),
    },
    memory: {
      ...memory,
      budget_bytes: Object.values(DEFAULT_EDGE_CACHES).reduce(
        (n: number, v) => n + (typeof v === 'number' ? v : 0),
        0,
      ),
    },
  };
}

/** Load: autocannon for a bounded time on the warm isolate. */
async function loadReport(worker: LocalWorker, bodies: readonly Vector[], mode: Mode) {
  const load = await autocannon({
    url: worker.url.origin,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: bodies.slice(0, QUERIES).map((vector) => ({
      method: 'POST',
      path: `/v1/indexes/${INDEX}/search`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vector, k: K, mode }),
    })),
  });
  return {
    mode,
    duration_s: DURATION,
    connections: CONNECTIONS,
    requests: load.requests.total,
    throughput_rps: round(load.requests.average, 1),
    p50_ms: load.latency.p50,
    p99_ms: load.latency.p99,
    errors: load.errors + load.timeouts + load.non2xx,
  };
}

/** Of each query's exact top-k, the share its answer holds (1 for a query without hits), averaged. */
function recallOf(truth: readonly Set<string>[], samples: Asked[]): number {
  return mean(
    samples.map(({ q, s }) =>
      truth[q].size === 0 ? 1 : s.ids.filter((id) => truth[q].has(id)).length / truth[q].size,
    ),
  );
}

function latencies(samples: { s: Sample }[]) {
  const ms = samples.map(({ s }) => s.ms);
  const phase = (name: string) =>
    round(
      percentile(
        samples.map(({ s }) => s.phases[name] ?? 0),
        50,
      ),
    );
  return {
    p50_ms: round(percentile(ms, 50)),
    p95_ms: round(percentile(ms, 95)),
    p99_ms: round(percentile(ms, 99)),
    // Where the median went: the handler's phases (edge/search/phase-timer.ts) and what lies outside it.
    handler_p50_ms: round(
      percentile(
        samples.map(({ s }) => s.handlerMs),
        50,
      ),
    ),
    encode_p50_ms: phase('encode'),
    plan_p50_ms: phase('plan'),
    fetch_p50_ms: phase('fetch'),
    score_p50_ms: phase('score'),
    merge_p50_ms: phase('merge'),
  };
}

/** The debug block's cached bytes as flat numbers, with their total. */
function flatten(cached: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(cached)) if (typeof v === 'number') out[k] = v;
  out.total_bytes = Object.values(out).reduce((a, b) => a + b, 0);
  return out;
}

await main();
