/**
 * Registers the `onnx` encoder with the encoder registry (Node only: onnxruntime-node). Import
 * this module once (the batch job and CLI do) and `createEncoder({ name: 'onnx', modelDir })`
 * opens a model directory. Optional config fields: tokenizerThreads, maxBatchSize,
 * maxBatchTokens, preferCuda. The edge registers its own onnxruntime-web factory under the same
 * name for queries; the fingerprint check in `createEncoder` keeps the two sides consistent.
 */
import type { EncoderConfig } from '../../shared/encoders/config.ts';
import { OnnxModelError } from '../../shared/encoders/onnx/errors.ts';
import { registerEncoder, registeredEncoders } from '../../shared/encoders/registry.ts';
import { createOnnxEncoder, type OnnxEncoderOptions } from './onnx-encoder.node.ts';

/** The factory behind the registry entry, exported for callers that want it without the side effect. */
export async function onnxEncoderFromConfig(config: EncoderConfig) {
  if (typeof config.modelDir !== 'string' || config.modelDir === '') {
    throw new OnnxModelError(
      'invalid_model_config',
      `onnx encoder config needs "modelDir" (a model directory path)`,
    );
  }
  const options: { -readonly [K in keyof OnnxEncoderOptions]: OnnxEncoderOptions[K] } = {};
  for (const field of ['tokenizerThreads', 'maxBatchSize', 'maxBatchTokens'] as const) {
    const value = config[field];
    if (value !== undefined) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new OnnxModelError(
          'invalid_model_config',
          `onnx encoder config "${field}" must be a non-negative integer`,
        );
      }
      options[field] = value;
    }
  }
  if (config.preferCuda !== undefined) options.preferCuda = config.preferCuda === true;
  return createOnnxEncoder(config.modelDir, options);
}

export function registerOnnxEncoder(): void {
  if (!registeredEncoders().includes('onnx')) registerEncoder('onnx', onnxEncoderFromConfig);
}

registerOnnxEncoder();
