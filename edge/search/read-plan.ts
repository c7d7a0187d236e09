/**
 * Plans the range reads that fetch one query's posting-list blobs from one shard. A Worker pays per
 * subrequest (50 per request on the free plan) and a cold query should read at most twice the bytes it
 * needs, so the plan is: merge touching blobs, then split the covering span only at its widest gaps,
 * keeping at most `maxReads` reads — which for a given read count is the plan with the fewest bytes.
 * Gaps narrower than `minSplitGap` are never worth a request of their own and are read through.
 */
export interface BlobRange {
  readonly offset: number;
  readonly length: number;
}

export interface ReadPlanOptions {
  /** Most reads per shard (default 3: with the hot region, 1 + 4 × shards subrequests per cold query). */
  readonly maxReads: number;
  /** Gaps at most this wide are read rather than split (default 16 KiB). */
  readonly minSplitGap: number;
}

export const DEFAULT_READ_PLAN: ReadPlanOptions = { maxReads: 3, minSplitGap: 16 * 1024 };

/**
 * @example planReads([{offset: 0, length: 10}, {offset: 1000000, length: 10}], {maxReads: 3, minSplitGap: 100})
 *   // → [{offset: 0, length: 10}, {offset: 1000000, length: 10}]
 */
export function planReads(
  blobs: readonly BlobRange[],
  options: ReadPlanOptions = DEFAULT_READ_PLAN,
): BlobRange[] {
  if (blobs.length === 0) return [];
  const sorted = [...blobs].sort((a, b) => a.offset - b.offset);
  // Runs of touching or overlapping blobs: a read may never split one (the reader reads them as one).
  const runs: { offset: number; end: number }[] = [];
  for (const b of sorted) {
    const last = runs[runs.length - 1];
    if (last && b.offset <= last.end) last.end = Math.max(last.end, b.offset + b.length);
    else runs.push({ offset: b.offset, end: b.offset + b.length });
  }
  const gaps = runs
    .slice(1)
    .map((run, i) => ({ after: i, width: run.offset - runs[i].end }))
    .filter((g) => g.width > options.minSplitGap)
    .sort((a, b) => b.width - a.width || a.after - b.after)
    .slice(0, Math.max(0, options.maxReads - 1));
  const splitAfter = new Set(gaps.map((g) => g.after));
  const reads: BlobRange[] = [];
  let start = runs[0].offset;
  for (let i = 0; i < runs.length; i++) {
    if (i === runs.length - 1 || splitAfter.has(i)) {
      reads.push({ offset: start, length: runs[i].end - start });
      if (i + 1 < runs.length) start = runs[i + 1].offset;
    }
  }
  return reads;
}
