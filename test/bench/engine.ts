/**
 * Benchmark of the postings codec, the exact top-k engine and approximate search, on a synthetic
 * SPLADE-like corpus.
 *
 *   npm run bench:engine -- --docs 1000000 --vocab 30522 [--corpus topical|independent]
 *     [--mode exact|approximate|both] [--queries 200] [--algorithms bmp,maxscore,exhaustive]
 *     [--reorder 0|1] [--range-bits 4] [--super-bits 6] [--range-maxima-min-df N]
 *     [--heap-factor F] [--query-cut N] [--block-size 32] [--cluster-size 256] [--json]
 *
 * Prints one JSON object (progress goes to stderr; `--json` is accepted for symmetry with the other
 * benches). Build = invert + encode every list. Baseline = exhaustive term-at-a-time over
 * UNcompressed typed arrays into a dense accumulator; exact engine times include PostingList.decode
 * of every query term's blob. speedup = baseline p50 / engine p50 in this same run, measured query by
 * query, interleaved; exact = every query's hits (ids and scores) equal the baseline's.
 *
 * Approximate search (shared/approximate) runs over the same clustered documents: `approximate.build`
 * is its file (forward records, routing summaries, block lists) and its bytes, reported apart from the
 * postings; `approximate.top10.recall` is the mean fraction of the exact top-10 it returns.
 * `exact.*.vs_compressed_exhaustive` compares the default exact algorithm with exhaustive scoring over
 * the same compressed lists (the floor exact mode must never fall below).
 */

import { decodeBlockLists } from '../../shared/approximate/block-lists.ts';
import { buildApproximateFile } from '../../shared/approximate/build.ts';
import { ForwardCluster } from '../../shared/approximate/forward.ts';
import { clusterRange, decodeApproxHead } from '../../shared/approximate/head.ts';
import { RoutingIndex } from '../../shared/approximate/routing.ts';
import {
  type ApproximateParams,
  ApproximateSearch,
  type ApproxShard,
  defaultApproximateParams,
} from '../../shared/approximate/search.ts';
import { taatMaxscore } from '../../shared/engine/algorithms/taat-maxscore.ts';
import { DEFAULT_ALGORITHM, getAlgorithm } from '../../shared/engine/registry.ts';
import type { QueryTerm, SearchStats, TopKResult } from '../../shared/engine/types.ts';
import { DEFAULT_RANGE_BLOCK_BITS, DEFAULT_SUPER_BLOCK_BITS } from '../../shared/postings/format.ts';
import { encodeAllPostingLists, invertDocuments } from '../../shared/postings/invert.ts';
import { PostingList } from '../../shared/postings/posting-list.ts';
import { clusterOrder } from '../../shared/postings/reorder.ts';
import { numberArg, stringArg } from './args.ts';
import { benchCorpus, corpusStats } from './bench-corpus.ts';
import { informationFloor } from './information-floor.ts';
import { postingsEntropy } from './postings-entropy.ts';
import { exhaustiveRawTopK, type RawQueryTerm } from './raw-baseline.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

const numDocs = numberArg('docs', 1_000_000);
const vocab = numberArg('vocab', 30_522);
const numQueries = numberArg('queries', 200);
const corpusKind = stringArg('corpus', 'topical');
const mode = stringArg('mode', 'both');
if (!['exact', 'approximate', 'both'].includes(mode))
  throw new Error(`--mode must be exact, approximate or both, got "${mode}"`);
const runExact = mode !== 'approximate';
const runApproximate = mode !== 'exact';
const rangeBlockBits = numberArg('range-bits', DEFAULT_RANGE_BLOCK_BITS);
const superBlockBits = numberArg('super-bits', DEFAULT_SUPER_BLOCK_BITS);
const reorder = numberArg('reorder', 1) === 1;
const rangeMaximaMinDf = numberArg('range-maxima-min-df', 0) || undefined;
const rangeMaximaPostingsPerBlock = numberArg('range-maxima-postings-per-block', 0);
const heapFactor = numberArg('heap-factor', 0);
const queryCut = numberArg('query-cut', 0);
const approxBlockSize = numberArg('block-size', 0);
const approxClusterSize = numberArg('cluster-size', 0);
const algorithmNames = [
  ...new Set([DEFAULT_ALGORITHM, 'exhaustive', ...stringArg('algorithms', '').split(',').filter(Boolean)]),
];

