/**
 * `csplade model prepare`: graph surgery that fuses the SPLADE head into an LM export, so the
 * [batch, sequence, vocab] logits never leave the session (for Llama-3 that is 128,256 floats per
 * token). Appended to the `logits` output:
 *
 *   Where(pooling mask, logits, 0) → ReduceMax over the sequence → (Cast→float) → Relu
 *   → Add 1 → Log → TopK(k) → `term_weights` [batch, k] (float), `term_ids` [batch, k] (int64)
 *
 * Every step after the mask commutes with the max: ReLU and log(1 + ·) are monotone, so
 * max_p log(1 + relu(x_p)) = log(1 + relu(max_p x_p)) exactly; a masked position contributes 0,
 * which changes nothing after the ReLU. So the only [batch, sequence, vocab] intermediate is the
 * masked logits, in the logits' own precision (fp16 stays fp16; bf16 and others are cast to
 * float32 first, as CPU kernels need), and Relu/Log run on [batch, vocab]. The mask comes from a
 * new `pooling_mask` input (needed for echo: only the second copy)
 * or from `attention_mask`. Only the graph changes: external data files stay referenced (and
 * are copied when the output goes to another folder), so a 16 GB model is prepared in seconds.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MODEL_CONFIG_FILE, type ModelConfig, parseModelConfig } from '../../shared/encoders/onnx/config.ts';
import { OnnxModelError } from '../../shared/encoders/onnx/errors.ts';
import { GraphBuilder } from './graph-builder.ts';
import { loadModelFile, type SavedModel, saveModelFile } from './model-file.node.ts';
import { DataType, describeValueInfo, type ModelProto, rawTensor, toNumber } from './onnx-proto.ts';

export interface PrepareOptions {
  /** Terms kept per sequence (TopK size); clamped to the vocabulary. */
  k: number;
  pooling?: 'pooling_mask' | 'attention_mask';
  /** Name of the logits output (Hugging Face exports: "logits"). */
  logitsName?: string;
}

export interface PreparedGraphInfo {
  readonly k: number;
  readonly pooling: 'pooling_mask' | 'attention_mask';
  readonly logitsType: string;
  readonly vocabSize: number | undefined;
}

export const PREPARED_METADATA_KEY = 'csplade.prepared';

const FLOAT_TYPES: Record<number, string> = {
  [DataType.FLOAT]: 'float32',
  [DataType.FLOAT16]: 'float16',
  [DataType.BFLOAT16]: 'bfloat16',
  [DataType.DOUBLE]: 'float64',
};

