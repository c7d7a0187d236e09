/**
 * Writes a complete, deterministic model directory around a tiny generated model: the .onnx
 * (optionally with its weights in an external data file, to exercise the >2 GB code path with
 * kilobytes), the generated tokenizer.json and a csplade-model.json. Tests and `bench:encode`
 * call this into a temporary folder instead of keeping binary fixtures in git.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defaultModelConfig,
  MODEL_CONFIG_FILE,
  type ModelConfig,
} from '../../shared/encoders/onnx/config.ts';
import { saveModelFile } from './model-file.node.ts';
import { generateTinyModel, type TinyModelOptions } from './tiny-models.ts';
import { generateTinyTokenizerJson } from './tiny-tokenizer.ts';

export interface TinyModelDirOptions {
  architecture: 'masked-lm' | 'causal-lm';
  variant?: 'causal' | 'echo' | 'bi';
  vocabSize?: number;
  hidden?: number;
  layers?: number;
  seed?: number;
  logitsType?: TinyModelOptions['logitsType'];
  /** Put every initializer of at least 1 KiB into `model.onnx.data`. */
  externalData?: boolean;
  config?: Partial<ModelConfig>;
}

export async function writeTinyModelDir(dir: string, options: TinyModelDirOptions): Promise<ModelConfig> {
  await mkdir(dir, { recursive: true });
  const vocabSize = options.vocabSize ?? 1000;
  const tokenizerJson = generateTinyTokenizerJson({ vocabSize });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  const variant = options.architecture === 'causal-lm' ? (options.variant ?? 'causal') : undefined;
  const model = generateTinyModel({
    architecture: options.architecture,
    causalMask: variant !== 'bi',
    vocabSize,
    hidden: options.hidden,
    layers: options.layers,
    seed: options.seed,
    logitsType: options.logitsType,
  });
  await saveModelFile(
    model,
    join(dir, 'model.onnx'),
    options.externalData ? { externalData: { minBytes: 1024 } } : {},
  );
  const config = defaultModelConfig(options.architecture, {
    ...(variant ? { variant } : {}),
    maxLength: 128,
    topK: { query: 64, document: 128 },
    ...options.config,
  });
  await writeFile(join(dir, MODEL_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  return config;
}
