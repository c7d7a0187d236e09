/**
 * What one search asks for, in the search layer's own terms: the query (text or sparse vector), the page,
 * the version, the stored fields and per-hit extras, the filter, the mode and approximate search's knobs.
 * The HTTP layer (edge/http/search-request.ts) validates a request body or query string into these; the
 * search layer reads them and knows nothing of how they arrived.
 */

/** Stored fields a hit may show. */
export const STORED_FIELD_NAMES = ['title', 'url', 'metadata', 'text'] as const;
export type StoredFieldName = (typeof STORED_FIELD_NAMES)[number];

/** How a search ranks: every document scored (exact) or clusters and blocks skipped by bounds (approximate). */
export const SEARCH_MODES = ['exact', 'approximate'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface SearchParams {
  /** Exactly one of `query` and `vector`. */
  readonly query?: string;
  /** Vocabulary token or decimal term id → weight (> 0). */
  readonly vector?: ReadonlyMap<string, number>;
  readonly k: number;
  /** Hits skipped before the k returned (pagination). */
  readonly from: number;
  /** Whether the request named `from` (approximate pages are then cut from a fixed window). */
  readonly paged: boolean;
  readonly version?: string;
  readonly fields: readonly StoredFieldName[];
  /** The filter as the request gave it; parsed against the index's filterable fields once resolved. */
  readonly filter?: Record<string, unknown>;
  readonly snippet: boolean;
  readonly explain: boolean;
  readonly debug: boolean;
  /** Exact or approximate search; absent: the index's default. */
  readonly mode?: SearchMode;
  /** Approximate: score a cluster while its bound > heap_factor × the k-th score (0 < h ≤ 1). */
  readonly heapFactor?: number;
  /** Approximate: most clusters (or blocks) scored. */
  readonly budget?: number;
}
