/**
 * The build stage: a complete run → one unpublished version's files. Loads the run's documents and their
 * cached encoder outputs shard by shard, lets the encoder finalize them (BM25 weighting), prunes, quantizes with one
 * impact scale for the whole index (max kept weight → impactScale), cuts the documents into `shards`
 * contiguous ranges, and writes each shard and the query-side assets under the version's prefix (publish
 * reads every shard back to check size and checksum before anything refers to it). Nothing here is visible
 * to readers: a version exists for them only once publish writes its manifest and moves CURRENT.
 */
import {
  type BuiltApproximateFile,
  buildApproximateFile,
  resolveApproximateSettings,
  shardRoutingEntries,
} from '../../shared/approximate/build.ts';
import type { ApproximateBuildSettings } from '../../shared/approximate/format.ts';
import { approximateEntries } from '../../shared/approximate/index-files.ts';
import type { FilterableSchema } from '../../shared/docvalues/schema.ts';
import { approximateKey, assetKey, routingKey, shardKey } from '../../shared/index/layout.ts';
import type { ApproximateIndexEntry, EncoderDescriptor, ShardEntry } from '../../shared/index/manifest.ts';
import { checksumHex, shardEntryOf } from '../../shared/index/shard-entry.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import { writeShard } from '../../shared/shard/writer.ts';
import { DEFAULT_IMPACT_BITS, impactScale, quantizeVector } from '../../shared/sparse/quantize.ts';
import type { QuantizedVector, SparseVector } from '../../shared/sparse/types.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import {
  type DocValuesPlan,
  type FilterFieldStats,
  wantsDocValues,
  writeDocValues,
} from './doc-values-stage.ts';
import type { DocumentEncoder } from './document-encoder.ts';
import { EncodingCache } from './encoding-cache.ts';
import { EmptyRunError, PipelineConfigError, ShardVerificationError } from './errors.ts';
import { loadCompleteRun } from './load-run.ts';
import { openDocumentEncoder } from './open-document-encoder.ts';
import { equalRanges, type Placement, placeByCluster } from './placement.ts';
import {
  checkPruningOptions,
  countDocumentFrequencies,
  dropTerms,
  highDocumentFrequencyTerms,
  type PruningOptions,
  pruneDocument,
} from './prune.ts';

export interface BuildOptions {
  readonly store: ObjectStore;
  readonly index: string;
  readonly run: string;
  readonly version: string;
  readonly shards?: number;
  readonly impactBits?: number;
  readonly pruning?: PruningOptions;
  /** Reuse an open adapter (the `index` verb has one); otherwise rebuilt from the parts' spec. */
  readonly encoder?: DocumentEncoder;
  /** When given, the run must have exactly this many workers. */
  readonly workers?: number;
  /** Postings of pruned vectors held between passes (default 64M, ~0.5 GB); larger builds reload. */
  readonly memoryBudgetPostings?: number;
  /**
   * Doc-id order inside each shard. 'cluster' (default) gives documents about the same things
   * neighbouring ids (shared/postings/reorder.ts), which is what lets block-max pruning skip most
   * of a shard; 'arrival' keeps corpus order. Hits and scores are the same either way; only the
   * order among equal scores (smaller doc id first) can differ.
   */
  readonly docOrder?: DocOrder;
  /** Called as the build goes: documents through the statistics and prune passes, shards written. */
  readonly onProgress?: (stage: string, done: number, total: number, unit: string) => void;
  /** Write each shard's approximate-search file and the routing object (default true). */
  readonly approximate?: boolean;
  /** Settings of those files (shared/approximate/format.ts); defaults otherwise. */
  readonly approximateSettings?: Partial<ApproximateBuildSettings>;
  /**
   * The search mode a request without `mode` gets: 'auto' (default) makes it approximate from
   * APPROXIMATE_DEFAULT_MIN_DOCS documents on, where exact search's work grows with the corpus.
   */
  readonly defaultMode?: DefaultMode;
  /**
   * Metadata fields requests may filter on (csplade index --filterable lang:keyword,year:number): each
   * shard gets a doc-values file with their structures. Text is stored there too when the run kept it
   * (encoded with --store-text).
   */
  readonly filterable?: FilterableSchema;
}

export type DefaultMode = 'auto' | 'exact' | 'approximate';
export const DEFAULT_MODES: readonly DefaultMode[] = ['auto', 'exact', 'approximate'];
export const APPROXIMATE_DEFAULT_MIN_DOCS = 100_000;

