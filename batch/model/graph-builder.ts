/**
 * A small imperative builder for ONNX graphs: add initializers and nodes, get fresh value names
 * back, declare inputs/outputs, then `build()` a ModelProto. Used by the tiny fixture models and
 * by graph surgery (prepare, quantize), which append nodes to an existing graph through
 * `GraphBuilder.extend`.
 */
import {
  type AttributeValue,
  type Dim,
  floatTensor,
  type GraphProto,
  IR_VERSION,
  int64Tensor,
  type ModelProto,
  type NodeProto,
  node,
  onnx,
  type TensorProto,
  type ValueInfoProto,
  valueInfo,
} from './onnx-proto.ts';

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;

  /** Continues an existing graph: new names never collide with the graph's own. */
  static extend(graph: GraphProto): GraphBuilder {
    const builder = new GraphBuilder();
    for (const n of graph.node ?? []) {
      for (const name of [...(n.output ?? []), ...(n.input ?? []), n.name ?? '']) builder.usedNames.add(name);
    }
    for (const t of graph.initializer ?? []) builder.usedNames.add(t.name ?? '');
    for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) builder.usedNames.add(v.name ?? '');
    return builder;
  }

  /** A name not used anywhere in the graph, starting with `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.usedNames.has(name)) name = `${hint}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  input(name: string, elemType: number, dims: readonly Dim[]): string {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  weight(hint: string, dims: readonly number[], values: Float32Array): string {
    const name = this.fresh(hint);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  int64s(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh(hint);
    this.initializers.push(int64Tensor(name, dims, values));
    return name;
  }

  scalar(hint: string, value: number): string {
    return this.weight(hint, [], new Float32Array([value]));
  }

  initializer(tensor: TensorProto): string {
    this.usedNames.add(tensor.name ?? '');
    this.initializers.push(tensor);
    return tensor.name ?? '';
  }

  /** Adds one node with a single output and returns the output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    options: { output?: string; domain?: string } = {},
  ): string {
    const out = options.output ?? this.fresh(opType.toLowerCase());
    this.usedNames.add(out);
    this.nodes.push(
      node(opType, inputs, [out], attributes, { domain: options.domain, name: this.fresh(`n_${opType}`) }),
    );
    return out;
  }

  /** Adds one node with several outputs (TopK, ...). */
  opMulti(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
  ): void {
    for (const o of outputs) this.usedNames.add(o);
    this.nodes.push(node(opType, inputs, outputs, attributes, { name: this.fresh(`n_${opType}`) }));
  }

  build(options: {
    name: string;
    opset?: number;
    extraOpsets?: { domain: string; version: number }[];
  }): ModelProto {
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'csplade',
      opsetImport: [{ domain: '', version: options.opset ?? 17 }, ...(options.extraOpsets ?? [])],
      graph: {
        name: options.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }
}
