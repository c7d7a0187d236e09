/**
 * Benchmark of the edge through the real Workers runtime: the wrangler-bundled Worker in workerd
 * (Miniflare) with a local R2 bucket holding a synthetic SPLADE-like index (test/bench/synthetic-corpus.ts,
 * queried with vector queries "#<term id>": weight), measured end to end over HTTP on 127.0.0.1.
 *
 *   npm run bench:edge -- [--docs 100000] [--shards 4] [--vocab 30522] [--queries 200] [--cold 3]
 *                         [--duration 10] [--connections 8] [--k 10] [--json]
 *
 * Prints one JSON object (progress on stderr):
 * - cold: a fresh isolate (a new workerd over the same persisted bucket) per sample, its first query's
 *   latency, subrequests, bytes, and the bytes of the postings that query needs (the sum of its terms'
 *   blob lengths in every shard) — targets: subrequests ≤ 1 + 4 × shards, postings bytes read ≤ 2× needed;
 *   measured with the default plan (≤ 3 postings reads per shard), with the free plan's 50 subrequests
 *   spent on postings reads, and with a paid plan's 1,000 (the plan stops at 2× overread);
 * - warm: every query once to warm the isolate, then every query again: p50/p95/p99 and what they read
 *   (target: p50 ≤ 10 ms, nothing re-read);
 * - load: autocannon for a bounded time over the same queries (throughput, p99, errors; target 0 errors).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorker, startLocalWorker } from '../../edge/local-worker.node.ts';
import { createEncoder } from '../../shared/encoders/registry.ts';
import { assetKey, currentKey, manifestKey, shardKey } from '../../shared/index/layout.ts';
import type { IndexManifest, ShardEntry } from '../../shared/index/manifest.ts';
import { encodeCurrentPointer, encodeManifest } from '../../shared/index/manifest-codec.ts';
import { shardEntryOf } from '../../shared/index/shard-entry.ts';
import { FOOTER_BYTES } from '../../shared/shard/format.ts';
import { type InMemoryShardReader, openShardSync } from '../../shared/shard/index.ts';
import { numberArg } from './args.ts';
import { generateCorpus } from './synthetic-corpus.ts';
import { SYNTHETIC_INDEX_SCALE, writeSyntheticShards } from './synthetic-shards.ts';

/** The part of autocannon's API used here (the package ships no types). */
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: { method: string; path: string; headers: Record<string, string>; body: string }[];
}) => Promise<{
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}>;
const autocannon = ((await import('autocannon' as string)) as { default: Autocannon }).default;

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

const DOCS = numberArg('docs', 100_000);
const SHARDS = numberArg('shards', 4);
const VOCAB = numberArg('vocab', 30_522);
const QUERIES = numberArg('queries', 200);
const COLD = numberArg('cold', 3);
const DURATION = numberArg('duration', 10);
const CONNECTIONS = numberArg('connections', 8);
const K = numberArg('k', 10);
const INDEX = 'bench';
const VERSION = 'v1';

interface Cost {
  subrequests: number;
  bytes: number;
}

