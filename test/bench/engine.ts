/**
 * Benchmark of the postings codec and the top-k engine on the synthetic SPLADE-like corpus.
 *
 *   npm run bench:engine -- --docs 1000000 --vocab 30522 [--queries 200] [--algorithms bmp,maxscore,exhaustive]
 *     [--reorder 0|1] [--range-bits 4] [--super-bits 6] [--range-maxima-min-df N]
 *
 * Prints one JSON object (progress goes to stderr). Build = invert + encode every list.
 * Baseline = exhaustive term-at-a-time over UNcompressed typed arrays into a dense accumulator;
 * engine times include PostingList.decode of every query term's blob. speedup = baseline p50 /
 * engine p50 in this same run; exact = every query's hits (ids and scores) equal the baseline's.
 */
import { exhaustiveRawTopK, type RawQueryTerm } from '../../shared/engine/algorithms/exhaustive.ts';
import { taatMaxscore, taatStats } from '../../shared/engine/algorithms/taat-maxscore.ts';
import { DEFAULT_ALGORITHM, getAlgorithm } from '../../shared/engine/registry.ts';
import type { QueryTerm, TopKResult } from '../../shared/engine/types.ts';
import { DEFAULT_RANGE_BLOCK_BITS, DEFAULT_SUPER_BLOCK_BITS } from '../../shared/postings/format.ts';
import { encodeAllPostingLists, invertDocuments } from '../../shared/postings/invert.ts';
import { PostingList } from '../../shared/postings/posting-list.ts';
import { clusterOrder } from '../../shared/postings/reorder.ts';
import { numberArg, stringArg } from './args.ts';
import { informationFloor } from './information-floor.ts';
import { postingsEntropy } from './postings-entropy.ts';
import { generateCorpus } from './synthetic-corpus.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

const numDocs = numberArg('docs', 1_000_000);
const vocab = numberArg('vocab', 30_522);
const numQueries = numberArg('queries', 200);
const rangeBlockBits = numberArg('range-bits', DEFAULT_RANGE_BLOCK_BITS);
const superBlockBits = numberArg('super-bits', DEFAULT_SUPER_BLOCK_BITS);
const reorder = numberArg('reorder', 1) === 1;
const rangeMaximaMinDf = numberArg('range-maxima-min-df', 0) || undefined;
const rangeMaximaPostingsPerBlock = numberArg('range-maxima-postings-per-block', 0);
const algorithmNames = stringArg('algorithms', `${DEFAULT_ALGORITHM},maxscore`).split(',');

log(`generating ${numDocs} docs, vocab ${vocab}`);
const corpus = generateCorpus({ docs: numDocs, vocab, queries: numQueries });
let postings = 0;
for (const d of corpus.documents) postings += d.terms.length;

// Doc-id reordering is an indexing step of its own (not part of "build" below): BMP needs it.
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
  return { raw, blobs };
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summarize(times: number[]) {
  const s = [...times].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { p50_ms: r(percentile(s, 50)), p95_ms: r(percentile(s, 95)), p99_ms: r(percentile(s, 99)) };
}
function sameHits(a: TopKResult, b: TopKResult): boolean {
  if (a.docs.length !== b.docs.length) return false;
  for (let i = 0; i < a.docs.length; i++)
    if (a.docs[i] !== b.docs[i] || a.scores[i] !== b.scores[i]) return false;
  return true;
}

function searchEncoded(name: string, q: PreparedQuery, k: number): TopKResult {
  const terms: QueryTerm[] = q.blobs.map((b) => ({
    term: b.term,
    weight: b.weight,
    postings: PostingList.decode(b.blob),
  }));
  return getAlgorithm(name).search({ numDocs, terms, k });
}

/**
 * Baseline and every algorithm run query by query, interleaved, so that load from other
 * processes on a shared machine hits them alike.
 */
function runInterleaved(k: number) {
  for (let i = 0; i < Math.min(5, queries.length); i++) {
    exhaustiveRawTopK(numDocs, queries[i].raw, k);
    for (const name of algorithmNames) searchEncoded(name, queries[i], k);
  }
  const baseline: number[] = [];
  const times = new Map(algorithmNames.map((n) => [n, [] as number[]]));
  const exact = new Map(algorithmNames.map((n) => [n, true]));
  // Postings taat-maxscore adds up whole (its essential lists): the decoding any codec must do.
  const accumulated: number[] = [];
  for (const q of queries) {
    let t = performance.now();
    const expected = exhaustiveRawTopK(numDocs, q.raw, k);
    baseline.push(performance.now() - t);
    for (const name of algorithmNames) {
      t = performance.now();
      const result = searchEncoded(name, q, k);
      times.get(name)!.push(performance.now() - t);
      if (!sameHits(result, expected)) exact.set(name, false);
      if (name === taatMaxscore.name) accumulated.push(taatStats.essentialPostings);
    }
  }
  return { baseline, times, exact, accumulated };
}

const report: Record<string, unknown> = {
  docs: numDocs,
  vocab,
  queries: queries.length,
  postings,
  bytes_per_posting: Math.round((encoded.totalBytes / postings) * 1000) / 1000,
  // What per-posting codes can spend at best on this data, pooled and per list (bits per posting).
  entropy_bits_per_posting: postingsEntropy(inverted),
  // The floor of ANY lossless index of this corpus (context models and reordering included).
  information_floor: informationFloor(corpus.model, inverted),
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
};
const perAlgorithm: Record<string, unknown> = {};
for (const k of [10, 1000]) {
  log(`k=${k}: baseline and ${algorithmNames.join(', ')}`);
  const run = runInterleaved(k);
  const baseSummary = summarize(run.baseline);
  for (const name of algorithmNames) {
    const summary = summarize(run.times.get(name)!);
    const entry = {
      ...summary,
      exhaustive_p50_ms: baseSummary.p50_ms,
      speedup: Math.round((baseSummary.p50_ms / summary.p50_ms) * 100) / 100,
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
    if (name === DEFAULT_ALGORITHM) report[`top${k}`] = entry;
  }
}
report.algorithms = perAlgorithm;
console.log(JSON.stringify(report));
