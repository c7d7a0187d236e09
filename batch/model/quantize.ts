/**
 * `csplade model quantize`: weight-only quantization of an ONNX LM export.
 *
 * - 8 bits: every float 2-D MatMul weight [K, N] becomes int8 with one scale per output column
 *   (symmetric, zero point 0) followed by DequantizeLinear(axis=1); every float embedding table
 *   used by Gather [V, H] becomes int8 with one scale per row (axis=0). Standard ONNX (opset ≥ 13),
 *   runs on every onnxruntime provider.
 * - 4 bits: MatMul weights become `com.microsoft.MatMulNBits` (blocks of 32 along K, one float
 *   scale per block, default zero point 8, codes packed low nibble first) — supported by the
 *   onnxruntime-node CPU provider; embeddings stay int8 (there is no 4-bit Gather in standard ONNX),
 *   and so does the LM head unless `headInt8: false` (its logits are the SPLADE weights).
 *
 * Activations stay float, so the SPLADE head (prepare) works on top either way. Tensors kept in
 * external data are read, and the output is written with external data when the input had any.
 * Limits: float32 weights only (fp16 exports are refused with a message), MatMul/Gather only (a
 * Gemm-based export keeps those weights float), and all weights pass through memory once.
 */
import { dirname, resolve } from 'node:path';
import { OnnxModelError } from '../../shared/encoders/onnx/errors.ts';
import { GraphBuilder } from './graph-builder.ts';
import {
  externalDataFiles,
  loadModelFile,
  modelSizeOnDisk,
  readFloatTensor,
  readTensorBytes,
  type SavedModel,
  saveModelFile,
} from './model-file.node.ts';
import {
  DataLocation,
  DataType,
  describeValueInfo,
  floatTensor,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  node,
  rawTensor,
  type TensorProto,
  toNumber,
} from './onnx-proto.ts';

export type QuantizeBits = 8 | 4;

export interface QuantizeOptions {
  bits: QuantizeBits;
  output?: string;
  /** MatMulNBits block size along K (power of two ≥ 16). Default 32. */
  blockSize?: number;
  /** Weights with fewer elements stay float (quantizing tiny tensors saves nothing). Default 256. */
  minElements?: number;
  /**
   * 4 bits only: keep the LM head (MatMul weights whose output width is the vocabulary) at int8.
   * SPLADE weights are the head's logits directly, so its error is what vectors feel most;
   * default true.
   */
  headInt8?: boolean;
}

export interface QuantizedTensor {
  readonly name: string;
  readonly as: 'int8-per-column' | 'int8-per-row' | 'matmul-nbits-4';
  readonly dims: readonly number[];
}

export interface QuantizeResult {
  readonly saved: SavedModel;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly tensors: readonly QuantizedTensor[];
}

export function defaultQuantizedPath(inputPath: string, bits: QuantizeBits): string {
  return `${inputPath.replace(/\.onnx$/, '')}.int${bits}.onnx`;
}

export async function quantizeModel(inputPath: string, options: QuantizeOptions): Promise<QuantizeResult> {
  if (options.bits !== 8 && options.bits !== 4)
    throw new OnnxModelError('invalid_model_config', `--bits must be 8 or 4 (got ${options.bits})`);
  const sourceDir = dirname(resolve(inputPath));
  const model = await loadModelFile(inputPath);
  const hadExternal = externalDataFiles(model).length > 0;
  const tensors = await quantizeGraph(model, sourceDir, options);
  // Materialize the float tensors left in the source's external files: the output stands alone.
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataLocation === DataLocation.EXTERNAL) {
      t.rawData = new Uint8Array(await readTensorBytes(t, sourceDir));
      t.dataLocation = DataLocation.DEFAULT;
      t.externalData = [];
    }
  }
  const output = options.output ?? defaultQuantizedPath(inputPath, options.bits);
  const saved = await saveModelFile(model, output, hadExternal ? { externalData: { minBytes: 1024 } } : {});
  return { saved, bytesBefore: await modelSizeOnDisk(inputPath), bytesAfter: saved.totalBytes, tensors };
}

/**
 * Rewrites the graph in place; returns what was quantized. First a plan: each float 2-D
 * initializer used as a MatMul weight or a Gather table is quantized once. 4-bit MatMulNBits
 * replaces the MatMul nodes of a weight only MatMuls use; otherwise the weight becomes int8 plus
 * one DequantizeLinear whose output replaces *every* reference (tied embeddings, Transpose → MatMul
 * heads), so no float copy is left behind.
 */
