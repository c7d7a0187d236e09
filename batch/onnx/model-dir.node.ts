/**
 * Opens and validates a model directory: csplade-model.json, the .onnx file and every external
 * data file it references, the tokenizer, and the graph's interface. The graph must look like a
 * Hugging Face LM export — int64 `input_ids` and `attention_mask` [batch, sequence], optional
 * `position_ids` / `token_type_ids`, and either `logits` [batch, sequence, vocab] with vocab equal
 * to the tokenizer's, or (prepared) `term_ids` / `term_weights` plus a `pooling_mask` input when
 * the config says so. Every failure names the file and what was wrong, before any session starts.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MODEL_CONFIG_FILE,
  type ModelConfig,
  type PreparedHead,
  parseModelConfig,
} from '../../shared/encoders/onnx/config.ts';
import { OnnxModelError } from '../../shared/encoders/onnx/errors.ts';
import type { Tokenizer } from '../../shared/tokenizers/tokenizer.ts';
import { externalDataFiles, loadModelFile } from '../model/model-file.node.ts';
import { DataType, describeValueInfo, type ModelProto } from '../model/onnx-proto.ts';
import { PREPARED_METADATA_KEY } from '../model/prepare.ts';
import { loadTokenizer, resolveTokenizerSource, type TokenizerSource } from './tokenizer-source.node.ts';

/** Graph inputs the encoder knows how to feed. */
export const KNOWN_INPUTS = [
  'input_ids',
  'attention_mask',
  'position_ids',
  'token_type_ids',
  'pooling_mask',
] as const;
export type KnownInput = (typeof KNOWN_INPUTS)[number];

export interface ModelDir {
  readonly dir: string;
  readonly config: ModelConfig;
  readonly modelPath: string;
  readonly externalFiles: readonly string[];
  readonly tokenizerSource: TokenizerSource;
  readonly tokenizer: Tokenizer;
  /** The graph inputs, in graph order. */
  readonly inputs: readonly KnownInput[];
  /** Logits element type of an unprepared graph ("float32", "float16", "bfloat16"). */
  readonly logitsType?: string;
  readonly graph: ModelProto;
}

/**
 * `overrides` replaces config fields after validation of the file — e.g. `{ model: 'model.int8.onnx' }`
 * to open a quantized sibling with the same tokenizer and templates.
 */
export async function loadModelDir(dir: string, overrides: Partial<ModelConfig> = {}): Promise<ModelDir> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new OnnxModelError('model_file_missing', `model directory ${dir} does not exist`);
  const config = await readModelConfig(dir, overrides);
  const modelPath = join(dir, config.model);
  const modelExists = await stat(modelPath).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!modelExists)
    throw new OnnxModelError(
      'model_file_missing',
      `${join(dir, MODEL_CONFIG_FILE)} names model "${config.model}" but ${modelPath} does not exist`,
    );
  const graph = await loadModelFile(modelPath);
  const externalFiles = externalDataFiles(graph);
  await checkExternalFiles(dir, modelPath, externalFiles);
  const tokenizerSource = await resolveTokenizerSource(dir, config.tokenizer);
  const tokenizer = await loadTokenizer(tokenizerSource);
  const { inputs, logitsType } = checkGraphInterface(graph, config, tokenizer.vocabSize, modelPath);
  return { dir, config, modelPath, externalFiles, tokenizerSource, tokenizer, inputs, logitsType, graph };
}