log(`generating ${numDocs} docs (${corpusKind}), vocab ${vocab}`);
const corpus = benchCorpus(corpusKind, { docs: numDocs, vocab, queries: numQueries });
let postings = 0;
for (const d of corpus.documents) postings += d.terms.length;

// Doc-id reordering is an indexing step of its own (not part of "build" below): pruning needs it.
const tr = performance.now();
const documents = reorder
  ? Array.from(clusterOrder(corpus.documents, vocab), (i) => corpus.documents[i])
  : corpus.documents;
const reorderMs = performance.now() - tr;
log(`reordered in ${Math.round(reorderMs)} ms; building`);
const t0 = performance.now();
const inverted = invertDocuments(documents, vocab);
const t1 = performance.now();
const encoded = encodeAllPostingLists(inverted, {
  rangeBlockBits,
  superBlockBits,
  rangeMaximaMinDf,
  rangeMaximaPostingsPerBlock,
});
const t2 = performance.now();
const blobOfTerm: (Uint8Array | undefined)[] = new Array(vocab);
encoded.terms.forEach((t, i) => {
  blobOfTerm[t] = encoded.blobs[i];
});

interface PreparedQuery {
  raw: RawQueryTerm[];
  blobs: { term: number; weight: number; blob: Uint8Array }[];
  terms: Uint32Array;
  weights: Uint16Array;
}
const queries: PreparedQuery[] = corpus.queries.map((q) => {
  const raw: RawQueryTerm[] = [];
  const blobs: PreparedQuery['blobs'] = [];
  q.terms.forEach((term, i) => {
    const blob = blobOfTerm[term];
    if (!blob) return;
    const weight = q.impacts[i];
    const from = inverted.termStarts[term];
    const to = inverted.termStarts[term + 1];
    raw.push({
      weight,
      docs: inverted.docs.subarray(from, to),
      impacts: inverted.impacts.subarray(from, to),
    });
    blobs.push({ term, weight, blob });
  });
  return { raw, blobs, terms: q.terms, weights: q.impacts };
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
function summarize(times: number[]) {
  const s = [...times].sort((a, b) => a - b);
  return {
    p50_ms: round(percentile(s, 50)),
    p95_ms: round(percentile(s, 95)),
    p99_ms: round(percentile(s, 99)),
  };
}
function sameHits(a: TopKResult, b: TopKResult): boolean {
  if (a.docs.length !== b.docs.length) return false;
  for (let i = 0; i < a.docs.length; i++)
    if (a.docs[i] !== b.docs[i] || a.scores[i] !== b.scores[i]) return false;
  return true;
}
function recallOf(found: TopKResult, truth: TopKResult): number {
  if (truth.docs.length === 0) return 1;
  const want = new Set(truth.docs);
  let hit = 0;
  for (const d of found.docs) if (want.has(d)) hit++;
  return hit / want.size;
}

function searchEncoded(name: string, q: PreparedQuery, k: number, stats?: SearchStats): TopKResult {
  const terms: QueryTerm[] = q.blobs.map((b) => ({
    term: b.term,
    weight: b.weight,
    postings: PostingList.decode(b.blob),
  }));
  return getAlgorithm(name).search({ numDocs, terms, k, stats });
}

// Approximate index of the same (clustered) documents: one shard, everything in memory.
let approxShards: ApproxShard[] = [];
let routing: RoutingIndex | undefined;
let records: ForwardCluster[] = [];
let approxBuild: Record<string, unknown> | undefined;
if (runApproximate) {
  log('building the approximate index');
  const ta = performance.now();
  const built = buildApproximateFile({
    vectors: documents,
    externalIds: Array.from({ length: numDocs }, (_, i) => `doc${i}`),
    impactBits: 8,
    vocabSize: vocab,
    settings: {
      ...(approxBlockSize > 0 ? { blockSize: approxBlockSize } : {}),
      ...(approxClusterSize > 0 ? { clusterSize: approxClusterSize } : {}),
    },
  });
  const buildMs = performance.now() - ta;
  const { offset, length } = built.head;
  const head = decodeApproxHead(built.bytes.subarray(offset, offset + length), 'bench');
  const lists = head.header.blockLists;
  const blockLists = decodeBlockLists(
    built.bytes.subarray(lists.offset, lists.offset + lists.length),
    head.header.numBlocks,
    'bench',
  );
  records = Array.from({ length: head.header.numClusters }, (_, c) => {
    const r = clusterRange(head, c);
    return ForwardCluster.parse(
      built.bytes.subarray(r.offset, r.offset + r.length),
      c * head.header.settings.clusterSize,
      'bench',
    );
  });
  approxShards = [{ docBase: 0, head, blockLists }];
  routing = RoutingIndex.build([head]);
  const perPosting = (bytes: number) => round(bytes / postings);
  approxBuild = {
    build_ms: Math.round(buildMs),
    settings: head.header.settings,
    bytes_per_posting: perPosting(built.bytes.length),
    forward_bytes_per_posting: perPosting(built.stats.forwardBytes),
    block_list_bytes_per_posting: perPosting(built.stats.blockListBytes),
    routing_bytes: built.stats.headBytes,
    clusters: built.stats.clusters,
  };
}

function approximateParams(k: number): ApproximateParams {
  const params = defaultApproximateParams(k);
  return {
    ...params,
    ...(heapFactor > 0 ? { heapFactor } : {}),
    ...(queryCut > 0 ? { queryCut } : {}),
  };
}

function searchApproximate(q: PreparedQuery, k: number) {
  const search = new ApproximateSearch(
    approxShards,
    routing,
    { terms: q.terms, weights: q.weights },
    k,
    approximateParams(k),
  );
  const outcome = search.run((_, cluster) => records[cluster]);
  if (outcome !== 'done') throw new Error('every forward record is in memory, yet the search blocked');
  return { result: search.result(), stats: search.stats };
}

/**
 * Baseline, every exact algorithm and approximate search run query by query, interleaved, so that load
 * from other processes on a shared machine hits them alike.
 */
function runInterleaved(k: number) {
  for (let i = 0; i < Math.min(5, queries.length); i++) {
    exhaustiveRawTopK(numDocs, queries[i].raw, k);
    if (runExact) for (const name of algorithmNames) searchEncoded(name, queries[i], k);
    if (runApproximate) searchApproximate(queries[i], k);
  }
  const baseline: number[] = [];
  const times = new Map(algorithmNames.map((n) => [n, [] as number[]]));
  const exact = new Map(algorithmNames.map((n) => [n, true]));
  const approx = {
    times: [] as number[],
    recall: [] as number[],
    units: [] as number[],
    docs: [] as number[],
    level: '',
  };
  // Postings taat-maxscore adds up whole (its essential lists): the decoding any codec must do.
  const accumulated: number[] = [];
  for (const q of queries) {
    let t = performance.now();
    const expected = exhaustiveRawTopK(numDocs, q.raw, k);
    baseline.push(performance.now() - t);
    if (runExact) {
      for (const name of algorithmNames) {
        const stats: SearchStats = {};
        t = performance.now();
        const result = searchEncoded(name, q, k, stats);
        times.get(name)!.push(performance.now() - t);
        if (!sameHits(result, expected)) exact.set(name, false);
        if (name === taatMaxscore.name) accumulated.push(stats.essentialPostings);
      }
    }
    if (runApproximate) {
      t = performance.now();
      const { result, stats } = searchApproximate(q, k);
      approx.times.push(performance.now() - t);
      approx.recall.push(recallOf(result, expected));
      approx.units.push(stats.unitsScored);
      approx.docs.push(stats.docsScored);
      approx.level = stats.level;
    }
  }
  return { baseline, times, exact, accumulated, approx };
}

const report: Record<string, unknown> = {
  corpus: corpusKind,
  docs: numDocs,
  vocab,
  queries: queries.length,
  postings,
  corpus_stats: corpusStats(corpus),
  bytes_per_posting: round(encoded.totalBytes / postings),
  // What per-posting codes can spend at best on this data, pooled and per list (bits per posting).
  entropy_bits_per_posting: postingsEntropy(inverted),
  // The floor of ANY lossless index of this corpus (context models and reordering included); only the
  // independent generator exposes the model it is computed from.
  information_floor: corpus.model ? informationFloor(corpus.model, inverted) : null,
  build_postings_per_s: Math.round(postings / ((t2 - t0) / 1000)),
  build_ms: { invert: Math.round(t1 - t0), encode: Math.round(t2 - t1) },
  reorder_ms: reorder ? Math.round(reorderMs) : null,
  range_block_bits: rangeBlockBits,
  super_block_bits: superBlockBits,
  range_maxima_min_df: rangeMaximaMinDf ?? Math.ceil(numDocs / 2 ** rangeBlockBits),
  range_maxima_postings_per_block: rangeMaximaPostingsPerBlock,
  default_algorithm: DEFAULT_ALGORITHM,
  mean_query_postings: Math.round(
    queries.reduce((a, q) => a + q.raw.reduce((b, t) => b + t.docs.length, 0), 0) / queries.length,
  ),
  mode,
};
const perAlgorithm: Record<string, unknown> = {};
const exactReport: Record<string, unknown> = {};
const approximateReport: Record<string, unknown> = { build: approxBuild };
for (const k of [10, 1000]) {
  log(
    `k=${k}: baseline${runExact ? `, ${algorithmNames.join(', ')}` : ''}${runApproximate ? ', approximate' : ''}`,
  );
  const run = runInterleaved(k);
  const baseSummary = summarize(run.baseline);
  const speedupOf = (p50: number) => Math.round((baseSummary.p50_ms / p50) * 100) / 100;
  if (runExact) {
    for (const name of algorithmNames) {
      const summary = summarize(run.times.get(name)!);
      const entry = {
        ...summary,
        exhaustive_p50_ms: baseSummary.p50_ms,
        speedup: speedupOf(summary.p50_ms),
        exact: run.exact.get(name)!,
        ...(name === taatMaxscore.name
          ? {
              accumulated_postings_p50: percentile(
                [...run.accumulated].sort((a, b) => a - b),
                50,
              ),
            }
          : {}),
      };
      perAlgorithm[name] ??= {};
      (perAlgorithm[name] as Record<string, unknown>)[`top${k}`] = entry;
      if (name === DEFAULT_ALGORITHM) {
        const compressed = summarize(run.times.get('exhaustive')!);
        report[`top${k}`] = entry;
        exactReport[`top${k}`] = {
          ...entry,
          compressed_exhaustive_p50_ms: compressed.p50_ms,
          vs_compressed_exhaustive: Math.round((compressed.p50_ms / summary.p50_ms) * 100) / 100,
        };
      }
    }
  }
  if (runApproximate) {
    const summary = summarize(run.approx.times);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const sortedRecall = [...run.approx.recall].sort((a, b) => a - b);
    approximateReport[`top${k}`] = {
      ...summary,
      exhaustive_p50_ms: baseSummary.p50_ms,
      speedup: speedupOf(summary.p50_ms),
      recall: round(mean(run.approx.recall), 4),
      recall_p5: round(percentile(sortedRecall, 5), 4),
      level: run.approx.level,
      params: approximateParams(k),
      units_scored_mean: round(mean(run.approx.units), 1),
      docs_scored_mean: Math.round(mean(run.approx.docs)),
    };
  }
}
if (runExact) {
  report.algorithms = perAlgorithm;
  report.exact = exactReport;
}
if (runApproximate) report.approximate = approximateReport;
console.log(JSON.stringify(report, (_, v) => (v === Infinity ? 'Infinity' : v)));
