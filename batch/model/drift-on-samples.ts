/**
 * How far a quantized model's vectors move from the original's, measured on the built-in sample texts
 * (`csplade model quantize` prints it when the folder's csplade-model.json names the original).
 */
import { OnnxEncoder } from '../onnx/onnx-encoder.node.ts';
import { SAMPLE_TEXTS } from './sample-texts.ts';
import { measureDrift } from './vector-drift.ts';

/** Encodes the sample texts with both models of one directory; undefined when the config names another model. */
export async function driftOnSamples(
  dir: string,
  original: string,
  quantized: string,
  texts: readonly string[] = SAMPLE_TEXTS,
) {
  // The config may describe a prepared graph while the quantized file is the raw export, or the reverse.
  const open = (model: string) =>
    OnnxEncoder.open(dir, { tokenizerThreads: 0, configOverrides: { model } }).catch(() =>
      OnnxEncoder.open(dir, { tokenizerThreads: 0, configOverrides: { model, prepared: false } }),
    );
  const reference = await open(original).catch(() => undefined);
  if (!reference) return undefined;
  const candidate = await open(quantized);
  try {
    return measureDrift(await reference.encode(texts, 'document'), await candidate.encode(texts, 'document'));
  } finally {
    await reference.close();
    await candidate.close();
  }
}
