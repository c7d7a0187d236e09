/**
 * Exhaustive top-k over uncompressed doc/impact arrays: the baseline every engine speed-up is a ratio
 * against (bench:engine, bench:edge) and the brute-force oracle of the engine's and the approximate
 * index's tests. It lives beside the benchmarks and shares no code with shared/engine on purpose: a
 * denominator, or an oracle, that moved whenever the code it measures moved would prove nothing.
 *
 * Made as fast as we can: one tight loop per list into an Int32 accumulator (half the memory traffic of
 * Float64; scores are integers, positive integer weights × u16 impacts, and the largest possible one fits
 * for every benchmark query), then one scan in increasing doc order, so a later doc never wins a tie and
 * only scores strictly above the threshold are offered.
 */
import { TopKQueue } from '../../shared/engine/topk-queue.ts';
import type { TopKResult } from '../../shared/engine/types.ts';

/** One query term over uncompressed postings. */
export interface RawQueryTerm {
  readonly weight: number;
  readonly docs: Uint32Array;
  readonly impacts: Uint16Array;
}

let accumulator = new Int32Array(0);

export function exhaustiveRawTopK(numDocs: number, terms: readonly RawQueryTerm[], k: number): TopKResult {
  // Impacts are u16, so weight × 65535 bounds each list without scanning it.
  let largest = 0;
  for (const t of terms) largest += t.weight * 0xffff;
  if (largest > 0x7fffffff) return mapTopK(numDocs, terms, k);
  if (accumulator.length < numDocs) accumulator = new Int32Array(numDocs);
  const acc = accumulator;
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

/**
 * Scores past 32 bits (huge query weights; no benchmark query comes near): summed in doubles per scored
 * doc — slow and plainly exact; the queue orders them as above.
 */
function mapTopK(numDocs: number, terms: readonly RawQueryTerm[], k: number): TopKResult {
  const scores = new Map<number, number>();
  for (const t of terms) {
    for (let i = 0; i < t.docs.length; i++) {
      scores.set(t.docs[i], (scores.get(t.docs[i]) ?? 0) + t.weight * t.impacts[i]);
    }
  }
  const queue = new TopKQueue(Math.min(k, numDocs));
  for (const [doc, score] of scores) queue.offer(doc, score);
  return queue.toResult();
}
