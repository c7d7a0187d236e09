/**
 * `csplade model quantize`: weight-only quantization of an ONNX LM export.
 *
 * - 8 bits: every float 2-D MatMul weight [K, N] becomes int8 with one scale per output column
 *   (symmetric, zero point 0) followed by DequantizeLinear(axis=1); every float embedding table
 *   used by Gather [V, H] becomes int8 with one scale per row (axis=0). Standard ONNX (opset ≥ 13),
 *   runs on every onnxruntime provider.
 * - 4 bits: MatMul weights become `com.microsoft.MatMulNBits` (blocks of 32 along K, one float
 *   scale per block, default zero point 8, codes packed low nibble first) — supported by the
 *   onnxruntime-node CPU provider; embeddings stay int8 (there is no 4-bit Gather in standard ONNX).
 *
 * Activations stay float, so the SPLADE head (prepare) works on top either way. Tensors kept in
 * external data are read, and the output is written with external data when the input had any.
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
  floatTensor,
  type ModelProto,
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

/** Rewrites the graph in place; returns what was quantized. */
export async function quantizeGraph(
  model: ModelProto,
  sourceDir: string,
  options: QuantizeOptions,
): Promise<QuantizedTensor[]> {
  const graph = model.graph;
  if (!graph) throw new OnnxModelError('model_graph_unsupported', 'model has no graph');
  const opset = toNumber((model.opsetImport ?? []).find((o) => !o.domain)?.version ?? 0);
  if (opset < 13)
    throw new OnnxModelError(
      'model_graph_unsupported',
      `per-channel DequantizeLinear needs opset ≥ 13; the model has ${opset}`,
    );
  const minElements = options.minElements ?? 256;
  const blockSize = options.blockSize ?? 32;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const consumers = new Map<string, number>();
  for (const n of graph.node ?? [])
    for (const input of n.input ?? []) consumers.set(input, (consumers.get(input) ?? 0) + 1);
  const g = GraphBuilder.extend(graph);
  const replaced = new Map<string, string>(); // float initializer → dequantized value name
  const removed = new Set<string>();
  const done: QuantizedTensor[] = [];
  const isFloat2d = (t: TensorProto | undefined): t is TensorProto =>
    t !== undefined &&
    t.dataType === DataType.FLOAT &&
    (t.dims ?? []).length === 2 &&
    (t.dims ?? []).reduce<number>((a, d) => a * toNumber(d), 1) >= minElements;

  const newNodes = [];
  for (const n of graph.node ?? []) {
    const weightName =
      n.opType === 'MatMul' ? n.input?.[1] : n.opType === 'Gather' ? n.input?.[0] : undefined;
    const weight = weightName === undefined ? undefined : initializers.get(weightName);
    if (!weightName || !isFloat2d(weight)) {
      newNodes.push(n);
      continue;
    }
    const [rows, cols] = (weight.dims ?? []).map(toNumber);
    const values = await readFloatTensor(weight, sourceDir);
    if (options.bits === 4 && n.opType === 'MatMul' && consumers.get(weightName) === 1) {
      const q = quantizeNBits(values, rows, cols, blockSize);
      const bName = g.initializer(
        rawTensor(g.fresh(`${weightName}_q4`), DataType.UINT8, [cols, q.blocks, blockSize / 2], q.packed),
      );
      const sName = g.initializer(
        floatTensor(g.fresh(`${weightName}_q4_scales`), [cols * q.blocks], q.scales),
      );
      newNodes.push(
        node(
          'MatMulNBits',
          [n.input![0], bName, sName],
          n.output ?? [],
          { K: rows, N: cols, bits: 4, block_size: blockSize },
          { domain: 'com.microsoft', name: n.name ?? undefined },
        ),
      );
      removed.add(weightName);
      done.push({ name: weightName, as: 'matmul-nbits-4', dims: [rows, cols] });
      continue;
    }
    let dequantized = replaced.get(weightName);
    if (!dequantized) {
      const axis = n.opType === 'MatMul' ? 1 : 0;
      const { q, scales } = quantizeInt8(values, rows, cols, axis);
      const qName = g.initializer(
        rawTensor(g.fresh(`${weightName}_int8`), DataType.INT8, [rows, cols], new Uint8Array(q.buffer)),
      );
      const sName = g.initializer(floatTensor(g.fresh(`${weightName}_scale`), [scales.length], scales));
      const zName = g.initializer(
        rawTensor(
          g.fresh(`${weightName}_zero_point`),
          DataType.INT8,
          [scales.length],
          new Uint8Array(scales.length),
        ),
      );
      dequantized = g.fresh(`${weightName}_dequantized`);
      newNodes.push(
        node(
          'DequantizeLinear',
          [qName, sName, zName],
          [dequantized],
          { axis },
          { name: g.fresh(`dq_${weightName}`) },
        ),
      );
      replaced.set(weightName, dequantized);
      removed.add(weightName);
      done.push({
        name: weightName,
        as: axis === 1 ? 'int8-per-column' : 'int8-per-row',
        dims: [rows, cols],
      });
    }
    n.input = (n.input ?? []).map((name) => (name === weightName ? dequantized! : name));
    newNodes.push(n);
  }
  // A weight consumed elsewhere too (e.g. tied embeddings used by a non-MatMul) keeps its float copy.
  for (const n of newNodes) for (const input of n.input ?? []) if (removed.has(input)) removed.delete(input);
  graph.node = newNodes;
  graph.initializer = [
    ...(graph.initializer ?? []).filter((t) => !removed.has(t.name ?? '')),
    ...g.initializers,
  ];
  if (
    done.some((t) => t.as === 'matmul-nbits-4') &&
    !(model.opsetImport ?? []).some((o) => o.domain === 'com.microsoft')
  ) {
    model.opsetImport = [...(model.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  }
  return done;
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
