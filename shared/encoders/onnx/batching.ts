/**
 * Groups model sequences into batches and pads them into the int64 tensors an LM export takes.
 * Sequences are sorted by length first, so each batch pads to a length close to all its members'
 * (padding is compute spent on nothing); a batch is closed at `maxBatchSize` sequences or when
 * its padded size would pass `maxBatchTokens`. Padding is on the right, which keeps positions of
 * real tokens 0..n-1 and is harmless under a causal mask (pads come after every real token).
 */
import type { ModelSequence } from './sequences.ts';

/** A sequence and the index of the text it belongs to. */
export interface OwnedSequence extends ModelSequence {
  readonly owner: number;
}

export interface BatchLimits {
  readonly maxBatchSize: number;
  /** Upper bound on batch × padded length. */
  readonly maxBatchTokens: number;
}

export interface PaddedBatch {
  readonly members: readonly OwnedSequence[];
  readonly batchSize: number;
  readonly length: number;
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly positionIds: BigInt64Array;
  /** 1 where the SPLADE head pools (echo: the second copy only). */
  readonly poolingMask: BigInt64Array;
  /** Real (non-pad) tokens in the batch. */
  readonly realTokens: number;
}

/** Longest first: the first batch is the largest, so memory problems show up immediately. */
export function planBatches(sequences: readonly OwnedSequence[], limits: BatchLimits): OwnedSequence[][] {
  const sorted = [...sequences].sort((a, b) => b.ids.length - a.ids.length);
  const batches: OwnedSequence[][] = [];
  let current: OwnedSequence[] = [];
  for (const sequence of sorted) {
    // Sorted descending: the batch's padded length is its first member's.
    const padded = current.length > 0 ? current[0].ids.length : sequence.ids.length;
    if (
      current.length > 0 &&
      (current.length >= limits.maxBatchSize || (current.length + 1) * padded > limits.maxBatchTokens)
    ) {
      batches.push(current);
      current = [];
    }
    current.push(sequence);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export function padBatch(members: readonly OwnedSequence[], padId: number): PaddedBatch {
  const length = Math.max(1, ...members.map((m) => m.ids.length));
  const size = members.length * length;
  const inputIds = new BigInt64Array(size);
  const attentionMask = new BigInt64Array(size);
  const positionIds = new BigInt64Array(size);
  const poolingMask = new BigInt64Array(size);
  // Write the low 32-bit word of each little-endian int64 (ids are small and non-negative): a
  // BigInt per element costs more than the tiny models' whole forward pass.
  const ids32 = new Int32Array(inputIds.buffer);
  const attention32 = new Int32Array(attentionMask.buffer);
  const positions32 = new Int32Array(positionIds.buffer);
  const pooling32 = new Int32Array(poolingMask.buffer);
  let realTokens = 0;
  members.forEach((m, row) => {
    const base = row * length;
    for (let p = 0; p < length; p++) {
      const at = 2 * (base + p);
      if (p < m.ids.length) {
        ids32[at] = m.ids[p];
        attention32[at] = 1;
        positions32[at] = p;
      } else {
        ids32[at] = padId;
      }
    }
    for (let p = m.poolStart; p < m.poolEnd; p++) pooling32[2 * (base + p)] = 1;
    realTokens += m.ids.length;
  });
  return {
    members,
    batchSize: members.length,
    length,
    inputIds,
    attentionMask,
    positionIds,
    poolingMask,
    realTokens,
  };
}
