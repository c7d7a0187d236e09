/**
 * The "onnx" query encoder for runtimes without onnxruntime-node (Workers): the same SPLADE/CSPLADE
 * query pipeline as batch/onnx/onnx-encoder.node.ts — template, special tokens, windows, padded batches,
 * the prepared head's (term_ids, term_weights) or logits pooled in JavaScript, max-merge, top-k — over
 * an injected onnxruntime (onnxruntime-web in workerd). The model, tokenizer.json and (optional)
 * tokenizer_config.json come as asset bytes from the index version, and the fingerprint is computed as
 * the Node encoder computes it, so the registry's check proves queries match the documents.
 * A version whose manifest names only a local `modelDir` (no assets) cannot be served here: the factory
 * says so with `missing_asset`.
 */
import type { EncoderConfig, EncoderContext } from '../../shared/encoders/config.ts';
import type { EncodeRole, Encoder } from '../../shared/encoders/encoder.ts';
import { EncoderError } from '../../shared/encoders/errors.ts';
import { padBatch, planBatches } from '../../shared/encoders/onnx/batching.ts';
import { type ModelConfig, parseModelConfig } from '../../shared/encoders/onnx/config.ts';
import { maxMergeSparse } from '../../shared/encoders/onnx/pooling.ts';
import {
  queryModelFile,
  queryModelFingerprint,
  TOKENIZER_CONFIG_ASSET,
  TOKENIZER_JSON_ASSET,
} from '../../shared/encoders/onnx/query-model.ts';
import { batchInputs, vectorsFromOutputs } from '../../shared/encoders/onnx/session-io.ts';
import {
  roleLayout,
  textsToPackedSequences,
  unpackSequences,
} from '../../shared/encoders/onnx/text-sequences.ts';
import { TokenizerVocabulary } from '../../shared/encoders/tokenizer-vocabulary.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import { loadTokenizer } from '../../shared/tokenizers/load.ts';
import { isBuiltinTokenizer } from '../../shared/tokenizers/spec.ts';
import type { Tokenizer } from '../../shared/tokenizers/tokenizer.ts';

/** The part of onnxruntime's API this encoder uses (onnxruntime-web and -node both provide it). */
export interface OrtRuntime {
  readonly InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSession> };
  readonly Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => unknown;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

interface OrtTensor {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

export { TOKENIZER_CONFIG_ASSET, TOKENIZER_JSON_ASSET } from '../../shared/encoders/onnx/query-model.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** A registry factory for "onnx" over `loadRuntime` (called once, on the first onnx index). */
export function onnxQueryEncoderFactory(loadRuntime: () => Promise<OrtRuntime>) {
  let runtime: Promise<OrtRuntime> | undefined;
  return async (config: EncoderConfig, context: EncoderContext): Promise<Encoder> => {
    const modelConfig = parseModelConfig(config.modelConfig, 'manifest encoder config "modelConfig"');
    const modelFile = queryModelFile(modelConfig);
    const model = context.assets?.[modelFile];
    const tokenizerJson = context.assets?.[TOKENIZER_JSON_ASSET];
    const builtin = isBuiltinTokenizer(modelConfig.tokenizer) ? modelConfig.tokenizer : undefined;
    if (!model || (!tokenizerJson && !builtin)) {
      throw new EncoderError(
        'missing_asset',
        `onnx query encoder needs assets "${modelFile}"${builtin ? '' : ` and "${TOKENIZER_JSON_ASSET}"`} in the index version ` +
          '(the batch job publishes them when the query model is one file of at most 256 MiB: set "queryModel" in csplade-model.json)',
      );
    }
    const tokenizerConfigBytes = context.assets?.[TOKENIZER_CONFIG_ASSET];
    // loadTokenizer imports only the tokenizer asked for: a Worker does not unpack Llama 3's data for a
    // BERT-vocabulary model (the synchronous registry would, at import).
    const tokenizer = await loadTokenizer(
      tokenizerJson
        ? {
            tokenizerJson: JSON.parse(utf8.decode(tokenizerJson)) as object,
            ...(tokenizerConfigBytes
              ? { tokenizerConfig: JSON.parse(utf8.decode(tokenizerConfigBytes)) as object }
              : {}),
          }
        : builtin!,
    );
    runtime ??= loadRuntime();
    const ort = await runtime;
    const session = await ort.InferenceSession.create(model);
    const fingerprint = queryModelFingerprint(modelConfig, tokenizer.name, await sha256Hex(model));
    return new OnnxQueryEncoder(ort, session, modelConfig, tokenizer, fingerprint);
  };
}

export class OnnxQueryEncoder extends TokenizerVocabulary implements Encoder {
  readonly name = 'onnx';
  readonly #padId: number;

  constructor(
    private readonly ort: OrtRuntime,
    private readonly session: OrtSession,
    private readonly config: ModelConfig,
    tokenizer: Tokenizer,
    readonly fingerprint: string,
  ) {
    super(tokenizer);
    this.#padId = tokenizer.idOf('[PAD]') ?? tokenizer.idOf('<|end_of_text|>') ?? 0;
  }

  async encode(texts: readonly string[], role: EncodeRole): Promise<SparseVector[]> {
    const k = this.config.topK[role];
    const layout = roleLayout(this.config, this.tokenizer, role);
    const windows: SparseVector[][] = texts.map(() => []);
    const sequences = unpackSequences(textsToPackedSequences(this.tokenizer, layout, texts, 0));
    const limits = { maxBatchSize: 8, maxBatchTokens: 8 * this.config.maxLength };
    for (const members of planBatches(sequences, limits)) {
      const batch = padBatch(members, this.#padId);
      const shape = [batch.batchSize, batch.length];
      const tensors = batchInputs(batch);
      const feeds: Record<string, unknown> = {};
      for (const input of this.session.inputNames)
        feeds[input] = new this.ort.Tensor('int64', tensors[input], shape);
      const out = await this.session.run(feeds);
      vectorsFromOutputs(out, batch, this.config.prepared !== false, k).forEach((vector, row) => {
        windows[members[row].owner].push(vector);
      });
    }
    return windows.map((w) => maxMergeSparse(w, k));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
