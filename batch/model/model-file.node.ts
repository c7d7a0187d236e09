/**
 * Reading and writing .onnx files, including ONNX **external data**: a protobuf message cannot
 * exceed 2 GB, so large models keep tensor bytes in side files and the graph holds
 * `(location, offset, length)` references, resolved relative to the .onnx file's folder.
 *
 * - `loadModelFile` decodes the graph only; external tensors stay references (cheap for prepare).
 * - `readTensorBytes` gets a tensor's bytes from raw_data, typed fields, or its external file.
 * - `saveModelFile` writes the graph, optionally moving large tensors into one external data file,
 *   and makes sure every external file the graph still references exists next to the output
 *   (copied when writing to another folder), so the saved model loads intact.
 */
import { copyFile, mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OnnxModelError } from '../../shared/encoders/onnx/errors.ts';
import {
  DataLocation,
  DataType,
  decodeModel,
  elementSize,
  encodeModel,
  type ModelProto,
  type TensorProto,
  toNumber,
} from './onnx-proto.ts';

/** Past this many bytes of tensor data a single protobuf is at risk (hard limit 2 GiB). */
export const SINGLE_FILE_LIMIT_BYTES = 1.8 * 1024 ** 3;

export async function loadModelFile(path: string): Promise<ModelProto> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new OnnxModelError(
      'model_file_missing',
      `cannot read ONNX model ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  try {
    return decodeModel(bytes);
  } catch (cause) {
    throw new OnnxModelError(
      'model_graph_unsupported',
      `${path} is not an ONNX ModelProto: ${(cause as Error).message}`,
      { cause },
    );
  }
}

export interface ExternalRef {
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

export function externalRef(tensor: TensorProto): ExternalRef | undefined {
  if (tensor.dataLocation !== DataLocation.EXTERNAL) return undefined;
  const entries = new Map((tensor.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location)
    throw new OnnxModelError(
      'model_graph_unsupported',
      `tensor ${tensor.name} is external but has no location`,
    );
  return {
    location,
    offset: Number(entries.get('offset') ?? 0),
    length: Number(entries.get('length') ?? -1),
  };
}

/** Every external data file the model's initializers reference. */
export function externalDataFiles(model: ModelProto): string[] {
  const files = new Set<string>();
  for (const t of model.graph?.initializer ?? []) {
    const ref = externalRef(t);
    if (ref) files.add(ref.location);
  }
  return [...files];
}

export function tensorElementCount(tensor: TensorProto): number {
  return (tensor.dims ?? []).reduce<number>((n, d) => n * toNumber(d), 1);
}

/** The little-endian bytes of a tensor, wherever the protobuf keeps them. */
export async function readTensorBytes(tensor: TensorProto, modelDir: string): Promise<Uint8Array> {
  const ref = externalRef(tensor);
  if (ref) {
    const length =
      ref.length >= 0 ? ref.length : tensorElementCount(tensor) * elementSize(tensor.dataType ?? 0);
    const file = await open(join(modelDir, ref.location), 'r');
    try {
      const out = new Uint8Array(length);
      const { bytesRead } = await file.read(out, 0, length, ref.offset);
      if (bytesRead !== length) {
        throw new OnnxModelError(
          'model_file_missing',
          `external data ${ref.location} ends before ${tensor.name} (${bytesRead}/${length} bytes)`,
        );
      }
      return out;
    } finally {
      await file.close();
    }
  }
  if (tensor.rawData && tensor.rawData.length > 0) return tensor.rawData;
  if (tensor.dataType === DataType.FLOAT && tensor.floatData?.length)
    return new Uint8Array(new Float32Array(tensor.floatData).buffer);
  if (tensor.dataType === DataType.INT64 && tensor.int64Data?.length) {
    return new Uint8Array(new BigInt64Array(tensor.int64Data.map((v) => BigInt(toNumber(v)))).buffer);
  }
  if (tensor.dataType === DataType.INT32 && tensor.int32Data?.length)
    return new Uint8Array(new Int32Array(tensor.int32Data).buffer);
  if (tensorElementCount(tensor) === 0) return new Uint8Array(0);
  throw new OnnxModelError(
    'model_graph_unsupported',
    `tensor ${tensor.name}: data type ${tensor.dataType} stored in a field this tool does not read`,
  );
}

export async function readFloatTensor(tensor: TensorProto, modelDir: string): Promise<Float32Array> {
  if (tensor.dataType !== DataType.FLOAT)
    throw new OnnxModelError('model_graph_unsupported', `tensor ${tensor.name} is not float32`);
  const bytes = await readTensorBytes(tensor, modelDir);
  // Copy to an aligned buffer: raw_data slices may start at any byte offset.
  return new Float32Array(new Uint8Array(bytes).buffer); // a copy: Node Buffer.slice() would be a view
}

export interface SaveOptions {
  /** Folder that external references in `model` are relative to (default: the output folder). */
  sourceDir?: string;
  /**
   * Move inline tensors of at least `minBytes` into `file` (next to the output). Defaults to
   * moving everything over 1 KiB when the inline data would pass SINGLE_FILE_LIMIT_BYTES.
   */
  externalData?: { file?: string; minBytes?: number };
}

export interface SavedModel {
  readonly path: string;
  readonly bytes: number;
  readonly externalFiles: string[];
  /** The .onnx file plus every external data file it references. */
  readonly totalBytes: number;
}

export async function saveModelFile(
  model: ModelProto,
  path: string,
  options: SaveOptions = {},
): Promise<SavedModel> {
  const outDir = dirname(resolve(path));
  const sourceDir = resolve(options.sourceDir ?? outDir);
  await mkdir(outDir, { recursive: true });
  const inlineBytes = (model.graph?.initializer ?? []).reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
  const external =
    options.externalData ?? (inlineBytes > SINGLE_FILE_LIMIT_BYTES ? { minBytes: 1024 } : undefined);
  if (external) {
    const file = external.file ?? `${basename(path)}.data`;
    const minBytes = external.minBytes ?? 1024;
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const tensor of model.graph?.initializer ?? []) {
      const raw = tensor.rawData;
      if (!raw || raw.length < minBytes || tensor.dataLocation === DataLocation.EXTERNAL) continue;
      const padding = (64 - (offset % 64)) % 64; // aligned tensors can be memory-mapped
      if (padding) chunks.push(new Uint8Array(padding));
      offset += padding;
      chunks.push(raw);
      tensor.externalData = [
        { key: 'location', value: file },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(raw.length) },
      ];
      tensor.dataLocation = DataLocation.EXTERNAL;
      tensor.rawData = new Uint8Array(0);
      offset += raw.length;
    }
    await writeFile(join(outDir, file), concat(chunks, offset));
  }
  const referenced = externalDataFiles(model);
  if (sourceDir !== outDir) {
    for (const location of referenced) {
      // Files written just above already sit in outDir; only references into the source folder move.
      const target = join(outDir, location);
      const exists = await stat(target).then(
        () => true,
        () => false,
      );
      if (!exists || external?.file !== location) {
        await mkdir(dirname(target), { recursive: true });
        await copyFile(join(sourceDir, location), target);
      }
    }
  }
  const bytes = encodeModel(model);
  await writeFile(path, bytes);
  let totalBytes = bytes.length;
  for (const location of referenced) totalBytes += (await stat(join(outDir, location))).size;
  return { path, bytes: bytes.length, externalFiles: referenced, totalBytes };
}

/** Bytes of a model file plus its external data files. */
export async function modelSizeOnDisk(path: string): Promise<number> {
  const model = await loadModelFile(path);
  let total = (await stat(path)).size;
  for (const location of externalDataFiles(model)) total += (await stat(join(dirname(path), location))).size;
  return total;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