export type DocOrder = 'cluster' | 'arrival';
export const DOC_ORDERS: readonly DocOrder[] = ['cluster', 'arrival'];

export const DEFAULT_MEMORY_BUDGET_POSTINGS = 64 * 1024 * 1024;

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

export async function buildVersion(options: BuildOptions): Promise<BuiltVersion> {
  const { store, index, run, version } = options;
  const bits = options.impactBits ?? DEFAULT_IMPACT_BITS;
  const docOrder = options.docOrder ?? 'cluster';
  if (!DOC_ORDERS.includes(docOrder))
    throw new PipelineConfigError(`docOrder must be one of ${DOC_ORDERS.join(', ')}, got ${docOrder}`);
  const pruning = options.pruning ?? {};
  checkPruningOptions(pruning);
  let shardCount = options.shards ?? 1;
  if (!Number.isInteger(shardCount) || shardCount < 1)
    throw new PipelineConfigError(`shards must be ≥ 1, got ${shardCount}`);
  const seconds: Record<string, number> = {};
  let t = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    seconds[stage] = (now - t) / 1000;
    t = now;
  };

  const documents = await loadCompleteRun(store, index, run, options.workers);
  const encoder = options.encoder ?? (await openDocumentEncoder(documents.parts[0].encoderSpec));
  const cache = new EncodingCache({
    store,
    fingerprint: documents.parts[0].cacheFingerprint,
    writerName: 'read-only',
    vocabulary: encoder.openVocabulary,
  });
  await cache.loadIndex();
  const n = documents.ids.length;
  if (n === 0) throw new EmptyRunError(run);
  // Never more shards than documents: an empty shard costs a read per query and holds nothing.
  shardCount = Math.min(shardCount, n);
  // The run is loaded in arrival chunks (one per shard); where documents end up is decided below.
  const ranges = equalRanges(n, shardCount);
  lap('loadRun');

  // The build streams shard by shard: each pass loads one shard's cached vectors at a time, so memory is
  // bounded by the largest shard (choose --shards accordingly), not by the corpus. The last shard's
  // vectors are memoized, so a one-shard build loads and transforms everything exactly once.
  let memo: { shard: number; cached: SparseVector[]; base?: SparseVector[] } | null = null;
  const cachedOf = async (shard: number) => {
    if (memo?.shard !== shard) {
      const { from, to } = ranges[shard];
      memo = { shard, cached: await cache.getMany(documents.hashes.slice(from, to)) };
    }
    return memo;
  };
  const report = options.onProgress ?? (() => {});
  const finalizer = await encoder.prepare(async (visit) => {
    let done = 0;
    report('build: statistics', 0, n, 'documents');
    for (let s = 0; s < shardCount; s++) {
      for (const v of (await cachedOf(s)).cached) {
        visit(v);
        if (++done % 1000 === 0) report('build: statistics', done, n, 'documents');
      }
    }
    report('build: statistics', n, n, 'documents');
  });
  const vocabSize = finalizer.vocabSize;
  // Final vectors before df and top-k pruning: transform, then the minimum weight.
  const baseOf = async (shard: number) => {
    const m = await cachedOf(shard);
    m.base ??= m.cached.map((v) => pruneDocument(finalizer.transform(v), { minWeight: pruning.minWeight }));
    return m.base;
  };
  lap('finalize');

  // Document frequency over the unpruned vectors, then top-k: a term removed for its df leaves its place
  // in a document's top-k to a term that discriminates.
  let drop: Uint8Array | null = null;
  let removedTerms = 0;
  if (pruning.maxDfRatio !== undefined && pruning.maxDfRatio < 1) {
    const df = new Uint32Array(vocabSize);
    for (let s = 0; s < shardCount; s++) countDocumentFrequencies(await baseOf(s), df);
    const high = highDocumentFrequencyTerms(df, n, pruning.maxDfRatio);
    drop = high.removed > 0 ? high.drop : null;
    removedTerms = high.removed;
  }
  const prunedOf = async (shard: number) =>
    (await baseOf(shard)).map((v) => {
      const kept = drop ? dropTerms(v, drop) : v;
      return pruning.docTopK !== undefined ? pruneDocument(kept, { docTopK: pruning.docTopK }) : kept;
    });
  let maxWeight = 0;
  let postings = 0;
  // Pruned vectors kept for the write pass while they fit the budget, so most builds transform each
  // document once; beyond it, the write pass loads and transforms its shard again.
  const budget = options.memoryBudgetPostings ?? DEFAULT_MEMORY_BUDGET_POSTINGS;
  const kept: (SparseVector[] | undefined)[] = [];
  report('build: weights', 0, n, 'documents');
  for (let s = 0; s < shardCount; s++) {
    const vectors = await prunedOf(s);
    report('build: weights', ranges[s].to, n, 'documents');
    let shardPostings = 0;
    for (const v of vectors) {
      shardPostings += v.terms.length;
      for (let i = 0; i < v.weights.length; i++) if (v.weights[i] > maxWeight) maxWeight = v.weights[i];
    }
    postings += shardPostings;
    if (postings <= budget) kept[s] = vectors;
  }
  // An index whose every document lost all terms still needs a valid scale; 1 is as good as any.
  const scale = maxWeight > 0 ? impactScale(maxWeight, bits) : impactScale(1, bits);
  lap('prune');

  // Quantized vectors of a chunk, kept while the run fits the budget (all of them, or none).
  const allInMemory = kept.every((v, c) => v !== undefined || ranges[c].from === ranges[c].to);
  const quantizedChunks: (QuantizedVector[] | undefined)[] = [];
  const chunkVectors = async (c: number): Promise<QuantizedVector[]> => {
    const cached = quantizedChunks[c];
    if (cached) return cached;
    const vectors = (kept[c] ?? (await prunedOf(c))).map((v) => quantizeVector(v, scale, bits));
    if (allInMemory) {
      quantizedChunks[c] = vectors;
      kept[c] = undefined;
    }
    return vectors;
  };
  const reorderStart = performance.now();
  const placement: Placement =
    docOrder === 'cluster'
      ? await placeByCluster({ n, shardCount, vocabSize, chunks: ranges, chunkVectors, allInMemory })
      : { order: null, ranges };
  const reorderSeconds = (performance.now() - reorderStart) / 1000;
  lap('placeDocuments');

  const approximate = options.approximate ?? true;
  // The routing budget is the index's: each shard gets its share (the routing object holds them all).
  const approximateSettings = resolveApproximateSettings(options.approximateSettings);
  const shardApproximateSettings = {
    ...approximateSettings,
    routingEntries: shardRoutingEntries(approximateSettings, shardCount),
  };
  const docValues: DocValuesPlan = {
    filterable: options.filterable ?? {},
    storeText: documents.parts.every((p) => p.storeText === true),
  };
  const filterStats: FilterFieldStats = {};
  const shards: ShardEntry[] = [];
  const approximateFiles: { key: string; built: BuiltApproximateFile }[] = [];
  let bytesWritten = 0;
  report('build: write shards', 0, shardCount, 'shards');
  for (let s = 0; s < shardCount; s++) {
    const { from, to } = placement.ranges[s];
    const arrival = Array.from({ length: to - from }, (_, i) =>
      placement.order ? placement.order[from + i] : from + i,
    );
    const vectors = await gatherVectors(arrival, ranges, chunkVectors);
    // Doc maps keep each document's external id, so the placement is invisible to readers.
    const externalIds = arrival.map((i) => documents.ids[i]);
    const written = writeShard({
      shardName: `shard-${String(s).padStart(4, '0')}`,
      docBase: from,
      impactBits: bits,
      indexScale: scale,
      vectors,
      externalIds,
      storedFields: arrival.map((i) => documents.fields[i]),
    });
    const key = shardKey(index, version, s);
    await store.put(key, written.bytes, { contentType: 'application/octet-stream' });
    bytesWritten += written.bytes.length;
    shards.push(shardEntryOf(key, written));
    if (wantsDocValues(docValues)) {
      const fields = arrival.map((i) => documents.fields[i]);
      const entry = await writeDocValues(store, index, version, s, fields, docValues, filterStats);
      shards[s] = { ...shards[s], docValues: entry };
      bytesWritten += entry.size;
    }
    if (approximate) {
      const built = buildApproximateFile({
        vectors,
        externalIds,
        impactBits: bits,
        vocabSize,
        settings: shardApproximateSettings,
      });
      const approxKey = approximateKey(index, version, s);
      await store.put(approxKey, built.bytes, { contentType: 'application/octet-stream' });
      bytesWritten += built.bytes.length;
      approximateFiles.push({ key: approxKey, built });
    }
    report('build: write shards', s + 1, shardCount, 'shards');
  }
  let approximateEntry: ApproximateIndexEntry | undefined;
  if (approximate) {
    const { routing, entries } = approximateEntries(approximateFiles);
    entries.forEach((entry, s) => {
      shards[s] = { ...shards[s], approximate: entry };
    });
    const key = routingKey(index, version);
    await store.put(key, routing, { contentType: 'application/octet-stream' });
    bytesWritten += routing.length;
    const mode = options.defaultMode ?? 'auto';
    approximateEntry = {
      routing: { key, size: routing.length, checksum: checksumHex(crc32(routing)) },
      defaultMode: mode === 'auto' ? (n >= APPROXIMATE_DEFAULT_MIN_DOCS ? 'approximate' : 'exact') : mode,
      settings: { ...approximateSettings },
    };
  }
  lap('quantizeWriteShards');

  const assets: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(finalizer.description.assets)) {
    const key = assetKey(index, version, name);
    await store.put(key, bytes);
    bytesWritten += bytes.length;
    assets[name] = key;
  }
  lap('assets');

  return {
    index,
    version,
    run,
    encoder: {
      name: finalizer.description.config.name,
      fingerprint: finalizer.fingerprint,
      config: { ...finalizer.description.config },
      assets,
    },
    impact: { bits, scale },
    vocabSize,
    docs: n,
    postings,
    shards,
    ...(approximateEntry ? { approximate: approximateEntry } : {}),
    ...(Object.keys(docValues.filterable).length > 0 ? { filterable: { ...docValues.filterable } } : {}),
    ...(docValues.storeText ? { storedText: true } : {}),
    bytesWritten,
    stats: {
      pruning: { ...pruning },
      removedHighDfTerms: removedTerms,
      maxWeight,
      workers: documents.parts.length,
      rejected: documents.parts.reduce((sum, p) => sum + p.counts.rejected, 0),
      encoded: documents.parts.reduce((sum, p) => sum + p.counts.encoded, 0),
      reused: documents.parts.reduce((sum, p) => sum + p.counts.reused, 0),
      buildSeconds: seconds,
      docOrder,
      // Included in buildSeconds.placeDocuments.
      reorderSeconds,
      // The encoding cache the version was built from: gc keeps cache/<fingerprint>/ while a version names it.
      cacheFingerprint: documents.parts[0].cacheFingerprint,
      ...(Object.keys(filterStats).length > 0 ? { filterable: filterStats } : {}),
    },
  };
}

