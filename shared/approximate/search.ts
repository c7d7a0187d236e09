/**
 * Approximate top-k over the approximate files of one or more shards, in the manner of block-max
 * pruning (BMP) and Seismic: rank candidate units by a bound built from compact summaries, then score
 * the units exactly from the forward index in that order, and stop when the next unit's bound falls
 * below `heapFactor` × the current k-th score (or a unit budget is spent).
 *
 * Two candidate levels, chosen per request:
 * - `clusters` (default up to k = 100): units are clusters; bounds come from the routing summaries,
 *   which a cold query reads in one go. Every query term takes part.
 * - `blocks`: units are blocks of `blockSize` docs; bounds come from the block lists of the query's
 *   `queryCut` heaviest terms (static pruning per term; every term in shards whose lists are whole),
 *   finer than clusters, for queries that ask for many hits.
 * Summaries are pruned, so a bound can under-estimate a unit's best score: that is what makes the mode
 * approximate, and `heapFactor` < 1 is the slack that buys recall back. Scores of returned documents
 * are exact (the same integer dot products as exact search) and ties rank the smaller doc id first.
 *
 * A filter (`accept`, a doc set per shard) is applied inside the search: units without a document that
 * passes are no candidates, and documents that fail are never offered, so the threshold comes from
 * documents that may be returned and the search cannot stop before it has k of them (the stop rule
 * waits for a full queue). `scanAll` scores every unit holding a passing document, whatever its bound,
 * and never stops early: the exact answer over the filtered documents, for filters that pass few units.
 *
 * Evaluation is resumable: `run` stops with 'blocked' at the first unit whose forward record is not
 * loaded, so the edge can fetch records (its read planner decides how many ahead) and resume. The order
 * of evaluation is fixed by the ranking, so the answer does not depend on what was cached.
 */
import { countDocsIn, type DocSet, hasDoc } from '../engine/doc-set.ts';
import { TopKQueue } from '../engine/topk-queue.ts';
import type { TopKResult } from '../engine/types.ts';
import type { BlockLists } from './block-lists.ts';
import { summaryUnit } from './format.ts';
import type { ForwardBlock, ForwardCluster } from './forward.ts';
import type { ApproxHead } from './head.ts';
import type { RoutingIndex } from './routing.ts';

export type CandidateLevel = 'clusters' | 'blocks';

export interface ApproximateParams {
  /** Score a unit while its bound > heapFactor × the k-th score (0 < heapFactor ≤ 1). */
  readonly heapFactor: number;
  readonly level: CandidateLevel;
  /** Query terms (largest weights) whose block lists rank blocks (level 'blocks'). */
  readonly queryCut: number;
  /** Most units (clusters or blocks) scored; Infinity for no budget. */
  readonly maxUnits: number;
  /** Score every candidate unit (no stop rule, no budget): with a filter, the exact filtered answer. */
  readonly scanAll?: boolean;
}

/** Largest k served from the routing summaries by default; larger k rank blocks. */
export const CLUSTER_LEVEL_MAX_K = 100;

/**
 * Defaults chosen by `npm run bench:engine` on the topical corpus (recall against exact top-k versus
 * time); the request can override each of them.
 */
export function defaultApproximateParams(k: number): ApproximateParams {
  return k <= CLUSTER_LEVEL_MAX_K
    ? { level: 'clusters', heapFactor: 0.7, queryCut: Infinity, maxUnits: Infinity }
    : { level: 'blocks', heapFactor: 0.9, queryCut: 12, maxUnits: Infinity };
}

export interface ApproxShard {
  /** Global doc id of the shard's local doc 0. */
  readonly docBase: number;
  readonly head: ApproxHead;
  /** Needed for level 'blocks'. */
  readonly blockLists?: BlockLists;
}

export interface ApproximateQuery {
  /** Strictly increasing term ids. */
  readonly terms: Uint32Array;
  /** Positive integer weights, aligned with terms. */
  readonly weights: ArrayLike<number>;
}

/** A forward record the search wants: shard index and the cluster's local number. */
export interface ClusterRef {
  readonly shard: number;
  readonly cluster: number;
}

export interface ApproximateStats {
  readonly level: CandidateLevel;
  /** Units with a non-zero bound. */
  readonly candidates: number;
  readonly unitsScored: number;
  readonly docsScored: number;
}

