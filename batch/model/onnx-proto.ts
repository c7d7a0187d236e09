/**
 * Thin, typed helpers over the `onnx-proto` protobuf bindings (ONNX 1.10 schema, IR version 8):
 * building tensors, nodes, attributes and value infos, and reading back int64 fields that
 * protobufjs decodes as `Long` objects. Everything that writes or edits ONNX graphs in
 * `batch/model/` goes through these helpers so that the protobuf quirks live in one place.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

export const DataType = onnx.TensorProto.DataType;
export const DataLocation = onnx.TensorProto.DataLocation;
/** The IR version we write: the newest the bundled schema knows (ONNX 1.10), read by every ORT >= 1.10. */
export const IR_VERSION = 8;

/** int64 fields come back as Long objects (protobufjs + long); model sizes fit a double exactly. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** One dimension of a value info: a fixed size, or a symbolic name such as "batch". */
export type Dim = number | string;

export function valueInfo(name: string, elemType: number, dims: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** The element type and dims of a graph input/output, with symbolic dims as strings. */
export function describeValueInfo(info: ValueInfoProto): { elemType: number; dims: Dim[] } {
  const tensor = info.type?.tensorType;
  const dims = (tensor?.shape?.dim ?? []).map((d) =>
    d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : '?',
  );
  return { elemType: tensor?.elemType ?? 0, dims };
}

export function floatTensor(name: string, dims: readonly number[], values: Float32Array): TensorProto {
  return rawTensor(
    name,
    DataType.FLOAT,
    dims,
    new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  );
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return rawTensor(name, DataType.INT64, dims, new Uint8Array(data.buffer));
}

export function rawTensor(
  name: string,
  dataType: number,
  dims: readonly number[],
  bytes: Uint8Array,
): TensorProto {
  // Copy: protobufjs keeps a reference and callers often reuse scratch buffers.
  return { name, dataType, dims: [...dims], rawData: new Uint8Array(bytes) };
}

export type AttributeValue = number | string | readonly number[] | TensorProto | { float: number };

/** Builds a node attribute; integers become INT(S), `{ float }` a FLOAT, strings STRING, tensors TENSOR. */
export function attribute(name: string, value: AttributeValue): AttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: A.INT, i: value };
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: A.INTS, ints: [...value] };
  if ('float' in (value as object)) return { name, type: A.FLOAT, f: (value as { float: number }).float };
  return { name, type: A.TENSOR, t: value as TensorProto };
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Record<string, AttributeValue> = {},
  options: { name?: string; domain?: string } = {},
): NodeProto {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    name: options.name ?? `${opType}_${outputs[0]}`,
    domain: options.domain ?? '',
    attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
  };
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** Bytes per element of the tensor types we read or write. */
export function elementSize(dataType: number): number {
  switch (dataType) {
    case DataType.FLOAT:
    case DataType.INT32:
    case DataType.UINT32:
      return 4;
    case DataType.INT64:
    case DataType.UINT64:
    case DataType.DOUBLE:
      return 8;
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
    case DataType.INT16:
    case DataType.UINT16:
      return 2;
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.BOOL:
      return 1;
    default:
      return 0;
  }
}
