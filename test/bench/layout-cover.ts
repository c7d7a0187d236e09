/**
 * What any static term order inside a shard file could do for a cold query's postings reads, on
 * bench:edge's own corpus and queries (same generator, seed, sharding and shard writer).
 *
 *   npm run bench:layout -- [--docs 100000] [--shards 4] [--vocab 30522] [--queries 200] [--reads 3]
 *
 * A cold query reads, in every shard, the blobs of its ~44 terms. bench:edge's target is at most
 * three coalesced reads per shard AND at most twice the needed bytes. Blobs are laid out in term-id
 * order today; this asks whether another order would meet both. For each order it computes, per
 * query, the fewest bytes `--reads` reads per shard can fetch (exact: interval-cover.ts), and the
 * fewest reads per shard (the same in every shard) and in total (spent where they save most) that
 * keep the read within 2× of the needed bytes, with the subrequests that implies (manifest + one
 * hot-region read per shard + postings reads). Orders: term id (today), df descending and ascending,
 * random (a control), and two oracles that know the generator's topics (topic terms grouped by the
 * first topic that lists them, other terms before or after): no real index knows its queries'
 * topics this well. Prints one JSON object.
 */
import { openShardSync } from '../../shared/shard/index.ts';
import { numberArg } from './args.ts';
import { coverBytes, gapsBetween, neededBytes } from './interval-cover.ts';
import { generateCorpus } from './synthetic-corpus.ts';
import { writeSyntheticShards } from './synthetic-shards.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

const DOCS = numberArg('docs', 100_000);
const SHARDS = numberArg('shards', 4);
const VOCAB = numberArg('vocab', 30_522);
const QUERIES = numberArg('queries', 200);
const READS = numberArg('reads', 3);
const OVERREAD = 2;

// Same corpus and sharding as test/bench/edge.ts.
const corpus = generateCorpus({ docs: DOCS, vocab: VOCAB, queries: QUERIES, seed: 42 });
/** blobLength[s][t]: bytes of term t's blob in shard s (0 when absent). */
const blobLength: Uint32Array[] = [];
const df = new Uint32Array(VOCAB);
writeSyntheticShards(corpus, SHARDS).forEach((written, s) => {
  const reader = openShardSync(`shard-${s}`, written.bytes);
  const lengths = new Uint32Array(VOCAB);
  for (let t = 0; t < VOCAB; t++) {
    const info = reader.termInfo(t);
    if (info) {
      lengths[t] = info.length;
      df[t] += info.df;
    }
  }
  blobLength.push(lengths);
  log(`shard ${s}: ${written.bytes.length} bytes`);
});

/** Term orders: order[i] = the term at position i. */
function topicOrder(nonTopicFirst: boolean): Uint32Array {
  const { topicTerms } = corpus.model;
  const placed = new Uint8Array(VOCAB);
  const topicSeq: number[] = [];
  for (const t of topicTerms) {
    if (placed[t]) continue;
    placed[t] = 1;
    topicSeq.push(t);
  }
  const rest: number[] = [];
  for (let t = 0; t < VOCAB; t++) if (!placed[t]) rest.push(t);
  return Uint32Array.from(nonTopicFirst ? [...rest, ...topicSeq] : [...topicSeq, ...rest]);
}
const ids = Uint32Array.from({ length: VOCAB }, (_, t) => t);
let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
};
const shuffled = ids.slice();
for (let i = VOCAB - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
}
const orders: Record<string, Uint32Array> = {
  term_id: ids,
  df_descending: ids.slice().sort((a, b) => df[b] - df[a] || a - b),
  df_ascending: ids.slice().sort((a, b) => df[a] - df[b] || a - b),
  random: shuffled,
  topic_oracle_common_first: topicOrder(true),
  topic_oracle_common_last: topicOrder(false),
};

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x: number) => Math.round(x * 100) / 100;

const report: Record<string, unknown> = {
  docs: DOCS,
  shards: SHARDS,
  vocab: VOCAB,
  queries: QUERIES,
  reads_per_shard: READS,
  overread_limit: OVERREAD,
  subrequest_target: 1 + 4 * SHARDS,
};
const needed: number[] = [];
for (const [name, order] of Object.entries(orders)) {
  // Blob offsets of every term in every shard under this order.
  const offsets = blobLength.map((lengths) => {
    const at = new Float64Array(VOCAB);
    let pos = 0;
    for (const t of order) {
      at[t] = pos;
      pos += lengths[t];
    }
    return at;
  });
  const ratios: number[] = [];
  const readsPerShard: number[] = [];
  const subrequestsUniform: number[] = [];
  const subrequestsBest: number[] = [];
  corpus.queries.forEach((q, qi) => {
    const perShard = blobLength.map((lengths, s) =>
      Array.from(q.terms)
        .filter((t) => lengths[t] > 0)
        .map((t): [number, number] => [offsets[s][t], offsets[s][t] + lengths[t]])
        .sort((a, b) => a[0] - b[0]),
    );
    const need = perShard.reduce((n, r) => n + neededBytes(r), 0);
    if (name === 'term_id') needed[qi] = need;
    ratios.push(perShard.reduce((n, r) => n + coverBytes(r, READS), 0) / need);
    // The same number of reads in every shard: the smallest that keeps the total within 2×.
    let r = 1;
    while (perShard.reduce((n, x) => n + coverBytes(x, r), 0) > OVERREAD * need) r++;
    readsPerShard.push(r);
    subrequestsUniform.push(1 + SHARDS * (1 + r));
    // Reads spent where they save most: cut the largest gaps of all shards first.
    let read = perShard.reduce((n, x) => n + coverBytes(x, 1), 0);
    const gaps = perShard.flatMap((x) => gapsBetween(x)).sort((a, b) => b - a);
    let extra = 0;
    while (read > OVERREAD * need) read -= gaps[extra++];
    subrequestsBest.push(1 + SHARDS + SHARDS + extra);
  });
  report[name] = {
    [`overread_with_${READS}_reads_per_shard`]: {
      p50: round(percentile(ratios, 50)),
      p95: round(percentile(ratios, 95)),
    },
    reads_per_shard_for_2x: { p50: percentile(readsPerShard, 50), p95: percentile(readsPerShard, 95) },
    subrequests_for_2x_same_reads_per_shard: {
      p50: percentile(subrequestsUniform, 50),
      p95: percentile(subrequestsUniform, 95),
    },
    subrequests_for_2x_reads_where_they_save_most: {
      p50: percentile(subrequestsBest, 50),
      p95: percentile(subrequestsBest, 95),
    },
  };
}
report.postings_bytes_needed_p50 = percentile(needed, 50);
console.log(JSON.stringify(report));
