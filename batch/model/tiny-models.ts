/**
 * Tiny but real transformer language models, generated as ONNX from a fixed seed, shaped like
 * Hugging Face exports: int64 `input_ids` and `attention_mask` [batch, sequence] (causal models
 * also take `position_ids`), one float `logits` output [batch, sequence, vocab].
 *
 * - `masked-lm`: token + learned absolute position embeddings, pre-LayerNorm single-head
 *   attention over the attended keys, a ReLU MLP, LM head — a BERT-style SPLADE backbone.
 * - `causal-lm` with `causalMask: true`: the same blocks, but attention is limited to keys at or
 *   before the query position by a lower-triangular mask built inside the graph (ConstantOfShape
 *   → Trilu → Cast → And with the key mask → Where), so a later token cannot change earlier
 *   logits. With `causalMask: false` it is the "bi" export of the same weights.
 *
 * Weights are drawn from `SeededRandom`, so the same options always give the same bytes.
 * `logitsType: 'float16' | 'bfloat16'` ends the graph with a Cast, to stand in for half-precision exports.
 */
import { GraphBuilder } from './graph-builder.ts';
import { DataType, type ModelProto } from './onnx-proto.ts';
import { SeededRandom } from './seeded-random.ts';

export interface TinyModelOptions {
  architecture: 'masked-lm' | 'causal-lm';
  /** Causal models only: false gives the bidirectional ("bi") export. Default true. */
  causalMask?: boolean;
  vocabSize: number;
  hidden?: number;
  layers?: number;
  maxPositions?: number;
  seed?: number;
  logitsType?: 'float' | 'float16' | 'bfloat16';
}

export function generateTinyModel(options: TinyModelOptions): ModelProto {
  const hidden = options.hidden ?? 32;
  const causal = options.architecture === 'causal-lm' && options.causalMask !== false;
  const m: TinyGraph = { g: new GraphBuilder(), random: new SeededRandom(options.seed ?? 1234), hidden };
  const dims = ['batch', 'sequence'];
  const inputIds = m.g.input('input_ids', DataType.INT64, dims);
  const attentionMask = m.g.input('attention_mask', DataType.INT64, dims);
  let x = embed(m, options, inputIds);
  const attention: AttentionInputs = {
    allowed: allowedKeys(m, inputIds, attentionMask, causal),
    blocked: m.g.scalar('blocked_score', -1e9),
    scale: m.g.scalar('attention_scale', 1 / Math.sqrt(hidden)),
  };
  for (let layer = 0; layer < (options.layers ?? 1); layer++) x = transformerLayer(m, x, layer, attention);
  addLogits(m, x, options);
  const name = `tiny-${options.architecture}${options.architecture === 'causal-lm' && !causal ? '-bi' : ''}`;
  return m.g.build({ name, opset: 17 });
}

/**
 * The graph under construction and the one random stream its weights are drawn from, in order: the steps
 * below must run in the order generateTinyModel calls them, or the same seed would give other bytes.
 */
interface TinyGraph {
  readonly g: GraphBuilder;
  readonly random: SeededRandom;
  readonly hidden: number;
}

interface AttentionInputs {
  /** allowed[b, q, k]: key k is a real token (and, for causal models, k <= q). */
  readonly allowed: string;
  /** The score of a key that is not allowed. */
  readonly blocked: string;
  readonly scale: string;
}

/** Token embeddings plus position embeddings: given as `position_ids` (causal) or 0..S-1 (BERT). */
function embed(m: TinyGraph, options: TinyModelOptions, inputIds: string): string {
  const { g, random, hidden } = m;
  const vocab = options.vocabSize;
  const maxPositions = options.maxPositions ?? 512;
  const tokenEmbedding = g.weight('embed_tokens', [vocab, hidden], random.normals(vocab * hidden, 1));
  const positionEmbedding = g.weight(
    'embed_positions',
    [maxPositions, hidden],
    random.normals(maxPositions * hidden, 0.5),
  );
  const x = g.op('Gather', [tokenEmbedding, inputIds], { axis: 0 });
  if (options.architecture === 'causal-lm') {
    const positionIds = g.input('position_ids', DataType.INT64, ['batch', 'sequence']);
    return g.op('Add', [x, g.op('Gather', [positionEmbedding, positionIds], { axis: 0 })]);
  }
  // BERT exports derive positions 0..S-1 inside the graph.
  const seqLen = g.op('Gather', [g.op('Shape', [inputIds]), g.int64s('one_index', [1], [])], { axis: 0 });
  const positions = g.op('Range', [g.int64s('zero', [0], []), seqLen, g.int64s('step', [1], [])]);
  return g.op('Add', [x, g.op('Gather', [positionEmbedding, positions], { axis: 0 })]);
}

