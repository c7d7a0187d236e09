/**
 * The build stage: a complete run → one unpublished version's files. Loads the run's documents and their
 * cached encoder outputs shard by shard, lets the encoder finalize them (BM25 weighting), prunes, quantizes with one
 * impact scale for the whole index (max kept weight → impactScale), cuts the documents into `shards`
 * contiguous ranges, and writes each shard and the query-side assets under the version's prefix (publish
 * reads every shard back to check size and checksum before anything refers to it). Nothing here is visible
 * to readers: a version exists for them only once publish writes its manifest and moves CURRENT.
 */

import type { FilterableSchema } from '../../shared/docvalues/schema.ts';
import { assetKey } from '../../shared/index/layout.ts';
import type { ApproximateIndexEntry, EncoderDescriptor, ShardEntry } from '../../shared/index/manifest.ts';
import { impactScale } from '../../shared/sparse/quantize.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { ResolvedBuildSettings } from './build-settings.ts';
import type { DocValuesPlan } from './doc-values-stage.ts';
import type { DocumentEncoder, Finalizer } from './document-encoder.ts';
import { EncodingCache } from './encoding-cache.ts';
import { EmptyRunError } from './errors.ts';
import { loadCompleteRun, type RunDocuments } from './load-run.ts';
import { openDocumentEncoder } from './open-document-encoder.ts';
import { equalRanges, type Placement, placeByCluster } from './placement.ts';
import { countDocumentFrequencies, highDocumentFrequencyTerms } from './prune.ts';
import { type FinalVectors, QuantizedChunks, RunVectors } from './run-vectors.ts';
import { type WrittenShards, writeShards } from './write-shards.ts';

/** The run a build reads and the version it writes; how to build comes apart, as ResolvedBuildSettings. */
export interface BuildJob {
  readonly store: ObjectStore;
  readonly index: string;
  readonly run: string;
  readonly version: string;
  /** Reuse an open adapter (the `index` verb has one); otherwise rebuilt from the parts' spec. */
  readonly encoder?: DocumentEncoder;
  /** When given, the run must have exactly this many workers. */
  readonly workers?: number;
  /** Called as the build goes: documents through the statistics and prune passes, shards written. */
  readonly onProgress?: ProgressReport;
}

type ProgressReport = (stage: string, done: number, total: number, unit: string) => void;

/** Everything publish needs besides the version's files, which are in the store already. */
export interface BuiltVersion {
  readonly index: string;
  readonly version: string;
  readonly run: string;
  readonly encoder: EncoderDescriptor;
  readonly impact: { readonly bits: number; readonly scale: number };
  readonly vocabSize: number;
  readonly docs: number;
  readonly postings: number;
  readonly shards: ShardEntry[];
  readonly approximate?: ApproximateIndexEntry;
  readonly filterable?: FilterableSchema;
  readonly storedText?: boolean;
  readonly bytesWritten: number;
  readonly stats: Record<string, unknown>;
}

export async function buildVersion(job: BuildJob, settings: ResolvedBuildSettings): Promise<BuiltVersion> {
  const report = job.onProgress ?? (() => {});
  const clock = new StageClock();
  const loaded = await openRun(job, settings.shards);
  clock.lap('loadRun');
  const finalizer = await prepareFinalizer(loaded, report);
  const vectors = loaded.vectors.finalizeWith(finalizer, settings.pruning);
  clock.lap('finalize');
  const removedTerms = await dropHighDocumentFrequencyTerms(vectors, loaded.n, finalizer.vocabSize, settings);
  const weights = await measureWeights(vectors, loaded.n, settings, report);
  const { impact } = weights;
  clock.lap('prune');
  const quantized = new QuantizedChunks(vectors, weights.kept, impact.scale, impact.bits);
  const reorderStart = performance.now();
  const placement = await placeDocuments(loaded.n, quantized, finalizer.vocabSize, settings);
  const reorderSeconds = (performance.now() - reorderStart) / 1000;
  clock.lap('placeDocuments');
  const docValues: DocValuesPlan = {
    filterable: settings.filterable,
    storeText: loaded.documents.parts.every((p) => p.storeText === true),
  };
  const written = await writeShards({
    store: job.store,
    index: job.index,
    version: job.version,
    documents: loaded.documents,
    placement,
    quantized,
    impact,
    vocabSize: finalizer.vocabSize,
    docValues,
    settings,
    report,
  });
  clock.lap('quantizeWriteShards');
  const assets = await writeAssets(job, finalizer);
  clock.lap('assets');
  return describeBuilt({
    job,
    settings,
    documents: loaded.documents,
    finalizer,
    impact,
    postings: weights.postings,
    written,
    assets,
    docValues,
    stats: {
      removedHighDfTerms: removedTerms,
      maxWeight: weights.maxWeight,
      seconds: clock.seconds,
      reorderSeconds,
    },
  });
}