export class ApproximateSearch {
  readonly #shards: readonly ApproxShard[];
  readonly #query: ApproximateQuery;
  readonly #params: ApproximateParams;
  readonly #queue: TopKQueue;
  readonly #unit: number;
  /** Units in (bucketed) descending bound order, their bounds, and each position's bucket ceiling. */
  readonly #order: Uint32Array;
  readonly #bounds: Float64Array;
  readonly #ceilings: Float64Array;
  /** Global block (or cluster) number of each shard's first one. */
  readonly #unitBase: Uint32Array;
  /** Blocks per cluster of each shard. */
  readonly #perCluster: Uint32Array;
  #pos = 0;
  #unitsScored = 0;
  #docsScored = 0;
  /** Per-document partial scores of the block being scored: Int32 when every score fits (the usual case). */
  readonly #acc: Int32Array | Float64Array;
  /** Per shard, the local docs that may be returned (absent: all). */
  readonly #accept: readonly DocSet[] | undefined;

  constructor(
    shards: readonly ApproxShard[],
    routing: RoutingIndex | undefined,
    query: ApproximateQuery,
    k: number,
    params: ApproximateParams,
    accept?: readonly DocSet[],
  ) {
    if (!(params.heapFactor > 0 && params.heapFactor <= 1)) {
      throw new RangeError(`heapFactor must be in (0, 1], got ${params.heapFactor}`);
    }
    this.#shards = shards;
    this.#query = query;
    this.#params = params;
    this.#accept = accept;
    this.#queue = new TopKQueue(k);
    let largest = 0;
    for (let i = 0; i < query.weights.length; i++) largest += query.weights[i];
    const topImpact = shards.length > 0 ? 2 ** shards[0].head.header.impactBits - 1 : 0;
    this.#acc = largest * topImpact <= 0x7fffffff ? new Int32Array(256) : new Float64Array(256);
    this.#unit = shards.length > 0 ? summaryUnit(shards[0].head.header.impactBits) : 1;
    this.#unitBase = new Uint32Array(shards.length + 1);
    this.#perCluster = Uint32Array.from(
      shards,
      (s) => s.head.header.settings.clusterSize / s.head.header.settings.blockSize,
    );
    shards.forEach((s, i) => {
      const count = params.level === 'clusters' ? s.head.header.numClusters : s.head.header.numBlocks;
      this.#unitBase[i + 1] = this.#unitBase[i] + count;
    });
    const bounds = new Float64Array(this.#unitBase[shards.length]);
    let touched =
      params.level === 'clusters' ? this.#clusterBounds(routing, bounds) : this.#blockBounds(bounds);
    if (accept) touched = this.#passing(touched, params.scanAll === true);
    const ranked = orderByBound(touched, bounds);
    this.#order = ranked.order;
    this.#bounds = ranked.bounds;
    this.#ceilings = ranked.ceilings;
  }

  get stats(): ApproximateStats {
    return {
      level: this.#params.level,
      candidates: this.#order.length,
      unitsScored: this.#unitsScored,
      docsScored: this.#docsScored,
    };
  }

  /** True once no further unit can be scored (stop rule, budget or end of candidates). */
  get done(): boolean {
    return this.#nextScorable() < 0;
  }

