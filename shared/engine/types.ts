/**
 * Types of the exact top-k query engine. Scores are integer dot products of per-query integer
 * weights and quantized document impacts, so every algorithm can be exact: same doc ids and
 * same scores as exhaustive scoring, ties broken by smaller doc id first. Searches are
 * synchronous: the caller has already fetched every posting list's bytes.
 */
import type { PostingList } from '../postings/posting-list.ts';
import type { DocSet } from './doc-set.ts';

export interface QueryTerm {
  readonly term: number;
  /** Positive integer query weight (quantized per query). */
  readonly weight: number;
  readonly postings: PostingList;
}

export interface SearchRequest {
  /** Documents in the shard: local doc ids are 0..numDocs-1. */
  readonly numDocs: number;
  readonly terms: readonly QueryTerm[];
  readonly k: number;
  /**
   * A filter: only documents in this set may be returned (absent: every document). Every algorithm
   * applies it inside its search, so the k hits are the best k that pass, never k hits cut after the fact.
   */
  readonly accept?: DocSet;
  /**
   * When given, the search writes its work counters here (explain output, benchmark diagnostics):
   * each algorithm names its own; a fresh object per search reads that search's alone.
   */
  readonly stats?: SearchStats;
}

/** Work counters of one search, by name. */
export type SearchStats = Record<string, number>;

/** Hits sorted by score descending, then doc id ascending; only docs with score > 0. */
export interface TopKResult {
  readonly docs: Uint32Array;
  readonly scores: Float64Array;
}

export interface TopKAlgorithm {
  readonly name: string;
  search(request: SearchRequest): TopKResult;
}