export async function quantizeGraph(
  model: ModelProto,
  sourceDir: string,
  options: QuantizeOptions,
): Promise<QuantizedTensor[]> {
  const graph = model.graph;
  if (!graph) throw new OnnxModelError('model_graph_unsupported', 'model has no graph');
  checkOpset(model);
  const blockSize = options.blockSize ?? 32;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const candidates = weightCandidates(graph, initializers, options.minElements ?? 256);
  const vocabSize = vocabularyOf(graph, candidates, initializers);
  const g = GraphBuilder.extend(graph);
  const rewrite: GraphRewrite = { done: [], dequantizeNodes: [], renamed: new Map(), nbits: new Map() };
  for (const [name, kinds] of candidates) {
    const tensor = initializers.get(name)!;
    const [rows, cols] = (tensor.dims ?? []).map(toNumber);
    const weight = { name, rows, cols, values: await readFloatTensor(tensor, sourceDir) };
    const isHead = vocabSize !== undefined && cols === vocabSize && options.headInt8 !== false;
    if (options.bits === 4 && kinds.size === 1 && kinds.has('matmul') && !isHead) {
      addNBitsWeight(g, rewrite, weight, blockSize);
    } else {
      // Per row for embedding tables (a Gather reads rows), per output column for MatMul weights.
      addInt8Weight(g, rewrite, weight, kinds.has('gather') ? 0 : 1);
    }
  }
  applyRewrite(model, g, rewrite, blockSize);
  return rewrite.done;
}

type WeightUse = 'matmul' | 'gather' | 'other';

/** A float weight read into memory, row-major [rows, cols]. */
interface FloatWeight {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array;
}

/** What the quantized weights change in the graph, collected before the graph is rewritten. */
interface GraphRewrite {
  readonly done: QuantizedTensor[];
  readonly dequantizeNodes: NodeProto[];
  /** Float weight name → the DequantizeLinear output that replaces it. */
  readonly renamed: Map<string, string>;
  /** Float weight name → its MatMulNBits inputs and shape. */
  readonly nbits: Map<string, { b: string; scales: string; k: number; n: number }>;
}

function checkOpset(model: ModelProto): void {
  const opset = toNumber((model.opsetImport ?? []).find((o) => !o.domain)?.version ?? 0);
  if (opset < 13) {
    throw new OnnxModelError(
      'model_graph_unsupported',
      `per-channel DequantizeLinear needs opset ≥ 13; the model has ${opset}`,
    );
  }
}

/** The float 2-D initializers used as a MatMul weight or a Gather table, with every way each is used. */
function weightCandidates(
  graph: GraphProto,
  initializers: Map<string, TensorProto>,
  minElements: number,
): [string, Set<WeightUse>][] {
  const elements = (t: TensorProto) => (t.dims ?? []).reduce<number>((a, d) => a * toNumber(d), 1);
  const is2d = (t: TensorProto | undefined, type: number): t is TensorProto =>
    t !== undefined && t.dataType === type && (t.dims ?? []).length === 2 && elements(t) >= minElements;
  const uses = new Map<string, Set<WeightUse>>();
  const use = (name: string, kind: WeightUse) => {
    if (!uses.has(name)) uses.set(name, new Set());
    uses.get(name)!.add(kind);
  };
  for (const n of graph.node ?? []) {
    (n.input ?? []).forEach((name, i) => {
      if (!initializers.has(name)) return;
      if (n.opType === 'MatMul' && i === 1) use(name, 'matmul');
      else if (n.opType === 'Gather' && i === 0) use(name, 'gather');
      else use(name, 'other');
    });
  }
  const candidates = [...uses.entries()].filter(
    ([name, kinds]) =>
      (kinds.has('matmul') || kinds.has('gather')) && is2d(initializers.get(name), DataType.FLOAT),
  );
  if (candidates.length === 0) {
    const half = [...uses.keys()].some((name) => is2d(initializers.get(name), DataType.FLOAT16));
    throw new OnnxModelError(
      'model_graph_unsupported',
      half
        ? 'the model keeps its MatMul/Gather weights in float16; quantize supports float32 exports (export with fp32 weights)'
        : 'found no float32 MatMul or Gather weights to quantize',
    );
  }
  return candidates;
}

/** The vocabulary: the logits' last dim, else the rows of the embedding table. */
function vocabularyOf(
  graph: GraphProto,
  candidates: [string, Set<WeightUse>][],
  initializers: Map<string, TensorProto>,
): number | undefined {
  const logitsInfo = (graph.output ?? []).find((o) => o.name === 'logits');
  const logitsVocab = logitsInfo ? describeValueInfo(logitsInfo).dims[2] : undefined;
  if (typeof logitsVocab === 'number') return logitsVocab;
  const table = candidates.find(([, kinds]) => kinds.has('gather'));
  return table ? toNumber(initializers.get(table[0])!.dims![0]) : undefined;
}

/** A MatMul-only weight as packed 4-bit blocks with their scales, for MatMulNBits. */
function addNBitsWeight(
  g: GraphBuilder,
  rewrite: GraphRewrite,
  weight: FloatWeight,
  blockSize: number,
): void {
  const { name, rows, cols } = weight;
  const q = quantizeNBits(weight.values, rows, cols, blockSize);
  const b = g.initializer(
    rawTensor(g.fresh(`${name}_q4`), DataType.UINT8, [cols, q.blocks, blockSize / 2], q.packed),
  );
  const scales = g.initializer(floatTensor(g.fresh(`${name}_q4_scales`), [cols * q.blocks], q.scales));
  rewrite.nbits.set(name, { b, scales, k: rows, n: cols });
  rewrite.done.push({ name, as: 'matmul-nbits-4', dims: [rows, cols] });
}