  /**
   * The clusters the next `limit` scorable units need, in evaluation order, judged with the current
   * threshold (later units may turn out unnecessary once the threshold rises). For read planning.
   */
  upcoming(limit: number): ClusterRef[] {
    const out: ClusterRef[] = [];
    const seen = new Set<string>();
    const theta = this.#threshold();
    let budget = this.#params.maxUnits - this.#unitsScored;
    for (let i = this.#pos; i < this.#order.length && out.length < limit && budget > 0; i++) {
      if (this.#ceilings[i] * this.#unit <= theta) break;
      if (this.#bounds[i] * this.#unit <= theta) continue;
      budget--;
      const ref = this.#clusterOf(this.#order[i]);
      const key = `${ref.shard}/${ref.cluster}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(ref);
      }
    }
    return out;
  }

  /**
   * Scores units in order while their records are available. Returns 'done' when the search is over,
   * or the record it waits for.
   */
  run(recordOf: (shard: number, cluster: number) => ForwardCluster | undefined): 'done' | ClusterRef {
    const { terms, weights } = this.#query;
    const clusters = this.#params.level === 'clusters';
    for (;;) {
      const i = this.#nextScorable();
      if (i < 0) return 'done';
      const unit = this.#order[i];
      const shard = this.#shardOfUnit(unit);
      const local = unit - this.#unitBase[shard];
      const perCluster = clusters ? 1 : this.#perCluster[shard];
      const cluster = clusters ? local : Math.floor(local / perCluster);
      const record = recordOf(shard, cluster);
      if (!record) return { shard, cluster };
      const docBase = this.#shards[shard].docBase;
      const accept = this.#accept?.[shard];
      if (clusters) {
        for (const block of record.blocks) this.#scoreBlock(block, docBase, terms, weights, accept);
      } else {
        this.#scoreBlock(record.blocks[local - cluster * perCluster], docBase, terms, weights, accept);
      }
      this.#unitsScored++;
      this.#pos = i + 1;
    }
  }

  /** The shard holding `unit` (units of one shard are contiguous; one shard is the common case). */
  #shardOfUnit(unit: number): number {
    const base = this.#unitBase;
    if (base.length === 2) return 0;
    let lo = 0;
    let hi = base.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (base[mid] <= unit) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  result(): TopKResult {
    return this.#queue.toResult();
  }

  #threshold(): number {
    if (this.#params.scanAll) return -1;
    return this.#queue.isFull ? this.#params.heapFactor * this.#queue.thresholdScore : -1;
  }

  /**
   * The units holding a document that passes the filter: those of `touched` (bounds > 0), and with
   * `all` every other such unit too (bound 0: its summary misses the query's terms, which a pruned
   * summary can), so that a scan of them all is exact.
   */
  #passing(touched: Uint32Array, all: boolean): Uint32Array {
    const accept = this.#accept!;
    const holds = (unit: number) => {
      const shard = this.#shardOfUnit(unit);
      const { settings, numDocs } = this.#shards[shard].head.header;
      const size = this.#params.level === 'clusters' ? settings.clusterSize : settings.blockSize;
      const first = (unit - this.#unitBase[shard]) * size;
      return countDocsIn(accept[shard], first, Math.min(numDocs, first + size)) > 0;
    };
    const kept = Array.from(touched).filter(holds);
    if (all) {
      const seen = new Set(kept);
      for (let unit = 0; unit < this.#unitBase[this.#shards.length]; unit++) {
        if (!seen.has(unit) && holds(unit)) kept.push(unit);
      }
    }
    return Uint32Array.from(kept);
  }

  /** Position of the next unit to score, or -1 when the search is over. */
  #nextScorable(): number {
    if (this.#unitsScored >= this.#params.maxUnits) return -1;
    const theta = this.#threshold();
    for (let i = this.#pos; i < this.#order.length; i++) {
      if (this.#ceilings[i] * this.#unit <= theta) return -1;
      if (this.#bounds[i] * this.#unit > theta) {
        this.#pos = i;
        return i;
      }
    }
    this.#pos = this.#order.length;
    return -1;
  }

  #blocksPerCluster(shard: number): number {
    const { clusterSize, blockSize } = this.#shards[shard].head.header.settings;
    return clusterSize / blockSize;
  }

  #clusterOf(unit: number): ClusterRef {
    const base = this.#unitBase;
    let lo = 0;
    let hi = this.#shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (base[mid] <= unit) lo = mid;
      else hi = mid - 1;
    }
    const local = unit - base[lo];
    return {
      shard: lo,
      cluster: this.#params.level === 'clusters' ? local : Math.floor(local / this.#blocksPerCluster(lo)),
    };
  }

  #clusterBounds(routing: RoutingIndex | undefined, bounds: Float64Array): Uint32Array {
    if (!routing) throw new Error('approximate search at the clusters level needs a routing index');
    const touched: number[] = [];
    routing.accumulate(this.#query.terms, this.#query.weights, bounds, touched);
    return Uint32Array.from(touched);
  }

  #blockBounds(bounds: Float64Array): Uint32Array {
    const { terms, weights } = this.#query;
    const cut = heaviest(weights, this.#params.queryCut);
    const all = heaviest(weights, Infinity);
    const touched: number[] = [];
    this.#shards.forEach((shard, s) => {
      const lists = shard.blockLists;
      if (!lists) throw new Error(`approximate search at the blocks level needs shard ${s}'s block lists`);
      const base = this.#unitBase[s];
      // A shard whose lists are whole (small) gives safe bounds from every term, and cutting saves little.
      const used = shard.head.header.blockLists.keep >= 1 ? all : cut;
      for (const i of used) {
        const list = lists.listOf(terms[i]);
        if (list < 0) continue;
        const w = weights[i];
        for (let p: number = lists.starts[list], end: number = lists.starts[list + 1]; p < end; p++) {
          const g = base + lists.blocks[p];
          if (bounds[g] === 0) touched.push(g);
          bounds[g] += w * lists.maxes[p];
        }
      }
    });
    return Uint32Array.from(touched);
  }

  /** Exact scores of one block's documents: one binary search per query term over the block's terms. */
  #scoreBlock(
    block: ForwardBlock,
    docBase: number,
    qTerms: Uint32Array,
    qWeights: ArrayLike<number>,
    accept: DocSet | undefined,
  ): void {
    const acc = this.#acc;
    const bTerms = block.terms;
    const { starts, docs, impacts } = block;
    const end = bTerms.length;
    let lo = 0;
    for (let q = 0; q < qTerms.length && lo < end; q++) {
      const term = qTerms[q];
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (bTerms[mid] < term) lo = mid + 1;
        else hi = mid;
      }
      if (lo < end && bTerms[lo] === term) {
        const w = qWeights[q];
        for (let p: number = starts[lo], pe: number = starts[lo + 1]; p < pe; p++)
          acc[docs[p]] += w * impacts[p];
        lo++;
      }
    }
    const first = docBase + block.firstDoc;
    const queue = this.#queue;
    // Below the k-th score a document cannot enter (equal scores go to offer: the doc id decides).
    let floor = queue.isFull ? queue.thresholdScore : 0;
    for (let j = 0; j < block.numDocs; j++) {
      const score = acc[j];
      if (score === 0) continue;
      acc[j] = 0;
      if (accept !== undefined && !hasDoc(accept, block.firstDoc + j)) continue;
      if (score >= floor && queue.offer(first + j, score) && queue.isFull) floor = queue.thresholdScore;
    }
    this.#docsScored += block.numDocs;
  }
}

