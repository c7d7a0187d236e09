/**
 * Merge of per-shard top-k lists (doc ids already global) into one global top-k with the same
 * order as every algorithm: score descending, then doc id ascending. Runs the lists through one
 * TopKQueue, so the tie rule lives in a single place.
 */
import { TopKQueue } from './topk-queue.ts';
import type { TopKResult } from './types.ts';

export function mergeTopK(
  lists: readonly { docs: Uint32Array; scores: Float64Array }[],
  k: number,
): TopKResult {
  const queue = new TopKQueue(k);
  for (const list of lists) {
    if (list.docs.length !== list.scores.length) {
      throw new RangeError(`top-k list has ${list.docs.length} docs but ${list.scores.length} scores`);
    }
    for (let i = 0; i < list.docs.length; i++) queue.offer(list.docs[i], list.scores[i]);
  }
  return queue.toResult();
}
