/**
 * The fewest bytes R contiguous range reads must fetch to cover a set of needed byte ranges.
 *
 * Why this is exact: the needed ranges (sorted by offset, disjoint) are each read by some read, and
 * a read that covers two ranges covers every byte between them, so an optimal plan splits the sorted
 * ranges into at most R runs of consecutive ranges and reads each run from its first start to its
 * last end. Its cost is the whole span minus the gaps between runs, so the best plan cuts at the
 * R − 1 largest gaps.
 */

/** Gaps between consecutive ranges; `ranges` sorted by start, non-overlapping ([start, end) pairs). */
export function gapsBetween(ranges: readonly (readonly [number, number])[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < ranges.length; i++) gaps.push(ranges[i][0] - ranges[i - 1][1]);
  return gaps;
}

/** Bytes read by the best plan of at most `reads` reads (0 when nothing is needed). */
export function coverBytes(ranges: readonly (readonly [number, number])[], reads: number): number {
  if (ranges.length === 0) return 0;
  const span = ranges[ranges.length - 1][1] - ranges[0][0];
  const gaps = gapsBetween(ranges).sort((a, b) => b - a);
  let skipped = 0;
  for (let i = 0; i < Math.min(reads - 1, gaps.length); i++) skipped += gaps[i];
  return span - skipped;
}

/** Needed bytes: the sum of the ranges' lengths. */
export function neededBytes(ranges: readonly (readonly [number, number])[]): number {
  return ranges.reduce((n, [s, e]) => n + e - s, 0);
}
