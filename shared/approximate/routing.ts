/**
 * The routing index: every shard's cluster summaries (head.ts) inverted into one term-major table
 * over global cluster numbers, so a query adds its terms' entries into one array of cluster bounds.
 * Built once per index version in memory (a counting sort over the summary entries, a few ms for a
 * million documents) from heads the edge reads together; the file stays cluster-major because that
 * is what each shard's builder writes and what keeps the heads small.
 */
import type { ApproxHead } from './head.ts';

export class RoutingIndex {
  /** Global number of shard s's first cluster; clusterBase[shards] = total clusters. */
  readonly clusterBase: Uint32Array;
  /** starts[t]..starts[t+1]: term t's entries (t < vocab). */
  readonly starts: Uint32Array;
  readonly clusters: Uint32Array;
  readonly maxes: Uint8Array;
  readonly vocab: number;

  private constructor(
    clusterBase: Uint32Array,
    starts: Uint32Array,
    clusters: Uint32Array,
    maxes: Uint8Array,
  ) {
    this.clusterBase = clusterBase;
    this.starts = starts;
    this.clusters = clusters;
    this.maxes = maxes;
    this.vocab = starts.length - 1;
  }

  get numClusters(): number {
    return this.clusterBase[this.clusterBase.length - 1];
  }

  /** Shard of global cluster `g` (binary search over clusterBase). */
  shardOf(g: number): number {
    const base = this.clusterBase;
    let lo = 0;
    let hi = base.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (base[mid] <= g) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  static build(heads: readonly ApproxHead[]): RoutingIndex {
    const clusterBase = new Uint32Array(heads.length + 1);
    let vocab = 0;
    let entries = 0;
    heads.forEach((h, s) => {
      clusterBase[s + 1] = clusterBase[s] + h.header.numClusters;
      entries += h.terms.length;
      for (let i = 0; i < h.terms.length; i++) if (h.terms[i] + 1 > vocab) vocab = h.terms[i] + 1;
    });
    const starts = new Uint32Array(vocab + 1);
    for (const h of heads) for (let i = 0; i < h.terms.length; i++) starts[h.terms[i] + 1]++;
    for (let t = 0; t < vocab; t++) starts[t + 1] += starts[t];
    const fill = starts.slice(0, vocab);
    const clusters = new Uint32Array(entries);
    const maxes = new Uint8Array(entries);
    heads.forEach((h, s) => {
      let i = 0;
      for (let c = 0; c < h.counts.length; c++) {
        const g = clusterBase[s] + c;
        for (let n = 0; n < h.counts[c]; n++, i++) {
          const at = fill[h.terms[i]]++;
          clusters[at] = g;
          maxes[at] = h.maxes[i];
        }
      }
    });
    return new RoutingIndex(clusterBase, starts, clusters, maxes);
  }

  /** Bytes this index keeps in memory (for cache accounting). */
  get byteLength(): number {
    return (
      this.starts.byteLength + this.clusters.byteLength + this.maxes.byteLength + this.clusterBase.byteLength
    );
  }
}
