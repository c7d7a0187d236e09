/**
 * Benchmark of the shard writer and reader.
 *
 *   npm run bench:shard -- [--docs 100000] [--vocab 30522] [--terms 120] [--queries 200]
 *
 * Prints one JSON object (progress on stderr). Baselines measured in the same run:
 * - writing: invert + encode every posting list (shared/postings, what any writer must do);
 *   writeShard adds CRCs, dictionary, doc map, hot region, footer and one copy into the file.
 * - reading: PostingList.decode of the query terms' blobs straight from the encoder's output;
 *   the shard path adds dictionary lookup, range coalescing, (async) reads and CRC checks (the
 *   in-memory reader checks each blob's CRC on first use only: FirstLoad vs warm).
 */
import { bytesSource } from '../../shared/io/byte-source.ts';
import { encodeAllPostingLists, invertDocuments } from '../../shared/postings/invert.ts';
import { PostingList } from '../../shared/postings/posting-list.ts';
import { mulberry32 } from '../../shared/random.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import { openShard, openShardSync, writeShard } from '../../shared/shard/index.ts';
import { randomVectors } from '../shared/shard/fixed-corpus.ts';
import { numberArg } from './args.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time<T>(fn: () => T, repeats: number): { ms: number; value: T } {
  let value = fn(); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    value = fn();
    runs.push(performance.now() - t);
  }
  return { ms: median(runs), value };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Times baseline and candidate alternately, so load from other processes hits both alike; reports
 * wall time and this process's CPU time (steadier on a shared machine), medians of `repeats`.
 */
function timePair<A, B>(
  baseline: () => A,
  candidate: () => B,
  repeats: number,
): [{ ms: number; cpuMs: number; value: A }, { ms: number; cpuMs: number; value: B }] {
  const fns = [baseline, candidate] as const;
  const values: unknown[] = fns.map((f) => f()); // warm-up
  const wall: number[][] = [[], []];
  const cpu: number[][] = [[], []];
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < 2; k++) {
      const t = performance.now();
      const c = cpuMs();
      values[k] = fns[k]();
      cpu[k].push(cpuMs() - c);
      wall[k].push(performance.now() - t);
    }
  }
  return [
    { ms: median(wall[0]), cpuMs: median(cpu[0]), value: values[0] as A },
    { ms: median(wall[1]), cpuMs: median(cpu[1]), value: values[1] as B },
  ];
}

const numDocs = numberArg('docs', 100_000);
const vocab = numberArg('vocab', 30_522);
const meanTerms = numberArg('terms', 120);
const numQueries = numberArg('queries', 200);
const repeats = numberArg('repeats', 3);

log(`generating ${numDocs} docs (~${meanTerms} terms each), vocab ${vocab}`);
const rand = mulberry32(42);
const vectors = randomVectors(rand, numDocs, vocab, 2 * meanTerms, 8);
const queries = randomVectors(rand, numQueries, vocab, 88, 8);
const externalIds = vectors.map((_, d) => `msmarco-${d * 3 + 1}`);
const postings = vectors.reduce((s, v) => s + v.terms.length, 0);
const input = { shardName: 'bench', docBase: 0, impactBits: 8, indexScale: 0.01, vectors, externalIds };

log('writing');
const [baselineWrite, written] = timePair(
  () => encodeAllPostingLists(invertDocuments(vectors, vocab)),
  () => writeShard(input),
  repeats,
);
const stored = vectors.map((_, d) => ({ title: `Document ${d}`, url: `https://example.org/${d}` }));
const writtenStored = time(() => writeShard({ ...input, storedFields: stored }), repeats);
const crcOnly = time(() => crc32(written.value.bytes), repeats);

log('reading');
const bytes = written.value.bytes;
const hint = { hotOffset: written.value.hotRegion.offset, hotLength: written.value.hotRegion.length };
const openSync = time(() => openShardSync('bench', bytes), repeats * 3);
const blobOf = new Map<number, Uint8Array>();
for (let i = 0; i < baselineWrite.value.terms.length; i++)
  blobOf.set(baselineWrite.value.terms[i], baselineWrite.value.blobs[i]);
const baselineDecode = time(() => {
  let df = 0;
  for (const q of queries)
    for (const t of q.terms) {
      const blob = blobOf.get(t);
      if (blob) df += PostingList.decode(blob).df;
    }
  return df;
}, repeats);
const coldReader = openShardSync('bench', bytes);
const t0 = performance.now();
let coldDf = 0;
for (const q of queries) for (const list of coldReader.postingsSync(q.terms).values()) coldDf += list.df;
const syncColdMs = performance.now() - t0;
if (coldDf !== baselineDecode.value) throw new Error('shard and baseline disagree on postings');
const reader = openSync.value;
const syncLoad = time(() => {
  let df = 0;
  for (const q of queries) for (const list of reader.postingsSync(q.terms).values()) df += list.df;
  return df;
}, repeats);
if (syncLoad.value !== baselineDecode.value) throw new Error('shard and baseline disagree on postings');

const source = bytesSource('bench', bytes);
const asyncRuns: number[] = [];
for (let r = 0; r < repeats; r++) {
  const t = performance.now();
  const shard = await openShard(source, hint);
  let df = 0;
  for (const q of queries) for (const list of (await shard.loadPostings(q.terms)).values()) df += list.df;
  asyncRuns.push(performance.now() - t);
  if (df !== baselineDecode.value) throw new Error('async shard path disagrees');
}

const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);
console.log(
  JSON.stringify({
    docs: numDocs,
    postings,
    fileBytes: bytes.length,
    hotRegionBytes: hint.hotLength,
    bytesPerPosting: +(bytes.length / postings).toFixed(3),
    write: {
      baselineInvertEncodeMs: +baselineWrite.ms.toFixed(1),
      writeShardMs: +written.ms.toFixed(1),
      writeShardWithStoredFieldsMs: +writtenStored.ms.toFixed(1),
      wholeFileCrcMs: +crcOnly.ms.toFixed(2),
      baselinePostingsPerSec: perSec(postings, baselineWrite.ms),
      writeShardPostingsPerSec: perSec(postings, written.ms),
      writeShardOverBaseline: +(written.ms / baselineWrite.ms).toFixed(3),
      baselineCpuMs: +baselineWrite.cpuMs.toFixed(1),
      writeShardCpuMs: +written.cpuMs.toFixed(1),
      writeShardOverBaselineCpu: +(written.cpuMs / baselineWrite.cpuMs).toFixed(3),
    },
    read: {
      openSyncMs: +openSync.ms.toFixed(3),
      queries: numQueries,
      baselineDecodeMsAllQueries: +baselineDecode.ms.toFixed(2),
      shardSyncFirstLoadMsAllQueries: +syncColdMs.toFixed(2),
      shardSyncLoadMsAllQueries: +syncLoad.ms.toFixed(2),
      shardSyncOverBaseline: +(syncLoad.ms / baselineDecode.ms).toFixed(3),
      shardAsyncOpenAndLoadMsAllQueries: +median(asyncRuns).toFixed(2),
    },
  }),
);
