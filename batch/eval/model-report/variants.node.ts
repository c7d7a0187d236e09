/**
 * The model variants a report compares: the directory's own model (as exported, "fp32"), its int8
 * weight-only version and its 4-bit MatMulNBits version, made with the ONNX engineer's
 * `quantizeModel` next to the original (<name>.int8.onnx, <name>.int4.onnx — the files
 * `csplade model quantize` writes). An existing quantized file newer than its source is reused, so
 * a second report on a multi-gigabyte model does not quantize again.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { modelSizeOnDisk } from '../../model/model-file.node.ts';
import { defaultQuantizedPath, type QuantizeBits, quantizeModel } from '../../model/quantize.ts';
import { loadModelDir } from '../../onnx/model-dir.node.ts';

export type VariantName = 'fp32' | 'int8' | 'int4';

export interface ModelVariant {
  readonly name: VariantName;
  /** File name inside the model directory (the config's `model` for this variant). */
  readonly file: string;
  /** Bytes on disk, external data included. */
  readonly bytes: number;
  /** Whether the file was quantized by this report (false: reused or the original). */
  readonly created: boolean;
}

const BITS: Record<Exclude<VariantName, 'fp32'>, QuantizeBits> = { int8: 8, int4: 4 };

export async function prepareVariants(
  modelDir: string,
  names: readonly VariantName[],
): Promise<ModelVariant[]> {
  const { modelPath } = await loadModelDir(modelDir);
  const source = await stat(modelPath);
  const variants: ModelVariant[] = [];
  for (const name of names) {
    if (name === 'fp32') {
      variants.push({
        name,
        file: basename(modelPath),
        bytes: await modelSizeOnDisk(modelPath),
        created: false,
      });
      continue;
    }
    const path = defaultQuantizedPath(modelPath, BITS[name]);
    const existing = await stat(path).catch(() => undefined);
    const fresh = existing !== undefined && existing.mtimeMs >= source.mtimeMs;
    if (!fresh) await quantizeModel(modelPath, { bits: BITS[name], output: path });
    if (dirname(path) !== dirname(modelPath))
      throw new Error(`quantized model ${path} left the model directory`);
    variants.push({ name, file: basename(path), bytes: await modelSizeOnDisk(path), created: !fresh });
  }
  return variants;
}