async function main() {
  const t0 = performance.now();
  const corpus = generateCorpus({ docs: DOCS, vocab: VOCAB, queries: QUERIES, seed: 42 });
  log(`corpus: ${DOCS} docs, ${QUERIES} queries in ${round((performance.now() - t0) / 1000)} s`);

  const indexScale = SYNTHETIC_INDEX_SCALE;
  const encoder = await createEncoder({ name: 'precomputed', vocabulary: 'bert-base-uncased' });
  const description = encoder.describe!();
  const files: { key: string; bytes: Uint8Array }[] = [];
  const shards: ShardEntry[] = [];
  const readers: InMemoryShardReader[] = [];
  writeSyntheticShards(corpus, SHARDS).forEach((written, s) => {
    const key = shardKey(INDEX, VERSION, s);
    files.push({ key, bytes: written.bytes });
    readers.push(openShardSync(key, written.bytes));
    shards.push(shardEntryOf(key, written));
  });
  const assets: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(description.assets)) {
    assets[name] = assetKey(INDEX, VERSION, name);
    files.push({ key: assets[name], bytes });
  }
  const manifest: IndexManifest = {
    formatVersion: 1,
    index: INDEX,
    version: VERSION,
    createdAt: new Date().toISOString(),
    encoder: { name: encoder.name, fingerprint: encoder.fingerprint, config: description.config, assets },
    impact: { bits: 8, scale: indexScale },
    vocabSize: encoder.vocabSize,
    docs: DOCS,
    postings: shards.reduce((n, s) => n + s.postings, 0),
    shards,
    stats: {},
  };
  files.push({ key: manifestKey(INDEX, VERSION), bytes: encodeManifest(manifest) });
  files.push({
    key: currentKey(INDEX),
    bytes: encodeCurrentPointer({
      version: VERSION,
      manifestKey: manifestKey(INDEX, VERSION),
      updatedAt: '',
    }),
  });
  const shardBytes = files.filter((f) => f.key.endsWith('.csp')).reduce((n, f) => n + f.bytes.length, 0);
  log(`index: ${SHARDS} shards, ${manifest.postings} postings, ${(shardBytes / 1e6).toFixed(1)} MB`);

  const bodies = corpus.queries.map((q) => {
    const vector: Record<string, number> = {};
    q.terms.forEach((t, i) => {
      vector[`#${t}`] = q.impacts[i];
    });
    return JSON.stringify({ vector, k: K });
  });
  const neededPostingsBytes = corpus.queries.map((q) =>
    readers.reduce(
      (n, r) => n + Array.from(q.terms).reduce((m, t) => m + (r.termInfo(t)?.length ?? 0), 0),
      0,
    ),
  );
  const hotBytes = shards.reduce((n, s) => n + s.hotRegion.length + FOOTER_BYTES, 0);

  const dir = await mkdtemp(join(tmpdir(), 'csplade-bench-edge-'));
  try {
    const scriptPath = await bundleWorker(join(dir, 'worker'));
    const persistTo = join(dir, 'r2');
    {
      const seeding = await startLocalWorker({ scriptPath, persistTo });
      for (const f of files) await seeding.bucket.put(f.key, new Uint8Array(f.bytes));
      await seeding.dispose();
    }
    const search = async (base: string, q: number) => {
      const started = performance.now();
      const res = await fetch(`${base}/v1/indexes/${INDEX}/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[q],
      });
      const body = (await res.json()) as { hits?: unknown[]; shards?: { ok: number } };
      const ms = performance.now() - started;
      if (res.status !== 200 || body.shards?.ok !== SHARDS)
        throw new Error(`query ${q}: ${res.status} ${JSON.stringify(body)}`);
      const cost = Object.fromEntries(
        (res.headers.get('x-csplade-cost') ?? '').split('; ').map((kv) => kv.split('=') as [string, string]),
      );
      return { ms, subrequests: Number(cost.subrequests), bytes: Number(cost.bytes) };
    };

    // Cold: a fresh isolate per sample (a new workerd over the persisted bucket), one query each; with
    // the default plan (≤ 3 postings reads per shard) and with the free plan's 50 subrequests spent.
    const coldRun = async (readsPerShard: number, budget = 50) => {
      const samples: (Cost & { ms: number; needed: number; q: number })[] = [];
      for (let i = 0; i < COLD; i++) {
        const worker = await startLocalWorker({
          scriptPath,
          persistTo,
          vars: {
            HOT_REGION_CACHE: 'off',
            POSTINGS_READS_PER_SHARD: String(readsPerShard),
            SUBREQUEST_BUDGET: String(budget),
          },
        });
        const q = (i * 37) % QUERIES;
        samples.push({ ...(await search(worker.url.origin, q)), needed: neededPostingsBytes[q], q });
        await worker.dispose();
      }
      log(
        `cold (${readsPerShard} reads/shard): ${samples.map((c) => `${round(c.ms, 1)} ms/${c.subrequests} req`).join(', ')}`,
      );
      const postingsRead = samples.map((c) => c.bytes - hotBytes - manifestAndPointerBytes(files));
      return {
        postings_reads_per_shard_max: readsPerShard,
        subrequest_budget: budget,
        samples: COLD,
        p50_ms: round(
          percentile(
            samples.map((c) => c.ms),
            50,
          ),
        ),
        max_ms: round(Math.max(...samples.map((c) => c.ms))),
        subrequests_max: Math.max(...samples.map((c) => c.subrequests)),
        bytes_read_mean: Math.round(samples.reduce((n, c) => n + c.bytes, 0) / COLD),
        hot_region_bytes: hotBytes,
        postings_bytes_read_mean: Math.round(postingsRead.reduce((a, b) => a + b, 0) / COLD),
        postings_bytes_needed_mean: Math.round(samples.reduce((n, c) => n + c.needed, 0) / COLD),
        postings_read_over_needed_max: round(
          Math.max(...samples.map((c, i) => postingsRead[i] / c.needed)),
          3,
        ),
      };
    };
    const cold = await coldRun(3);
    const coldWide = await coldRun(Math.floor((50 - 2 - SHARDS) / SHARDS));
    const coldPaid = await coldRun(1000, 1000);

    // Warm and load: one isolate, every query once (fills caches), then measured. CURRENT is trusted for
    // a minute so the measured pass re-reads nothing by design (after the TTL it is one 100-byte read).
    const worker = await startLocalWorker({
      scriptPath,
      persistTo,
      vars: { HOT_REGION_CACHE: 'off', CURRENT_TTL_MS: '60000' },
    });
    const base = worker.url.origin;
    const firstPass: Cost[] = [];
    for (let q = 0; q < QUERIES; q++) firstPass.push(await search(base, q));
    const warm: (Cost & { ms: number })[] = [];
    for (let q = 0; q < QUERIES; q++) warm.push(await search(base, q));
    log(
      `warm p50 ${round(
        percentile(
          warm.map((w) => w.ms),
          50,
        ),
      )} ms`,
    );

    const load = await autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: DURATION,
      requests: bodies.slice(0, Math.min(QUERIES, 100)).map((body) => ({
        method: 'POST',
        path: `/v1/indexes/${INDEX}/search`,
        headers: { 'content-type': 'application/json' },
        body,
      })),
    });
    await worker.dispose();

    const result = {
      docs: DOCS,
      shards: SHARDS,
      vocab: VOCAB,
      queries: QUERIES,
      k: K,
      postings: manifest.postings,
      index_bytes: shardBytes,
      runtime: 'workerd (Miniflare 4, wrangler-bundled edge/worker.ts), local R2, HTTP on 127.0.0.1',
      cold_subrequests_limit: 1 + 4 * SHARDS,
      cold,
      cold_free_plan_budget: coldWide,
      cold_paid_plan_budget: coldPaid,
      first_pass_in_warm_isolate: {
        subrequests_mean: round(firstPass.reduce((n, c) => n + c.subrequests, 0) / QUERIES),
        bytes_mean: Math.round(firstPass.reduce((n, c) => n + c.bytes, 0) / QUERIES),
      },
      warm: {
        p50_ms: round(
          percentile(
            warm.map((w) => w.ms),
            50,
          ),
        ),
        p95_ms: round(
          percentile(
            warm.map((w) => w.ms),
            95,
          ),
        ),
        p99_ms: round(
          percentile(
            warm.map((w) => w.ms),
            99,
          ),
        ),
        subrequests_total: warm.reduce((n, w) => n + w.subrequests, 0),
        bytes_total: warm.reduce((n, w) => n + w.bytes, 0),
      },
      load: {
        duration_s: DURATION,
        connections: CONNECTIONS,
        requests: load.requests.total,
        throughput_rps: round(load.requests.average, 1),
        p50_ms: load.latency.p50,
        p99_ms: load.latency.p99,
        errors: load.errors + load.timeouts + load.non2xx,
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, process.argv.includes('--json') ? 0 : 2)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function manifestAndPointerBytes(files: { key: string; bytes: Uint8Array }[]): number {
  return files
    .filter((f) => f.key.endsWith('manifest.msgpack') || f.key.endsWith('/CURRENT'))
    .reduce((n, f) => n + f.bytes.length, 0);
}

await main();
