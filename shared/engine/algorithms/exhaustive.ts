/**
 * Exhaustive term-at-a-time scoring: the reference every pruning algorithm is tested against.
 *
 * Every posting of every query term is decoded and added into a dense accumulator of numDocs
 * scores, which is then scanned in doc order into the top-k queue. Scanning in increasing doc
 * order means a later doc can never win a tie, so only scores strictly above the threshold are
 * offered; a filter (`accept`) is applied in that scan. `exhaustiveRawTopK` is the same over
 * uncompressed arrays: the benchmark's baseline.
 */
import type { PostingList } from '../../postings/posting-list.ts';
import { type DocSet, hasDoc } from '../doc-set.ts';
import { validateSearchRequest } from '../errors.ts';
import { TopKQueue } from '../topk-queue.ts';
import type { SearchRequest, TopKAlgorithm, TopKResult } from '../types.ts';

let accumulator = new Float64Array(0);

/** A zeroed accumulator of at least `numDocs` entries, reused across queries (callers re-zero it). */
function takeAccumulator(numDocs: number): Float64Array {
  if (accumulator.length < numDocs) accumulator = new Float64Array(numDocs);
  return accumulator;
}

/** Scans acc[0..numDocs) into a top-k result (docs in `accept` only, when given) and zeroes it. */
function collect(acc: Float64Array, numDocs: number, k: number, accept?: DocSet): TopKResult {
  const queue = new TopKQueue(Math.min(k, numDocs));
  if (queue.capacity === 0) {
    acc.fill(0, 0, numDocs);
    return queue.toResult();
  }
  let threshold = 0;
  for (let d = 0; d < numDocs; d++) {
    const s = acc[d];
    if (s > threshold && (accept === undefined || hasDoc(accept, d))) {
      queue.offer(d, s);
      if (queue.isFull) threshold = queue.thresholdScore;
    }
  }
  acc.fill(0, 0, numDocs);
  return queue.toResult();
}

function addPostingList(
  acc: Float64Array,
  list: PostingList,
  weight: number,
  docs: Uint32Array,
  imps: Uint32Array,
): void {
  for (let j = 0; j < list.numBlocks; j++) {
    const n = list.decodeBlock(j, docs, imps);
    for (let i = 0; i < n; i++) acc[docs[i]] += weight * imps[i];
  }
}

export const exhaustive: TopKAlgorithm = {
  name: 'exhaustive',
  search(request: SearchRequest): TopKResult {
    validateSearchRequest(request);
    const { numDocs, terms, k } = request;
    const acc = takeAccumulator(numDocs);
    let blockSize = 1;
    for (const t of terms) blockSize = Math.max(blockSize, t.postings.blockSize);
    const docs = new Uint32Array(blockSize);
    const imps = new Uint32Array(blockSize);
    for (const t of terms) addPostingList(acc, t.postings, t.weight, docs, imps);
    return collect(acc, numDocs, k, request.accept);
  },
};

/** One query term over uncompressed postings. */
export interface RawQueryTerm {
  readonly weight: number;
  readonly docs: Uint32Array;
  readonly impacts: Uint16Array;
}

let intAccumulator = new Int32Array(0);

/**
 * Exhaustive top-k over uncompressed doc/impact arrays: the benchmark baseline, made as fast as
 * we can: an Int32 accumulator (half the memory traffic of Float64) whenever the largest
 * possible score fits, one tight loop per list.
 */
export function exhaustiveRawTopK(numDocs: number, terms: readonly RawQueryTerm[], k: number): TopKResult {
  // Impacts are u16, so weight × 65535 bounds each list without scanning it.
  let largest = 0;
  for (const t of terms) largest += t.weight * 0xffff;
  if (largest <= 0x7fffffff) {
    if (intAccumulator.length < numDocs) intAccumulator = new Int32Array(numDocs);
    const acc = intAccumulator;
    for (const t of terms) {
      const { docs, impacts, weight } = t;
      for (let i = 0; i < docs.length; i++) acc[docs[i]] += weight * impacts[i];
    }
    const queue = new TopKQueue(Math.min(k, numDocs));
    if (queue.capacity > 0) {
      let threshold = 0;
      for (let d = 0; d < numDocs; d++) {
        const s = acc[d];
        if (s > threshold) {
          queue.offer(d, s);
          if (queue.isFull) threshold = queue.thresholdScore;
        }
      }
    }
    acc.fill(0, 0, numDocs);
    return queue.toResult();
  }
  const acc = takeAccumulator(numDocs);
  for (const t of terms) {
    const { docs, impacts, weight } = t;
    for (let i = 0; i < docs.length; i++) acc[docs[i]] += weight * impacts[i];
  }
  return collect(acc, numDocs, k);
}