/** The keys each query may attend to: the attended tokens, and for causal models only those up to it. */
function allowedKeys(m: TinyGraph, inputIds: string, attentionMask: string, causal: boolean): string {
  const { g } = m;
  const keyMask = g.op('Unsqueeze', [
    g.op('Cast', [attentionMask], { to: DataType.BOOL }),
    g.int64s('axis1', [1]),
  ]);
  if (!causal) return keyMask;
  const seqLen = g.op('Gather', [g.op('Shape', [inputIds]), g.int64s('one_index', [1], [])], { axis: 0 });
  const squareShape = g.op(
    'Concat',
    [
      g.op('Unsqueeze', [seqLen, g.int64s('axis0', [0])]),
      g.op('Unsqueeze', [seqLen, g.int64s('axis0', [0])]),
    ],
    {
      axis: 0,
    },
  );
  const ones = g.op('ConstantOfShape', [squareShape], {
    value: { name: 'one', dataType: DataType.FLOAT, dims: [1], floatData: [1] },
  });
  const lower = g.op('Cast', [g.op('Trilu', [ones], { upper: 0 })], { to: DataType.BOOL });
  return g.op('And', [keyMask, lower]);
}

function layerNorm(m: TinyGraph, input: string, name: string): string {
  const { g, random, hidden } = m;
  return g.op(
    'LayerNormalization',
    [
      input,
      g.weight(`${name}_gamma`, [hidden], new Float32Array(hidden).fill(1)),
      g.weight(`${name}_beta`, [hidden], random.normals(hidden, 0.1)),
    ],
    {
      axis: -1,
      epsilon: { float: 1e-5 },
    },
  );
}

/** One pre-LayerNorm block: single-head attention over the allowed keys, then a ReLU MLP, each residual. */
function transformerLayer(m: TinyGraph, input: string, layer: number, attention: AttentionInputs): string {
  const { g, random, hidden } = m;
  const std = 1 / Math.sqrt(hidden);
  const h = layerNorm(m, input, `l${layer}_ln1`);
  const q = g.op('MatMul', [
    h,
    g.weight(`l${layer}_wq`, [hidden, hidden], random.normals(hidden * hidden, std)),
  ]);
  const k = g.op('MatMul', [
    h,
    g.weight(`l${layer}_wk`, [hidden, hidden], random.normals(hidden * hidden, std)),
  ]);
  const v = g.op('MatMul', [
    h,
    g.weight(`l${layer}_wv`, [hidden, hidden], random.normals(hidden * hidden, std)),
  ]);
  const scores = g.op('Mul', [
    g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 2, 1] })]),
    attention.scale,
  ]);
  const probabilities = g.op('Softmax', [g.op('Where', [attention.allowed, scores, attention.blocked])], {
    axis: -1,
  });
  const attended = g.op('MatMul', [
    g.op('MatMul', [probabilities, v]),
    g.weight(`l${layer}_wo`, [hidden, hidden], random.normals(hidden * hidden, std)),
  ]);
  const x = g.op('Add', [input, attended]);
  const h2 = layerNorm(m, x, `l${layer}_ln2`);
  const up = g.op('Relu', [
    g.op('Add', [
      g.op('MatMul', [
        h2,
        g.weight(`l${layer}_w1`, [hidden, 2 * hidden], random.normals(2 * hidden * hidden, std)),
      ]),
      g.weight(`l${layer}_b1`, [2 * hidden], random.normals(2 * hidden, 0.1)),
    ]),
  ]);
  return g.op('Add', [
    x,
    g.op('MatMul', [
      up,
      g.weight(`l${layer}_w2`, [2 * hidden, hidden], random.normals(2 * hidden * hidden, std / Math.SQRT2)),
    ]),
  ]);
}

/** Final LayerNorm and LM head → `logits` [batch, sequence, vocab], cast to half precision if asked. */
function addLogits(m: TinyGraph, x: string, options: TinyModelOptions): void {
  const { g, random, hidden } = m;
  const vocab = options.vocabSize;
  const std = 1 / Math.sqrt(hidden);
  const final = layerNorm(m, x, 'final_ln');
  // A negative bias makes most logits negative, so ReLU zeroes most of the vocabulary as in SPLADE.
  const lmHead = g.weight('lm_head', [hidden, vocab], random.normals(hidden * vocab, 1.2 * std));
  const lmBias = g.weight(
    'lm_head_bias',
    [vocab],
    random.normals(vocab, 0.5).map((b) => b - 1.5),
  );
  const halfType = { float16: DataType.FLOAT16, bfloat16: DataType.BFLOAT16 }[options.logitsType as string];
  const logitsName = halfType ? 'logits_float' : 'logits';
  const logits = g.op('Add', [g.op('MatMul', [final, lmHead]), lmBias], {}, { output: logitsName });
  if (halfType) {
    g.op('Cast', [logits], { to: halfType }, { output: 'logits' });
    g.output('logits', halfType, ['batch', 'sequence', vocab]);
  } else {
    g.output('logits', DataType.FLOAT, ['batch', 'sequence', vocab]);
  }
}
