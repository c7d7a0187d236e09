/**
 * What goes into and comes out of an ONNX SPLADE session, for every runtime that runs one (onnxruntime-node
 * in the batch job, onnxruntime-web in a Worker, onnxruntime-node on the Node edge): the int64 inputs a padded
 * batch provides by their Hugging Face names, and one sparse vector per batch row from the outputs — the
 * prepared head's (term_ids, term_weights), or raw logits pooled in JavaScript. Kept in one place so the
 * query side at the edge and the document side in batch cannot drift apart.
 */
import type { SparseVector } from '../../sparse/types.ts';
import type { PaddedBatch } from './batching.ts';
import { bfloat16ToFloat32, float16ToFloat32 } from './half-float.ts';
import { sparseFromTopK, spladePoolDense, topKDense } from './pooling.ts';

/** The part of an ORT tensor this module reads (onnxruntime-node and -web tensors both fit). */
export interface OutputTensor {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

/**
 * The inputs a batch can feed, by graph input name; callers feed only the names their graph declares
 * (`token_type_ids` is all zeros: SPLADE encodes one segment).
 */
export function batchInputs(batch: PaddedBatch): Record<string, BigInt64Array> {
  return {
    input_ids: batch.inputIds,
    attention_mask: batch.attentionMask,
    position_ids: batch.positionIds,
    pooling_mask: batch.poolingMask,
    token_type_ids: new BigInt64Array(batch.inputIds.length),
  };
}

/** Logits as float32, whatever the export's precision (converted once per batch, not per row). */
export function logitsAsFloat32(tensor: OutputTensor): Float32Array {
  if (tensor.type === 'float16') return float16ToFloat32(tensor.data as Uint16Array);
  if (tensor.type === 'bfloat16') return bfloat16ToFloat32(tensor.data as Uint16Array);
  return tensor.data as Float32Array;
}

/** One vector per batch member (cut to `k` terms), in member order. */
export function vectorsFromOutputs(
  out: Readonly<Record<string, OutputTensor>>,
  batch: PaddedBatch,
  prepared: boolean,
  k: number,
): SparseVector[] {
  if (prepared) {
    const ids = out.term_ids.data as BigInt64Array;
    const weights = out.term_weights.data as Float32Array;
    const width = out.term_ids.dims[1];
    return batch.members.map((_, row) =>
      sparseFromTopK(
        ids.subarray(row * width, (row + 1) * width),
        weights.subarray(row * width, (row + 1) * width),
        k,
      ),
    );
  }
  const logits = logitsAsFloat32(out.logits);
  const dims = out.logits.dims as [number, number, number];
  return batch.members.map((member, row) =>
    topKDense(spladePoolDense(logits, dims, row, member.poolStart, member.poolEnd), k),
  );
}
