/**
 * A loaded run's document vectors as the build's passes read them, one arrival chunk (a shard's worth of
 * documents) at a time: cached encoder output → finalized (the encoder's transform, then the minimum
 * weight) → pruned (high-df terms, then top-k) → quantized. Every pass walks the chunks in order and asks
 * for one chunk at a time, so memory is bounded by the largest chunk (choose --shards accordingly), not
 * by the corpus. The last chunk's cached and finalized vectors are memoized, so a one-shard build loads
 * and transforms everything exactly once. RunVectors reads the cached vectors, FinalVectors (made once
 * the statistics pass gave the finalizer) finalizes and prunes them, QuantizedChunks quantizes them.
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

  constructor(cache: EncodingCache, hashes: readonly Hash64[], chunks: readonly Range[]) {
    this.#cache = cache;
    this.#hashes = hashes;
    this.chunks = chunks;
  }

  /** The encoder outputs of a chunk's documents, as the encoding cache holds them. */
  async cached(chunk: number): Promise<SparseVector[]> {
    return (await this.#chunkMemo(chunk)).cached;
  }

  /** The run's final vectors, once the statistics pass gave the finalizer. */
  finalizeWith(finalizer: Finalizer, pruning: PruningOptions): FinalVectors {
    const { minWeight } = pruning;
    return new FinalVectors(this, (v) => pruneDocument(finalizer.transform(v), { minWeight }), pruning);
  }

  /** A chunk's cached vectors through `finalize`, memoized with them (one finalize per build). */
  async mapped(chunk: number, finalize: (v: SparseVector) => SparseVector): Promise<SparseVector[]> {
    const memo = await this.#chunkMemo(chunk);
    memo.finalized ??= memo.cached.map(finalize);
    return memo.finalized;
  }

  async #chunkMemo(chunk: number) {
    if (this.#memo?.chunk !== chunk) {
      const { from, to } = this.chunks[chunk];
      this.#memo = { chunk, cached: await this.#cache.getMany(this.#hashes.slice(from, to)) };
    }
    return this.#memo;
  }
}

/** The run's vectors as the finalizer and the pruning settings make them, chunk by chunk. */
export class FinalVectors {
  readonly #run: RunVectors;
  readonly #finalize: (v: SparseVector) => SparseVector;
  readonly #docTopK: number | undefined;
  #drop: Uint8Array | null = null;

  constructor(run: RunVectors, finalize: (v: SparseVector) => SparseVector, pruning: PruningOptions) {
    this.#run = run;
    this.#finalize = finalize;
    this.#docTopK = pruning.docTopK;
  }

  get chunks(): readonly Range[] {
    return this.#run.chunks;
  }

  /** Terms `pruned` removes from every document (the high-df terms), or null for none. */
  dropTermsOf(drop: Uint8Array | null): void {
    this.#drop = drop;
  }

  /** Final vectors before df and top-k pruning: the encoder's transform, then the minimum weight. */
  finalized(chunk: number): Promise<SparseVector[]> {
    return this.#run.mapped(chunk, this.#finalize);
  }

  /** Final vectors with the high-df terms dropped and only each document's top-k terms kept. */
  async pruned(chunk: number): Promise<SparseVector[]> {
    const drop = this.#drop;
    const docTopK = this.#docTopK;
    return (await this.finalized(chunk)).map((v) => {
      const kept = drop ? dropTerms(v, drop) : v;
      return docTopK !== undefined ? pruneDocument(kept, { docTopK }) : kept;
    });
  }
}

/**
 * The quantized vectors of each chunk for the placement and write passes. Pruned vectors the weights pass
 * kept within the memory budget are quantized from memory; a chunk it could not keep is pruned again.
 * When every chunk was kept, the quantized vectors replace the pruned ones and stay for the write pass.
 */
export class QuantizedChunks {
  readonly #vectors: FinalVectors;
  readonly #kept: (SparseVector[] | undefined)[];
  readonly #quantized: (QuantizedVector[] | undefined)[] = [];
  readonly #scale: number;
  readonly #bits: number;
  /** Whether every chunk's vectors are held in memory (then placement clusters them all at once). */
  readonly allInMemory: boolean;

  constructor(vectors: FinalVectors, kept: (SparseVector[] | undefined)[], scale: number, bits: number) {
    this.#vectors = vectors;
    this.#kept = kept;
    this.#scale = scale;
    this.#bits = bits;
    this.allInMemory = kept.every(
      (v, c) => v !== undefined || vectors.chunks[c].from === vectors.chunks[c].to,
    );
  }

  /** The arrival chunks, one per shard. */
  get chunks(): readonly Range[] {
    return this.#vectors.chunks;
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