/** A weight as int8 with one scale per row (axis 0) or column (axis 1), behind a DequantizeLinear. */
function addInt8Weight(g: GraphBuilder, rewrite: GraphRewrite, weight: FloatWeight, axis: 0 | 1): void {
  const { name, rows, cols } = weight;
  const { q, scales } = quantizeInt8(weight.values, rows, cols, axis);
  const qName = g.initializer(
    rawTensor(g.fresh(`${name}_int8`), DataType.INT8, [rows, cols], new Uint8Array(q.buffer)),
  );
  const sName = g.initializer(floatTensor(g.fresh(`${name}_scale`), [scales.length], scales));
  const zName = g.initializer(
    rawTensor(g.fresh(`${name}_zero_point`), DataType.INT8, [scales.length], new Uint8Array(scales.length)),
  );
  const output = g.fresh(`${name}_dequantized`);
  rewrite.dequantizeNodes.push(
    node('DequantizeLinear', [qName, sName, zName], [output], { axis }, { name: g.fresh(`dq_${name}`) }),
  );
  rewrite.renamed.set(name, output);
  rewrite.done.push({ name, as: axis === 1 ? 'int8-per-column' : 'int8-per-row', dims: [rows, cols] });
}

/** Swaps the quantized weights into the graph: new nodes, new initializers, the com.microsoft opset. */
function applyRewrite(model: ModelProto, g: GraphBuilder, rewrite: GraphRewrite, blockSize: number): void {
  const graph = model.graph!;
  const rewritten = (graph.node ?? []).map((n) => {
    const packed = n.opType === 'MatMul' ? rewrite.nbits.get(n.input?.[1] ?? '') : undefined;
    if (packed) {
      return node(
        'MatMulNBits',
        [n.input![0], packed.b, packed.scales],
        n.output ?? [],
        { K: packed.k, N: packed.n, bits: 4, block_size: blockSize },
        {
          domain: 'com.microsoft',
          name: n.name ?? undefined,
        },
      );
    }
    n.input = (n.input ?? []).map((name) => rewrite.renamed.get(name) ?? name);
    return n;
  });
  // DequantizeLinear nodes read only initializers, so placing them first keeps the graph topologically sorted.
  graph.node = [...rewrite.dequantizeNodes, ...rewritten];
  const quantized = new Set(rewrite.done.map((t) => t.name));
  graph.initializer = [
    ...(graph.initializer ?? []).filter((t) => !quantized.has(t.name ?? '')),
    ...g.initializers,
  ];
  if (rewrite.nbits.size > 0 && !(model.opsetImport ?? []).some((o) => o.domain === 'com.microsoft')) {
    model.opsetImport = [...(model.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  }
}

/** Symmetric int8 with one scale per column (axis 1) or per row (axis 0) of a row-major [rows, cols]. */
export function quantizeInt8(
  values: Float32Array,
  rows: number,
  cols: number,
  axis: 0 | 1,
): { q: Int8Array; scales: Float32Array } {
  const groups = axis === 1 ? cols : rows;
  const absMax = new Float32Array(groups);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const g = axis === 1 ? c : r;
      const a = Math.abs(values[r * cols + c]);
      if (a > absMax[g]) absMax[g] = a;
    }
  }
  const scales = absMax.map((m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++)
      q[r * cols + c] = Math.max(
        -127,
        Math.min(127, Math.round(values[r * cols + c] / scales[axis === 1 ? c : r])),
      );
  }
  return { q, scales };
}

/**
 * MatMulNBits 4-bit layout for B = weight [K, N]: per output column n, K is cut into blocks of
 * `blockSize` (the last padded with zeros); each block has one float scale (absmax / 7) and codes
 * round(w / scale) + 8 in [1, 15], two per byte, low nibble first. B is [N, blocks, blockSize / 2].
 */
export function quantizeNBits(
  values: Float32Array,
  k: number,
  n: number,
  blockSize: number,
): { packed: Uint8Array; scales: Float32Array; blocks: number } {
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0)
    throw new OnnxModelError(
      'invalid_model_config',
      `block size must be a power of two ≥ 16 (got ${blockSize})`,
    );
  const blocks = Math.ceil(k / blockSize);
  const packed = new Uint8Array(n * blocks * (blockSize / 2));
  const scales = new Float32Array(n * blocks);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      let absMax = 0;
      for (let i = b * blockSize; i < Math.min(k, (b + 1) * blockSize); i++)
        absMax = Math.max(absMax, Math.abs(values[i * n + col]));
      const scale = absMax > 0 ? absMax / 7 : 1;
      scales[col * blocks + b] = scale;
      const base = (col * blocks + b) * (blockSize / 2);
      for (let j = 0; j < blockSize; j++) {
        const row = b * blockSize + j;
        const code = row < k ? Math.max(0, Math.min(15, Math.round(values[row * n + col] / scale) + 8)) : 8;
        packed[base + (j >> 1)] |= j & 1 ? code << 4 : code;
      }
    }
  }
  return { packed, scales, blocks };
}