/** Seconds spent in each named stage, each lap measured from the end of the one before. */
class StageClock {
  readonly seconds: Record<string, number> = {};
  #last = performance.now();

  lap(stage: string): void {
    const now = performance.now();
    this.seconds[stage] = (now - this.#last) / 1000;
    this.#last = now;
  }
}

interface LoadedRun {
  readonly documents: RunDocuments;
  readonly encoder: DocumentEncoder;
  readonly vectors: RunVectors;
  /** Documents in the run. */
  readonly n: number;
}

/** The run's documents, its encoder and the cache of their vectors, cut into one arrival chunk per shard. */
async function openRun(job: BuildJob, shards: number): Promise<LoadedRun> {
  const documents = await loadCompleteRun(job.store, job.index, job.run, job.workers);
  const encoder = job.encoder ?? (await openDocumentEncoder(documents.parts[0].encoderSpec));
  const cache = new EncodingCache({
    store: job.store,
    fingerprint: documents.parts[0].cacheFingerprint,
    writerName: 'read-only',
    vocabulary: encoder.openVocabulary,
  });
  await cache.loadIndex();
  const n = documents.ids.length;
  if (n === 0) throw new EmptyRunError(job.run);
  // Never more shards than documents: an empty shard costs a read per query and holds nothing.
  const shardCount = Math.min(shards, n);
  // The run is loaded in arrival chunks (one per shard); where documents end up is decided later.
  const vectors = new RunVectors(cache, documents.hashes, equalRanges(n, shardCount));
  return { documents, encoder, vectors, n };
}

/** The statistics pass: the encoder sees every cached vector once and returns how to finalize them. */
async function prepareFinalizer(run: LoadedRun, report: ProgressReport): Promise<Finalizer> {
  const { n, vectors } = run;
  return run.encoder.prepare(async (visit) => {
    let done = 0;
    report('build: statistics', 0, n, 'documents');
    for (let s = 0; s < vectors.chunks.length; s++) {
      for (const v of await vectors.cached(s)) {
        visit(v);
        if (++done % 1000 === 0) report('build: statistics', done, n, 'documents');
      }
    }
    report('build: statistics', n, n, 'documents');
  });
}

/**
 * Document frequency over the unpruned vectors, then top-k: a term removed for its df leaves its place
 * in a document's top-k to a term that discriminates. Returns how many terms were removed.
 */
async function dropHighDocumentFrequencyTerms(
  vectors: FinalVectors,
  n: number,
  vocabSize: number,
  settings: ResolvedBuildSettings,
): Promise<number> {
  const { maxDfRatio } = settings.pruning;
  if (maxDfRatio === undefined || maxDfRatio >= 1) return 0;
  const df = new Uint32Array(vocabSize);
  for (let s = 0; s < vectors.chunks.length; s++) countDocumentFrequencies(await vectors.finalized(s), df);
  const high = highDocumentFrequencyTerms(df, n, maxDfRatio);
  vectors.dropTermsOf(high.removed > 0 ? high.drop : null);
  return high.removed;
}

/**
 * The weights pass: the largest kept weight, which sets the one impact scale of the index, and the
 * postings count. Pruned vectors are kept for the later passes while they fit the budget, so most builds
 * transform each document once; beyond it, the write pass loads and transforms its shard again.
 */
async function measureWeights(
  vectors: FinalVectors,
  n: number,
  settings: ResolvedBuildSettings,
  report: ProgressReport,
) {
  const budget = settings.memoryBudgetPostings;
  let maxWeight = 0;
  let postings = 0;
  const kept: (SparseVector[] | undefined)[] = [];
  report('build: weights', 0, n, 'documents');
  for (let s = 0; s < vectors.chunks.length; s++) {
    const pruned = await vectors.pruned(s);
    report('build: weights', vectors.chunks[s].to, n, 'documents');
    for (const v of pruned) {
      postings += v.terms.length;
      for (let i = 0; i < v.weights.length; i++) if (v.weights[i] > maxWeight) maxWeight = v.weights[i];
    }
    if (postings <= budget) kept[s] = pruned;
  }
  // An index whose every document lost all terms still needs a valid scale; 1 is as good as any.
  const bits = settings.impactBits;
  const impact = { bits, scale: impactScale(maxWeight > 0 ? maxWeight : 1, bits) };
  return { maxWeight, postings, kept, impact };
}

/** Where each document goes: in cluster order (the default) or as it arrived, cut into equal shards. */
async function placeDocuments(
  n: number,
  quantized: QuantizedChunks,
  vocabSize: number,
  settings: ResolvedBuildSettings,
): Promise<Placement> {
  const chunks = quantized.chunks;
  if (settings.docOrder !== 'cluster') return { order: null, ranges: chunks };
  return placeByCluster({
    n,
    shardCount: chunks.length,
    vocabSize,
    chunks,
    chunkVectors: quantized.of,
    allInMemory: quantized.allInMemory,
  });
}

/** The query-side assets of the encoder (BM25 statistics, a vocabulary), under the version's prefix. */
async function writeAssets(job: BuildJob, finalizer: Finalizer) {
  const keys: Record<string, string> = {};
  let bytesWritten = 0;
  for (const [name, bytes] of Object.entries(finalizer.description.assets)) {
    const key = assetKey(job.index, job.version, name);
    await job.store.put(key, bytes);
    bytesWritten += bytes.length;
    keys[name] = key;
  }
  return { keys, bytesWritten };
}

interface BuildOutcome {
  readonly job: BuildJob;
  readonly settings: ResolvedBuildSettings;
  readonly documents: RunDocuments;
  readonly finalizer: Finalizer;
  readonly impact: { readonly bits: number; readonly scale: number };
  readonly postings: number;
  readonly written: WrittenShards;
  readonly assets: { keys: Record<string, string>; bytesWritten: number };
  readonly docValues: DocValuesPlan;
  readonly stats: {
    removedHighDfTerms: number;
    maxWeight: number;
    seconds: Record<string, number>;
    reorderSeconds: number;
  };
}

function describeBuilt(outcome: BuildOutcome): BuiltVersion {
  const { job, finalizer, written, docValues, documents } = outcome;
  return {
    index: job.index,
    version: job.version,
    run: job.run,
    encoder: {
      name: finalizer.description.config.name,
      fingerprint: finalizer.fingerprint,
      config: { ...finalizer.description.config },
      assets: outcome.assets.keys,
    },
    impact: outcome.impact,
    vocabSize: finalizer.vocabSize,
    docs: documents.ids.length,
    postings: outcome.postings,
    shards: written.shards,
    ...(written.approximate ? { approximate: written.approximate } : {}),
    ...(Object.keys(docValues.filterable).length > 0 ? { filterable: { ...docValues.filterable } } : {}),
    ...(docValues.storeText ? { storedText: true } : {}),
    bytesWritten: written.bytesWritten + outcome.assets.bytesWritten,
    stats: buildStats(outcome),
  };
}

function buildStats(outcome: BuildOutcome): Record<string, unknown> {
  const { parts } = outcome.documents;
  const { filterStats } = outcome.written;
  return {
    pruning: { ...outcome.settings.pruning },
    removedHighDfTerms: outcome.stats.removedHighDfTerms,
    maxWeight: outcome.stats.maxWeight,
    workers: parts.length,
    rejected: parts.reduce((sum, p) => sum + p.counts.rejected, 0),
    encoded: parts.reduce((sum, p) => sum + p.counts.encoded, 0),
    reused: parts.reduce((sum, p) => sum + p.counts.reused, 0),
    buildSeconds: outcome.stats.seconds,
    docOrder: outcome.settings.docOrder,
    // Included in buildSeconds.placeDocuments.
    reorderSeconds: outcome.stats.reorderSeconds,
    // The encoding cache the version was built from: gc keeps cache/<fingerprint>/ while a version names it.
    cacheFingerprint: parts[0].cacheFingerprint,
    ...(Object.keys(filterStats).length > 0 ? { filterable: filterStats } : {}),
  };
}