/** csplade-model.json of the directory, parsed and checked, with `overrides` applied. */
async function readModelConfig(dir: string, overrides: Partial<ModelConfig>): Promise<ModelConfig> {
  const configPath = join(dir, MODEL_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    throw new OnnxModelError(
      'model_file_missing',
      `${configPath} is missing: every model directory needs a ${MODEL_CONFIG_FILE}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new OnnxModelError(
      'invalid_model_config',
      `${configPath} is not valid JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
  return parseModelConfig({ ...(json as object), ...overrides }, configPath);
}

async function checkExternalFiles(dir: string, modelPath: string, files: readonly string[]): Promise<void> {
  for (const file of files) {
    const exists = await stat(join(dir, file)).then(
      () => true,
      () => false,
    );
    if (!exists)
      throw new OnnxModelError(
        'model_file_missing',
        `${modelPath} keeps weights in external data file "${file}", which is missing from ${dir}`,
      );
  }
}

function checkGraphInterface(
  graph: ModelProto,
  config: ModelConfig,
  tokenizerVocab: number,
  modelPath: string,
): { inputs: KnownInput[]; logitsType?: string } {
  const inputs = graphInputs(graph, modelPath);
  const outputs = new Map((graph.graph?.output ?? []).map((o) => [o.name ?? '', describeValueInfo(o)]));
  if (config.prepared) {
    checkPreparedHead(graph, config.prepared, { inputs, outputs, tokenizerVocab, modelPath });
    return { inputs };
  }
  return { inputs, logitsType: logitsTypeOf(outputs, tokenizerVocab, modelPath) };
}

type GraphOutputs = Map<string, ReturnType<typeof describeValueInfo>>;

/** The graph's real inputs (overridable initializers left out): known ones, int64 [batch, sequence]. */
function graphInputs(graph: ModelProto, modelPath: string): KnownInput[] {
  const inputs: KnownInput[] = [];
  const initializerNames = new Set((graph.graph?.initializer ?? []).map((t) => t.name));
  for (const info of graph.graph?.input ?? []) {
    const name = info.name ?? '';
    if (initializerNames.has(name)) continue; // an overridable initializer, not a real input
    if (!(KNOWN_INPUTS as readonly string[]).includes(name)) {
      throw new OnnxModelError(
        'model_io_mismatch',
        `${modelPath}: unexpected input "${name}" (known inputs: ${KNOWN_INPUTS.join(', ')})`,
      );
    }
    const { elemType, dims } = describeValueInfo(info);
    if (elemType !== DataType.INT64 || dims.length !== 2) {
      throw new OnnxModelError(
        'model_io_mismatch',
        `${modelPath}: input "${name}" must be int64 [batch, sequence] (got type ${elemType}, rank ${dims.length})`,
      );
    }
    inputs.push(name as KnownInput);
  }
  for (const required of ['input_ids', 'attention_mask'] as const) {
    if (!inputs.includes(required))
      throw new OnnxModelError(
        'model_io_mismatch',
        `${modelPath}: missing input "${required}" (inputs: ${inputs.join(', ')})`,
      );
  }
  return inputs;
}

/** A prepared graph: term outputs, and a head (k, pooling, vocabulary) that matches the config. */
function checkPreparedHead(
  graph: ModelProto,
  prepared: PreparedHead,
  io: { inputs: KnownInput[]; outputs: GraphOutputs; tokenizerVocab: number; modelPath: string },
): void {
  const { inputs, outputs, tokenizerVocab, modelPath } = io;
  if (!outputs.has('term_ids') || !outputs.has('term_weights')) {
    throw new OnnxModelError(
      'model_io_mismatch',
      `${modelPath}: config says "prepared" but the graph has no term_ids/term_weights outputs; run \`csplade model prepare\``,
    );
  }
  const meta = (graph.metadataProps ?? []).find((p) => p.key === PREPARED_METADATA_KEY);
  const head = meta
    ? (JSON.parse(meta.value ?? '{}') as { k?: number; pooling?: string; vocabSize?: number })
    : {};
  if (head.pooling !== prepared.pooling || head.k !== prepared.k) {
    throw new OnnxModelError(
      'model_io_mismatch',
      `${modelPath}: prepared head is ${JSON.stringify(head)} but the config says ${JSON.stringify(prepared)}`,
    );
  }
  if (head.vocabSize !== undefined && head.vocabSize !== tokenizerVocab) {
    throw new OnnxModelError(
      'vocab_mismatch',
      `${modelPath}: logits vocabulary ${head.vocabSize} ≠ tokenizer vocabulary ${tokenizerVocab}`,
    );
  }
  if ((prepared.pooling === 'pooling_mask') !== inputs.includes('pooling_mask')) {
    throw new OnnxModelError(
      'model_io_mismatch',
      `${modelPath}: prepared pooling "${prepared.pooling}" does not match the graph's inputs (${inputs.join(', ')})`,
    );
  }
}

/** An unprepared graph's `logits` [batch, sequence, vocab]: the tokenizer's vocabulary, a type JS can read. */
function logitsTypeOf(outputs: GraphOutputs, tokenizerVocab: number, modelPath: string): string {
  const logits = outputs.get('logits');
  if (!logits)
    throw new OnnxModelError(
      'model_io_mismatch',
      `${modelPath}: no "logits" output (outputs: ${[...outputs.keys()].join(', ')})`,
    );
  if (logits.dims.length !== 3)
    throw new OnnxModelError(
      'model_io_mismatch',
      `${modelPath}: "logits" must be [batch, sequence, vocab], got rank ${logits.dims.length}`,
    );
  const vocab = logits.dims[2];
  if (typeof vocab === 'number' && vocab !== tokenizerVocab) {
    throw new OnnxModelError(
      'vocab_mismatch',
      `${modelPath}: logits vocabulary ${vocab} ≠ tokenizer vocabulary ${tokenizerVocab}`,
    );
  }
  const types: Record<number, string> = {
    [DataType.FLOAT]: 'float32',
    [DataType.FLOAT16]: 'float16',
    [DataType.BFLOAT16]: 'bfloat16',
  };
  const logitsType = types[logits.elemType];
  if (!logitsType)
    throw new OnnxModelError(
      'model_io_mismatch',
      `${modelPath}: "logits" element type ${logits.elemType} is not float32/float16/bfloat16`,
    );
  if (logitsType === 'bfloat16') {
    throw new OnnxModelError(
      'model_io_mismatch',
      `${modelPath}: "logits" are bfloat16, which onnxruntime-node cannot hand to JavaScript; run \`csplade model prepare\` so they are pooled inside the session`,
    );
  }
  return logitsType;
}
