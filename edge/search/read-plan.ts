/**
 * Plans the range reads that fetch one query's posting-list blobs from all its shards. Two costs pull
 * against each other: a Worker pays per subrequest (50 per request on the free plan) and every byte read
 * past the needed postings is waste. For a given number of reads, the fewest bytes come from splitting
 * the shards' covering spans at the widest gaps — gaps are independent, so the best k splits over all
 * shards are simply the k widest gaps anywhere. The plan therefore starts with one read per shard and
 * takes the widest remaining gaps until the bytes are within `maxOverread` × the needed bytes, the read
 * budget is spent, or a shard reaches `maxReadsPerShard`. Touching blobs are never split (the shard reader
 * reads them as one), and gaps narrower than `minSplitGap` are not worth a request of their own.
 */
export interface BlobRange {
  readonly offset: number;
  readonly length: number;
}

export interface ReadPlanOptions {
  /** Most postings reads per shard (default 3: with the hot region, 1 + 4 × shards per cold query). */
  readonly maxReadsPerShard: number;
  /** Stop splitting once bytes read ≤ this × bytes needed (default 2). */
  readonly maxOverread: number;
  /** Gaps at most this wide are read through rather than split (default 4 KiB). */
  readonly minSplitGap: number;
}

export const DEFAULT_READ_PLAN: ReadPlanOptions = {
  maxReadsPerShard: 3,
  maxOverread: 2,
  minSplitGap: 4 * 1024,
};

export interface ReadPlan {
  /** Per shard (same order as the input), the reads to make. */
  readonly reads: BlobRange[][];
  readonly bytesNeeded: number;
  readonly bytesPlanned: number;
}

interface Run {
  offset: number;
  end: number;
}

/**
 * @param shards per shard, the blobs still to fetch (any order)
 * @param maxReads the most reads the whole plan may make (at least one per shard with blobs is kept)
 * @example planReads([[{offset: 0, length: 10}, {offset: 1e6, length: 10}]], 3)
 *   // → reads [[{offset: 0, length: 10}, {offset: 1000000, length: 10}]]
 */
export function planReads(
  shards: readonly (readonly BlobRange[])[],
  maxReads: number,
  options: ReadPlanOptions = DEFAULT_READ_PLAN,
): ReadPlan {
  const runs = shards.map(mergeTouching);
  // Needed bytes are those of the merged runs: a blob listed twice (or overlapping another) is read once.
  let bytesNeeded = 0;
  for (const r of runs) for (const run of r) bytesNeeded += run.end - run.offset;
  let bytesPlanned = 0;
  let reads = 0;
  const gaps: { shard: number; after: number; width: number }[] = [];
  runs.forEach((r, shard) => {
    if (r.length === 0) return;
    reads++;
    bytesPlanned += r[r.length - 1].end - r[0].offset;
    for (let i = 0; i + 1 < r.length; i++) {
      const width = r[i + 1].offset - r[i].end;
      if (width > options.minSplitGap) gaps.push({ shard, after: i, width });
    }
  });
  gaps.sort((a, b) => b.width - a.width || a.shard - b.shard || a.after - b.after);
  const splits = runs.map(() => new Set<number>());
  for (const gap of gaps) {
    if (bytesPlanned <= options.maxOverread * bytesNeeded || reads >= maxReads) break;
    if (splits[gap.shard].size + 1 >= options.maxReadsPerShard) continue;
    splits[gap.shard].add(gap.after);
    bytesPlanned -= gap.width;
    reads++;
  }
  return {
    reads: runs.map((r, shard) => cut(r, splits[shard])),
    bytesNeeded,
    bytesPlanned,
  };
}

/** Runs of touching or overlapping blobs, by offset. */
function mergeTouching(blobs: readonly BlobRange[]): Run[] {
  const sorted = [...blobs].sort((a, b) => a.offset - b.offset);
  const runs: Run[] = [];
  for (const b of sorted) {
    const last = runs[runs.length - 1];
    if (last && b.offset <= last.end) last.end = Math.max(last.end, b.offset + b.length);
    else runs.push({ offset: b.offset, end: b.offset + b.length });
  }
  return runs;
}

function cut(runs: readonly Run[], splitAfter: ReadonlySet<number>): BlobRange[] {
  const reads: BlobRange[] = [];
  if (runs.length === 0) return reads;
  let start = runs[0].offset;
  for (let i = 0; i < runs.length; i++) {
    if (i === runs.length - 1 || splitAfter.has(i)) {
      reads.push({ offset: start, length: runs[i].end - start });
      if (i + 1 < runs.length) start = runs[i + 1].offset;
    }
  }
  return reads;
}
