/**
 * How an approximate request with a filter is answered, chosen from where the filter's documents lie.
 * Approximate search ranks clusters by summaries that know nothing of the filter; three cases follow:
 * - the passing documents sit in a few clusters (a selective filter on a field that follows the subject
 *   placement, or a tiny one): score every such cluster — the exact answer, for a few record reads;
 * - they are few but spread over many clusters: reading a record per passing document would cost more
 *   than the postings, so search exactly with the filter inside top-k;
 * - otherwise: approximate search that skips clusters without passing documents and never stops before
 *   it holds k of them.
 * The choice and its reason are reported in the response's `approximation.filter`.
 */
import { countDocs, countDocsIn, type DocSet } from '../../shared/engine/doc-set.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';

/** Most clusters a filter's documents may span to be scanned whole (about three waves of records). */
export const SCAN_MAX_CLUSTERS = 16;
/** Below this share of the documents (and beyond SCAN_MAX_CLUSTERS), the filter is answered exactly. */
export const EXACT_MAX_SHARE = 0.005;

export type FilterStrategy = 'scan' | 'exact' | 'approximate';

export interface FilterCoverage {
  readonly matchingDocs: number;
  readonly totalDocs: number;
  readonly matchingClusters: number;
  readonly totalClusters: number;
}

export interface FilterDecision extends FilterCoverage {
  readonly strategy: FilterStrategy;
  readonly reason: string;
}

/** How many documents and clusters of the version pass, from each shard's doc set. */
export function coverageOf(manifest: IndexManifest, sets: readonly DocSet[]): FilterCoverage {
  const clusterSize = Number(manifest.approximate?.settings.clusterSize ?? 256);
  let matchingDocs = 0;
  let matchingClusters = 0;
  let totalClusters = 0;
  manifest.shards.forEach((shard, s) => {
    matchingDocs += countDocs(sets[s]);
    for (let first = 0; first < shard.numDocs; first += clusterSize) {
      totalClusters++;
      if (countDocsIn(sets[s], first, Math.min(shard.numDocs, first + clusterSize)) > 0) matchingClusters++;
    }
  });
  return { matchingDocs, totalDocs: manifest.docs, matchingClusters, totalClusters };
}

export function chooseStrategy(coverage: FilterCoverage): FilterDecision {
  const { matchingDocs, totalDocs, matchingClusters } = coverage;
  const share = totalDocs > 0 ? matchingDocs / totalDocs : 0;
  const percent = `${(100 * share).toPrecision(2)}%`;
  if (matchingClusters <= SCAN_MAX_CLUSTERS) {
    return {
      ...coverage,
      strategy: 'scan',
      reason: `the filter's ${matchingDocs} documents lie in ${matchingClusters} clusters: all of them scored (exact)`,
    };
  }
  if (share < EXACT_MAX_SHARE) {
    return {
      ...coverage,
      strategy: 'exact',
      reason: `the filter passes ${percent} of documents, spread over ${matchingClusters} clusters: exact search with the filter inside top-k`,
    };
  }
  return {
    ...coverage,
    strategy: 'approximate',
    reason: `the filter passes ${percent} of documents: clusters without one are skipped, and the search holds k passing documents before it stops`,
  };
}
