/**
 * Test helpers: tiny model directories in fresh temporary folders, and a direct onnxruntime run
 * of raw sequences (no encoder) to compare the encoder and the fused head against.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { type TinyModelDirOptions, writeTinyModelDir } from '../../../batch/model/tiny-model-dir.node.ts';
import { padBatch } from '../../../shared/encoders/onnx/batching.ts';
import type { ModelSequence } from '../../../shared/encoders/onnx/sequences.ts';
import { batchInputs, logitsAsFloat32 } from '../../../shared/encoders/onnx/session-io.ts';

const created: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'csplade-onnx-'));
  created.push(dir);
  return dir;
}

export async function tinyModelDir(options: TinyModelDirOptions): Promise<string> {
  const dir = await tempDir();
  await writeTinyModelDir(dir, options);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export interface RawRun {
  /** Float logits [batch, length, vocab], or the prepared head's outputs. */
  readonly logits?: Float32Array;
  readonly dims?: [number, number, number];
  readonly termIds?: BigInt64Array;
  readonly termWeights?: Float32Array;
  readonly k?: number;
}

/** Runs sequences (right-padded, in the given order) through a model file. */
export async function runSequences(
  modelPath: string,
  sequences: readonly ModelSequence[],
  padId = 0,
): Promise<RawRun> {
  const session = await ort.InferenceSession.create(modelPath);
  try {
    const batch = padBatch(
      sequences.map((s) => ({ ...s, owner: 0 })),
      padId,
    );
    const shape = [batch.batchSize, batch.length];
    const all = batchInputs(batch);
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) feeds[name] = new ort.Tensor('int64', all[name], shape);
    const out = await session.run(feeds);
    if (out.logits) {
      return { logits: logitsAsFloat32(out.logits), dims: out.logits.dims as [number, number, number] };
    }
    return {
      termIds: out.term_ids.data as BigInt64Array,
      termWeights: out.term_weights.data as Float32Array,
      k: out.term_ids.dims[1],
    };
  } finally {
    await session.release();
  }
}
