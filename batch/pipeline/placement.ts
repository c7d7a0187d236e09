/**
 * Where each document of a build goes: a global order of the run's documents, cut into equal shard
 * ranges. With doc order 'cluster', documents about the same things get neighbouring positions across
 * the whole index, not only inside a shard, so each shard holds whole subjects: a query's best
 * documents then sit in a few clusters of a few shards, which is what lets approximate search route a
 * cold query to a handful of reads (docs/search-at-scale.md). With 'arrival', corpus order is kept.
 *
 * Memory: when the run's pruned vectors fit the build's budget, all of them are clustered together.
 * Beyond it, centroids are learnt from an even sample of at most `sampleDocs` documents, then every
 * document is assigned to its centroid chunk by chunk, so memory stays bounded by a chunk.
 */
import {
  assignClusters,
  centroidRanks,
  clusterOrder,
  orderByCluster,
  trainClusters,
} from '../../shared/postings/reorder.ts';
import type { QuantizedVector } from '../../shared/sparse/types.ts';

export interface Placement {
  /** position → arrival index of the document there; null keeps arrival order. */
  readonly order: Uint32Array | null;
  /** Each shard's positions [from, to). */
  readonly ranges: readonly { readonly from: number; readonly to: number }[];
}

export const DEFAULT_SAMPLE_DOCS = 65_536;

export function equalRanges(n: number, parts: number): { from: number; to: number }[] {
  return Array.from({ length: parts }, (_, s) => ({
    from: Math.floor((s * n) / parts),
    to: Math.floor(((s + 1) * n) / parts),
  }));
}

export interface PlacementInput {
  readonly n: number;
  readonly shardCount: number;
  readonly vocabSize: number;
  /** Arrival ranges the run is loaded in, and a loader of one chunk's quantized vectors. */
  readonly chunks: readonly { readonly from: number; readonly to: number }[];
  readonly chunkVectors: (chunk: number) => Promise<QuantizedVector[]>;
  /** Whether every chunk's vectors are held in memory anyway (then all are clustered at once). */
  readonly allInMemory: boolean;
  readonly sampleDocs?: number;
}

/** Places documents in global cluster order, cut into `shardCount` equal ranges. */
export async function placeByCluster(input: PlacementInput): Promise<Placement> {
  const { n, shardCount, vocabSize, chunks } = input;
  const ranges = equalRanges(n, shardCount);
  if (n <= 1) return { order: null, ranges };
  if (input.allInMemory) {
    const all: QuantizedVector[] = [];
    for (let c = 0; c < chunks.length; c++) for (const v of await input.chunkVectors(c)) all.push(v);
    return { order: clusterOrder(all, vocabSize), ranges };
  }
  // An even sample (every stride-th document) to learn centroids from, then one assignment pass.
  const stride = Math.max(1, Math.ceil(n / (input.sampleDocs ?? DEFAULT_SAMPLE_DOCS)));
  const sample: QuantizedVector[] = [];
  for (let c = 0; c < chunks.length; c++) {
    const vectors = await input.chunkVectors(c);
    for (let i = 0; i < vectors.length; i++) if ((chunks[c].from + i) % stride === 0) sample.push(vectors[i]);
  }
  const model = trainClusters(sample, vocabSize, n);
  const assignment = new Int32Array(n);
  for (let c = 0; c < chunks.length; c++) {
    assignment.set(assignClusters(await input.chunkVectors(c), model), chunks[c].from);
  }
  return { order: orderByCluster(assignment, model.numClusters, centroidRanks(model)), ranges };
}
