/**
 * A loaded run's document vectors as the build's passes read them, one arrival chunk (a shard's worth of
 * documents) at a time: cached encoder output → finalized (the encoder's transform, then the minimum
 * weight) → pruned (high-df terms, then top-k) → quantized. Every pass walks the chunks in order and asks
 * for one chunk at a time, so memory is bounded by the largest chunk (choose --shards accordingly), not
 * by the corpus. The last chunk's cached and finalized vectors are memoized, so a one-shard build loads
 * and transforms everything exactly once.
 */
import { quantizeVector } from '../../shared/sparse/quantize.ts';
import type { QuantizedVector, SparseVector } from '../../shared/sparse/types.ts';
import type { Hash64 } from '../corpus/hash64.ts';
import type { Finalizer } from './document-encoder.ts';
import type { EncodingCache } from './encoding-cache.ts';
import { dropTerms, type PruningOptions, pruneDocument } from './prune.ts';

export type Range = { readonly from: number; readonly to: number };

export class RunVectors {
  readonly #cache: EncodingCache;
  readonly #hashes: readonly Hash64[];
  /** The arrival chunks, one per shard. */
  readonly chunks: readonly Range[];
  #memo: { chunk: number; cached: SparseVector[]; finalized?: SparseVector[] } | null = null;
  #finalizer: Finalizer | null = null;
  #pruning: PruningOptions = {};
  #drop: Uint8Array | null = null;

  constructor(cache: EncodingCache, hashes: readonly Hash64[], chunks: readonly Range[]) {
    this.#cache = cache;
    this.#hashes = hashes;
    this.chunks = chunks;
  }

  /** The encoder outputs of a chunk's documents, as the encoding cache holds them. */
  async cached(chunk: number): Promise<SparseVector[]> {
    return (await this.#chunkMemo(chunk)).cached;
  }

  /** Sets how `finalized` and `pruned` transform the cached vectors; call once the finalizer exists. */
  finalizeWith(finalizer: Finalizer, pruning: PruningOptions): void {
    this.#finalizer = finalizer;
    this.#pruning = pruning;
  }

  /** Terms `pruned` removes from every document (the high-df terms), or null for none. */
  dropTermsOf(drop: Uint8Array | null): void {
    this.#drop = drop;
  }

  /** Final vectors before df and top-k pruning: the encoder's transform, then the minimum weight. */
  async finalized(chunk: number): Promise<SparseVector[]> {
    const finalizer = this.#finalizer;
    if (!finalizer) throw new Error('RunVectors.finalized before finalizeWith');
    const memo = await this.#chunkMemo(chunk);
    const minWeight = this.#pruning.minWeight;
    memo.finalized ??= memo.cached.map((v) => pruneDocument(finalizer.transform(v), { minWeight }));
    return memo.finalized;
  }

  /** Final vectors with the high-df terms dropped and only each document's top-k terms kept. */
  async pruned(chunk: number): Promise<SparseVector[]> {
    const drop = this.#drop;
    const docTopK = this.#pruning.docTopK;
    return (await this.finalized(chunk)).map((v) => {
      const kept = drop ? dropTerms(v, drop) : v;
      return docTopK !== undefined ? pruneDocument(kept, { docTopK }) : kept;
    });
  }

  async #chunkMemo(chunk: number) {
    if (this.#memo?.chunk !== chunk) {
      const { from, to } = this.chunks[chunk];
      this.#memo = { chunk, cached: await this.#cache.getMany(this.#hashes.slice(from, to)) };
    }
    return this.#memo;
  }
}

/**
 * The quantized vectors of each chunk for the placement and write passes. Pruned vectors the weights pass
 * kept within the memory budget are quantized from memory; a chunk it could not keep is pruned again.
 * When every chunk was kept, the quantized vectors replace the pruned ones and stay for the write pass.
 */
export class QuantizedChunks {
  readonly #vectors: RunVectors;
  readonly #kept: (SparseVector[] | undefined)[];
  readonly #quantized: (QuantizedVector[] | undefined)[] = [];
  readonly #scale: number;
  readonly #bits: number;
  /** Whether every chunk's vectors are held in memory (then placement clusters them all at once). */
  readonly allInMemory: boolean;

  constructor(vectors: RunVectors, kept: (SparseVector[] | undefined)[], scale: number, bits: number) {
    this.#vectors = vectors;
    this.#kept = kept;
    this.#scale = scale;
    this.#bits = bits;
    this.allInMemory = kept.every(
      (v, c) => v !== undefined || vectors.chunks[c].from === vectors.chunks[c].to,
    );
  }

  /** A chunk's quantized vectors (a function, to be handed on as a loader). */
  readonly of = async (chunk: number): Promise<QuantizedVector[]> => {
    const held = this.#quantized[chunk];
    if (held) return held;
    const pruned = this.#kept[chunk] ?? (await this.#vectors.pruned(chunk));
    const vectors = pruned.map((v) => quantizeVector(v, this.#scale, this.#bits));
    if (this.allInMemory) {
      this.#quantized[chunk] = vectors;
      this.#kept[chunk] = undefined;
    }
    return vectors;
  };

  /** The quantized vectors of documents given by arrival index, loading each chunk they come from once. */
  async gather(arrival: readonly number[]): Promise<QuantizedVector[]> {
    const chunks = this.#vectors.chunks;
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
      const vectors = await this.of(c);
      for (const i of positions) out[i] = vectors[arrival[i] - chunks[c].from];
    }
    return out;
  }
}