/** The quantized vectors of documents given by arrival index, loading each chunk they come from once. */
async function gatherVectors(
  arrival: readonly number[],
  chunks: readonly { from: number; to: number }[],
  chunkVectors: (chunk: number) => Promise<QuantizedVector[]>,
): Promise<QuantizedVector[]> {
  const out: QuantizedVector[] = new Array(arrival.length);
  const byChunk = new Map<number, number[]>();
  arrival.forEach((doc, i) => {
    let c = 0;
    while (chunks[c].to <= doc) c++;
    const list = byChunk.get(c) ?? [];
    list.push(i);
    byChunk.set(c, list);
  });
  for (const [c, positions] of byChunk) {
    const vectors = await chunkVectors(c);
    for (const i of positions) out[i] = vectors[arrival[i] - chunks[c].from];
  }
  return out;
}

/**
 * Reads every file of a built version back — each shard, its approximate and doc-values files and the
 * routing object —: its size must match and its bytes must have the checksum the writer computed.
 */
export async function verifyShards(
  store: ObjectStore,
  shards: readonly ShardEntry[],
  onVerified?: (done: number, total: number) => void,
  approximate?: ApproximateIndexEntry,
): Promise<void> {
  onVerified?.(0, shards.length);
  for (const [i, shard] of shards.entries()) {
    await verifyFile(store, shard);
    if (shard.approximate) await verifyFile(store, shard.approximate);
    if (shard.docValues) await verifyFile(store, shard.docValues);
    onVerified?.(i + 1, shards.length);
  }
  if (approximate) await verifyFile(store, approximate.routing);
}

async function verifyFile(store: ObjectStore, file: { key: string; size: number; checksum: string }) {
  const info = await store.head(file.key);
  if (!info) throw new ShardVerificationError(file.key, 'is missing after upload');
  if (info.size !== file.size)
    throw new ShardVerificationError(file.key, `is ${info.size} bytes, expected ${file.size}`);
  const object = await store.get(file.key);
  if (!object) throw new ShardVerificationError(file.key, 'is missing after upload');
  const actual = checksumHex(crc32(object.bytes));
  if (actual !== file.checksum) {
    throw new ShardVerificationError(
      file.key,
      `read back with checksum ${actual}, expected ${file.checksum}`,
    );
  }
}
