/**
 * Coalescing of byte ranges into fewer reads. On object storage a request costs tens of
 * milliseconds and a Worker has a subrequest budget, while a few hundred KiB of unneeded bytes cost
 * about a millisecond, so ranges closer than `maxGap` bytes are merged into one read.
 */

export interface KeyedRange<K> {
  readonly offset: number;
  readonly length: number;
  readonly key: K;
}

export interface CoalescedRange<K> {
  readonly offset: number;
  readonly length: number;
  /** The ranges this read covers, in offset order. */
  readonly parts: readonly KeyedRange<K>[];
}

/** Default gap under which two postings reads become one: 256 KiB. */
export const DEFAULT_COALESCE_GAP = 256 * 1024;

/**
 * Sorts ranges by offset and merges those whose gap is ≤ maxGap (overlapping ranges always merge).
 * @example coalesceRanges([{offset: 0, length: 10, key: 'a'}, {offset: 12, length: 4, key: 'b'}], 8)
 *   // → [{ offset: 0, length: 16, parts: [a, b] }]
 */
export function coalesceRanges<K>(ranges: readonly KeyedRange<K>[], maxGap: number): CoalescedRange<K>[] {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  const out: CoalescedRange<K>[] = [];
  let current: { offset: number; end: number; parts: KeyedRange<K>[] } | null = null;
  for (const r of sorted) {
    if (current && r.offset - current.end <= maxGap) {
      current.end = Math.max(current.end, r.offset + r.length);
      current.parts.push(r);
    } else {
      if (current)
        out.push({ offset: current.offset, length: current.end - current.offset, parts: current.parts });
      current = { offset: r.offset, end: r.offset + r.length, parts: [r] };
    }
  }
  if (current)
    out.push({ offset: current.offset, length: current.end - current.offset, parts: current.parts });
  return out;
}
