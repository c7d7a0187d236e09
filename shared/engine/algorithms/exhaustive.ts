/**
 * Exhaustive term-at-a-time scoring: the reference every pruning algorithm is tested against.
 *
 * Every posting of every query term is decoded and added into a dense accumulator of numDocs
 * scores, which is then scanned in doc order into the top-k queue. Scanning in increasing doc
 * order means a later doc can never win a tie, so only scores strictly above the threshold are
 * offered; a filter (`accept`) is applied in that scan. `exhaustiveRawTopK` is the same over
 * uncompressed arrays: the benchmark's baseline, made as fast as we can, with an Int32 accumulator
 * (half the memory traffic of Float64) whenever the largest possible score fits.
 */
import type { PostingList } from '../../postings/posting-list.ts';
import { type DocSet, hasDoc } from '../doc-set.ts';
import { validateSearchRequest } from '../errors.ts';
import { TopKQueue } from '../topk-queue.ts';
import type { SearchRequest, TopKAlgorithm, TopKResult } from '../types.ts';

/** Scores per doc, reused across queries and all zero between them (collect re-zeroes them). */
type Accumulator = Float64Array | Int32Array;
let floatAccumulator = new Float64Array(0);
let intAccumulator = new Int32Array(0);

function takeFloatAccumulator(numDocs: number): Float64Array {
  if (floatAccumulator.length < numDocs) floatAccumulator = new Float64Array(numDocs);
  return floatAccumulator;
}

function takeIntAccumulator(numDocs: number): Int32Array {
  if (intAccumulator.length < numDocs) intAccumulator = new Int32Array(numDocs);
  return intAccumulator;
}

/** Scans acc[0..numDocs) into a top-k result (docs in `accept` only, when given) and zeroes it. */
function collect(acc: Accumulator, numDocs: number, k: number, accept?: DocSet): TopKResult {
  const queue = new TopKQueue(Math.min(k, numDocs));
  if (queue.capacity > 0) {
    if (acc instanceof Float64Array) offerFloatScores(acc, numDocs, queue, accept);
    else offerIntScores(acc, numDocs, queue);
  }
  acc.fill(0, 0, numDocs);
  return queue.toResult();
}

// One scan per accumulator type, on purpose: a loop that reads both kinds of typed array is
// compiled for both and runs measurably slower on each, and this scan is the baseline's hot loop.

/** Offers every doc whose score beats the k-th so far, in doc order. */
function offerFloatScores(acc: Float64Array, numDocs: number, queue: TopKQueue, accept?: DocSet): void {
  let threshold = 0;
  for (let d = 0; d < numDocs; d++) {
    const s = acc[d];
    if (s > threshold && (accept === undefined || hasDoc(accept, d))) {
      queue.offer(d, s);
      if (queue.isFull) threshold = queue.thresholdScore;
    }
  }
}

/** offerFloatScores for an Int32 accumulator (the raw baseline's: no filter). */
function offerIntScores(acc: Int32Array, numDocs: number, queue: TopKQueue): void {
  let threshold = 0;
  for (let d = 0; d < numDocs; d++) {
    const s = acc[d];
    if (s > threshold) {
      queue.offer(d, s);
      if (queue.isFull) threshold = queue.thresholdScore;
    }
  }
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
    const acc = takeFloatAccumulator(numDocs);
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

/** Exhaustive top-k over uncompressed doc/impact arrays (the benchmark baseline). */
export function exhaustiveRawTopK(numDocs: number, terms: readonly RawQueryTerm[], k: number): TopKResult {
  // Impacts are u16, so weight × 65535 bounds each list without scanning it.
  let largest = 0;
  for (const t of terms) largest += t.weight * 0xffff;
  const acc = largest <= 0x7fffffff ? takeIntAccumulator(numDocs) : takeFloatAccumulator(numDocs);
  for (const t of terms) addRawPostings(acc, t);
  return collect(acc, numDocs, k);
}

/** acc[d] += weight × impact for every posting of the term (one tight loop per list). */
function addRawPostings(acc: Accumulator, term: RawQueryTerm): void {
  const { docs, impacts, weight } = term;
  for (let i = 0; i < docs.length; i++) acc[docs[i]] += weight * impacts[i];
}
