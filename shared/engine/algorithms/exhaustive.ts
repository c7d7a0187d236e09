/**
 * Exhaustive term-at-a-time scoring: the reference every pruning algorithm is tested against.
 *
 * Every posting of every query term is decoded and added into a dense accumulator of numDocs
 * scores, which is then scanned in doc order into the top-k queue. Scanning in increasing doc
 * order means a later doc can never win a tie, so only scores strictly above the threshold are
 * offered; a filter (`accept`) is applied in that scan. The benchmarks' baseline and the tests'
 * brute-force oracle, the same over uncompressed arrays, is test/bench/raw-baseline.ts: kept apart so
 * that it does not move when this code does.
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