/** Edits `model` in place: appends the head and replaces the logits output. */
export function addSpladeHead(model: ModelProto, options: PrepareOptions): PreparedGraphInfo {
  const graph = model.graph;
  const logitsName = options.logitsName ?? 'logits';
  const pooling = options.pooling ?? 'pooling_mask';
  if (!graph) throw new OnnxModelError('model_graph_unsupported', 'model has no graph');
  if ((model.metadataProps ?? []).some((p) => p.key === PREPARED_METADATA_KEY)) {
    throw new OnnxModelError(
      'model_graph_unsupported',
      'model is already prepared (it carries a SPLADE head)',
    );
  }
  const outputIndex = (graph.output ?? []).findIndex((o) => o.name === logitsName);
  if (outputIndex < 0) {
    const names = (graph.output ?? []).map((o) => o.name).join(', ');
    throw new OnnxModelError('model_io_mismatch', `model has no "${logitsName}" output (outputs: ${names})`);
  }
  const { elemType, dims } = describeValueInfo(graph.output![outputIndex]);
  if (dims.length !== 3) {
    throw new OnnxModelError(
      'model_io_mismatch',
      `"${logitsName}" must be [batch, sequence, vocab]; it has rank ${dims.length}`,
    );
  }
  if (!(elemType in FLOAT_TYPES))
    throw new OnnxModelError('model_io_mismatch', `"${logitsName}" has non-float element type ${elemType}`);
  const inputNames = new Set((graph.input ?? []).map((i) => i.name));
  if (!inputNames.has('attention_mask'))
    throw new OnnxModelError('model_io_mismatch', 'model has no "attention_mask" input');
  if (inputNames.has('pooling_mask'))
    throw new OnnxModelError('model_io_mismatch', 'model already has a "pooling_mask" input');
  const vocabSize = typeof dims[2] === 'number' ? dims[2] : undefined;
  const k = vocabSize === undefined ? options.k : Math.min(options.k, vocabSize);
  if (!Number.isInteger(k) || k < 1)
    throw new OnnxModelError('invalid_model_config', `k must be a positive integer (got ${options.k})`);

  const opset = toNumber((model.opsetImport ?? []).find((o) => !o.domain)?.version ?? 0);
  const g = GraphBuilder.extend(graph);
  // Only float32 and float16 have Where/ReduceMax kernels on every provider; others go to float32 first.
  const poolType = elemType === DataType.FLOAT16 ? DataType.FLOAT16 : DataType.FLOAT;
  const logits = elemType === poolType ? logitsName : g.op('Cast', [logitsName], { to: DataType.FLOAT });
  const maskInput =
    pooling === 'pooling_mask'
      ? g.input('pooling_mask', DataType.INT64, ['batch', 'sequence'])
      : 'attention_mask';
  const mask = g.op('Unsqueeze', [
    g.op('Cast', [maskInput], { to: DataType.BOOL }),
    g.int64s('splade_axis2', [2]),
  ]);
  // Where, not Mul: a padded position's logit may be ±inf in fp16, and inf × 0 is NaN.
  const zero = g.initializer(
    rawTensor(g.fresh('splade_zero'), poolType, [], new Uint8Array(poolType === DataType.FLOAT16 ? 2 : 4)),
  );
  const masked = g.op('Where', [mask, logits, zero]);
  // ReduceMax took `axes` as an attribute before opset 18 and as an input since.
  const maxed =
    opset >= 18
      ? g.op('ReduceMax', [masked, g.int64s('splade_axis1', [1])], { keepdims: 0 })
      : g.op('ReduceMax', [masked], { axes: [1], keepdims: 0 });
  // Casting after the max is exact: fp16 → fp32 is monotone and lossless.
  const pooled = g.op('Relu', [
    poolType === DataType.FLOAT ? maxed : g.op('Cast', [maxed], { to: DataType.FLOAT }),
  ]);
  const weights = g.op('Log', [g.op('Add', [pooled, g.scalar('splade_one', 1)])]);
  g.opMulti('TopK', [weights, g.int64s('splade_k', [k])], ['term_weights', 'term_ids'], {
    axis: -1,
    largest: 1,
    sorted: 1,
  });
  g.output('term_ids', DataType.INT64, ['batch', k]);
  g.output('term_weights', DataType.FLOAT, ['batch', k]);

  graph.node = [...(graph.node ?? []), ...g.nodes];
  graph.initializer = [...(graph.initializer ?? []), ...g.initializers];
  graph.input = [...(graph.input ?? []), ...g.inputs];
  graph.output = [...(graph.output ?? []).filter((_, i) => i !== outputIndex), ...g.outputs];
  const info: PreparedGraphInfo = { k, pooling, logitsType: FLOAT_TYPES[elemType], vocabSize };
  model.metadataProps = [
    ...(model.metadataProps ?? []),
    { key: PREPARED_METADATA_KEY, value: JSON.stringify({ k, pooling, vocabSize }) },
  ];
  return info;
}

export interface PrepareResult extends PreparedGraphInfo {
  readonly saved: SavedModel;
}

/** Default output: `<name>.prepared.onnx` beside the input, so external data is shared, not copied. */
export function defaultPreparedPath(inputPath: string): string {
  return `${inputPath.replace(/\.onnx$/, '')}.prepared.onnx`;
}

export async function prepareModel(
  inputPath: string,
  options: PrepareOptions & { output?: string },
): Promise<PrepareResult> {
  const model = await loadModelFile(inputPath);
  const info = addSpladeHead(model, options);
  const output = options.output ?? defaultPreparedPath(inputPath);
  const saved = await saveModelFile(model, output, { sourceDir: dirname(resolve(inputPath)) });
  return { ...info, saved };
}

/**
 * Prepares the model a directory's csplade-model.json names and points the config at the result.
 * k defaults to the larger of the config's query/document top-k; a smaller k lowers the config's top-k to it.
 */
export async function prepareModelDir(
  dir: string,
  options: Partial<PrepareOptions> = {},
): Promise<PrepareResult> {
  const configPath = join(dir, MODEL_CONFIG_FILE);
  const config = parseModelConfig(JSON.parse(await readFile(configPath, 'utf8')), configPath);
  if (config.prepared)
    throw new OnnxModelError(
      'model_graph_unsupported',
      `${configPath}: model "${config.model}" is already prepared`,
    );
  const pooling = options.pooling ?? 'pooling_mask';
  const k = options.k ?? Math.max(config.topK.query, config.topK.document);
  const result = await prepareModel(join(dir, config.model), { ...options, k, pooling });
  // A head keeps at most k terms, so the config's top-k cannot ask for more.
  const topK = {
    query: Math.min(config.topK.query, result.k),
    document: Math.min(config.topK.document, result.k),
  };
  const updated: ModelConfig = {
    ...config,
    model: basename(result.saved.path),
    topK,
    prepared: { k: result.k, pooling },
  };
  await writeFile(configPath, `${JSON.stringify(updated, null, 2)}\n`);
  return result;
}
