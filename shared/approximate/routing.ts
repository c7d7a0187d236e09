/**
 * The routing index of a version: every shard's routing summaries (head.ts), which the files store
 * term-major, looked up in place — a query binary-searches each of its terms in each shard's term list and
 * adds that term's entries into one array of cluster bounds over global cluster numbers. Nothing is
 * inverted or copied when a version loads, which keeps a cold isolate's first query cheap.
 */
import { type ApproxHead, routingListOf } from './head.ts';

export class RoutingIndex {
  /** Global number of shard s's first cluster; clusterBase[shards] = total clusters. */
  readonly clusterBase: Uint32Array;
  readonly heads: readonly ApproxHead[];

  private constructor(heads: readonly ApproxHead[]) {
    this.heads = heads;
    this.clusterBase = new Uint32Array(heads.length + 1);
    heads.forEach((h, s) => {
      this.clusterBase[s + 1] = this.clusterBase[s] + h.header.numClusters;
    });
  }

  get numClusters(): number {
    return this.clusterBase[this.clusterBase.length - 1];
  }

  static build(heads: readonly ApproxHead[]): RoutingIndex {
    return new RoutingIndex(heads);
  }

  /**
   * Adds weight × (term's summary maximum) of every term into `bounds` (by global cluster), and the
   * clusters touched for the first time to `touched`.
   */
  accumulate(terms: Uint32Array, weights: ArrayLike<number>, bounds: Float64Array, touched: number[]): void {
    this.heads.forEach((head, s) => {
      const base = this.clusterBase[s];
      const { starts, clusters, maxes } = head;
      for (let i = 0; i < terms.length; i++) {
        const list = routingListOf(head, terms[i]);
        if (list < 0) continue;
        const w = weights[i];
        for (let p = starts[list], end = starts[list + 1]; p < end; p++) {
          const g = base + clusters[p];
          if (bounds[g] === 0) touched.push(g);
          bounds[g] += w * maxes[p];
        }
      }
    });
  }

  /** Bytes this index keeps beyond its heads (for cache accounting): none. */
  get byteLength(): number {
    return this.clusterBase.byteLength;
  }
}
