/**
 * The build stage: a complete run → one unpublished version's files. Loads the run's documents and their
 * cached encoder outputs shard by shard, lets the encoder finalize them (BM25 weighting), prunes, quantizes with one
 * impact scale for the whole index (max kept weight → impactScale), cuts the documents into `shards`
 * contiguous ranges, and writes each shard and the query-side assets under the version's prefix (publish
 * reads every shard back to check size and checksum before anything refers to it). Nothing here is visible
 * to readers: a version exists for them only once publish writes its manifest and moves CURRENT.
 */
import { assetKey, shardKey } from '../../shared/index/layout.ts';
import type { EncoderDescriptor, ShardEntry } from '../../shared/index/manifest.ts';
import { checksumHex, shardEntryOf } from '../../shared/index/shard-entry.ts';
import { clusterOrder } from '../../shared/postings/reorder.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import { writeShard } from '../../shared/shard/writer.ts';
import { DEFAULT_IMPACT_BITS, impactScale, quantizeVector } from '../../shared/sparse/quantize.ts';
import type { QuantizedVector, SparseVector } from '../../shared/sparse/types.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { type DocumentEncoder, openDocumentEncoder } from './document-encoder.ts';
import { EncodingCache } from './encoding-cache.ts';
import { EmptyRunError, PipelineConfigError, ShardVerificationError } from './errors.ts';
import { loadCompleteRun } from './load-run.ts';
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
}

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
  });
  await cache.loadIndex();
  const n = documents.ids.length;
  if (n === 0) throw new EmptyRunError(run);
  // Never more shards than documents: an empty shard costs a read per query and holds nothing.
  shardCount = Math.min(shardCount, n);
  const ranges = Array.from({ length: shardCount }, (_, s) => ({
    from: Math.floor((s * n) / shardCount),
    to: Math.floor(((s + 1) * n) / shardCount),
  }));
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
  const finalizer = await encoder.prepare(async (visit) => {
    for (let s = 0; s < shardCount; s++) for (const v of (await cachedOf(s)).cached) visit(v);
  });
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
    const df = new Uint32Array(encoder.vocabSize);
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
  for (let s = 0; s < shardCount; s++) {
    const vectors = await prunedOf(s);
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

  const shards: ShardEntry[] = [];
  let bytesWritten = 0;
  let reorderSeconds = 0;
  for (let s = 0; s < shardCount; s++) {
    const { from, to } = ranges[s];
    const quantized: QuantizedVector[] = (kept[s] ?? (await prunedOf(s))).map((v) =>
      quantizeVector(v, scale, bits),
    );
    // This shard is done: let its vectors go before the next one loads.
    kept[s] = undefined;
    if (shardCount > 1) memo = null;
    // The shard's doc map keeps each document's external id, so reordering is invisible to readers.
    const reorderStart = performance.now();
    const order =
      docOrder === 'cluster' && quantized.length > 1 ? clusterOrder(quantized, encoder.vocabSize) : null;
    const inOrder = <T>(items: readonly T[]): readonly T[] =>
      order ? Array.from(order, (i) => items[i]) : items;
    reorderSeconds += (performance.now() - reorderStart) / 1000;
    const written = writeShard({
      shardName: `shard-${String(s).padStart(4, '0')}`,
      docBase: from,
      impactBits: bits,
      indexScale: scale,
      vectors: inOrder(quantized),
      externalIds: inOrder(documents.ids.slice(from, to)),
      storedFields: inOrder(documents.fields.slice(from, to)),
    });
    const key = shardKey(index, version, s);
    await store.put(key, written.bytes, { contentType: 'application/octet-stream' });
    bytesWritten += written.bytes.length;
    shards.push(shardEntryOf(key, written));
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
    vocabSize: encoder.vocabSize,
    docs: n,
    postings,
    shards,
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
      // Included in buildSeconds.quantizeWriteShards.
      reorderSeconds,
      // The encoding cache the version was built from: gc keeps cache/<fingerprint>/ while a version names it.
      cacheFingerprint: documents.parts[0].cacheFingerprint,
    },
  };
}

/** Reads every shard back: its size must match and its bytes must have the checksum the writer computed. */
export async function verifyShards(store: ObjectStore, shards: readonly ShardEntry[]): Promise<void> {
  for (const shard of shards) {
    const info = await store.head(shard.key);
    if (!info) throw new ShardVerificationError(shard.key, 'is missing after upload');
    if (info.size !== shard.size)
      throw new ShardVerificationError(shard.key, `is ${info.size} bytes, expected ${shard.size}`);
    const object = await store.get(shard.key);
    if (!object) throw new ShardVerificationError(shard.key, 'is missing after upload');
    const actual = checksumHex(crc32(object.bytes));
    if (actual !== shard.checksum) {
      throw new ShardVerificationError(
        shard.key,
        `read back with checksum ${actual}, expected ${shard.checksum}`,
      );
    }
  }
}