/** Indices of the `cut` largest weights (ties: earlier index), or all when cut ≥ length. */
function heaviest(weights: ArrayLike<number>, cut: number): number[] {
  const idx = Array.from({ length: weights.length }, (_, i) => i);
  if (cut >= idx.length) return idx;
  return idx.sort((a, b) => weights[b] - weights[a] || a - b).slice(0, cut);
}

const BUCKETS = 1024;

/**
 * Units in descending bound order, bucketed: 1,024 buckets of equal width over [0, max bound], so
 * ordering costs two passes instead of a sort. `ceilings[i]` is the upper edge of unit i's bucket: once
 * it cannot beat the threshold, no later unit can. Inside a bucket, units keep the order in which
 * their bounds were first touched (deterministic for a given index and query).
 */
function orderByBound(
  touched: Uint32Array,
  bounds: Float64Array,
): { order: Uint32Array; bounds: Float64Array; ceilings: Float64Array } {
  let max = 0;
  for (let i = 0; i < touched.length; i++) if (bounds[touched[i]] > max) max = bounds[touched[i]];
  const scale = max > 0 ? BUCKETS / max : 0;
  const bucketOf = (b: number) => Math.min(BUCKETS - 1, Math.floor(b * scale));
  const counts = new Uint32Array(BUCKETS + 1);
  for (let i = 0; i < touched.length; i++) counts[BUCKETS - 1 - bucketOf(bounds[touched[i]])]++;
  let sum = 0;
  for (let j = 0; j < BUCKETS; j++) {
    const c = counts[j];
    counts[j] = sum;
    sum += c;
  }
  const order = new Uint32Array(touched.length);
  const sorted = new Float64Array(touched.length);
  const ceilings = new Float64Array(touched.length);
  for (let i = 0; i < touched.length; i++) {
    const u = touched[i];
    const b = bucketOf(bounds[u]);
    const at = counts[BUCKETS - 1 - b]++;
    order[at] = u;
    sorted[at] = bounds[u];
    ceilings[at] = b === BUCKETS - 1 ? max : (b + 1) / scale;
  }
  return { order, bounds: sorted, ceilings };
}
