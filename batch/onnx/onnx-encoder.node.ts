/**
 * The `onnx` encoder: SPLADE / CSPLADE vectors from an ONNX LM export with onnxruntime-node.
 *
 * encode(texts, role):
 *   1. texts are cut into chunks; worker threads tokenize chunk i+1 (template, special tokens,
 *      windows, echo layout) while the model runs the batches of chunk i;
 *   2. each chunk's sequences are sorted by length and padded into batches (batching.ts);
 *   3. a prepared graph returns (term_ids, term_weights) per sequence; an unprepared one returns
 *      logits, pooled here in JavaScript (pooling.ts) — slower, and the reference for tests;
 *   4. the windows of a text are max-pooled and cut to the role's top-k.
 * `stats()` reports where the time went (inside session.run or not) and bytes copied off the
 * session, for bench:encode.
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { EncoderDescription } from '../../shared/encoders/config.ts';
import type { EncodeRole, Encoder } from '../../shared/encoders/encoder.ts';
import { fingerprintOf } from '../../shared/encoders/fingerprint.ts';
import {
  type BatchLimits,
  type PaddedBatch,
  padBatch,
  planBatches,
} from '../../shared/encoders/onnx/batching.ts';
import type { ModelConfig } from '../../shared/encoders/onnx/config.ts';
import { maxMergeSparse } from '../../shared/encoders/onnx/pooling.ts';
import { batchInputs, vectorsFromOutputs } from '../../shared/encoders/onnx/session-io.ts';
import {
  type PackedSequences,
  type RoleLayout,
  roleLayout,
  textsToPackedSequences,
  unpackSequences,
} from '../../shared/encoders/onnx/text-sequences.ts';
import { TokenizerVocabulary } from '../../shared/encoders/tokenizer-vocabulary.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import { loadModelDir, type ModelDir } from './model-dir.node.ts';
import { queryAssets } from './query-assets.node.ts';
import { type ExecutionProvider, openSession, type SessionOptions } from './session.node.ts';
import { TokenizerPool } from './tokenizer-pool.node.ts';

export interface OnnxEncoderOptions extends SessionOptions, Partial<BatchLimits> {
  /** Tokenizer worker threads; 0 tokenizes on the main thread (no pipelining). Default 1. */
  tokenizerThreads?: number;
  /** Texts tokenized per pipeline step (default 8 × maxBatchSize). */
  chunkTexts?: number;
  /** Config fields to override, e.g. `{ model: 'model.int8.onnx' }`. */
  configOverrides?: Partial<ModelConfig>;
}

export interface EncodeStats {
  texts: number;
  sequences: number;
  batches: number;
  /** Tokens of the texts themselves. */
  textTokens: number;
  /** Non-pad tokens fed to the model (templates, specials, echo copies included). */
  modelTokens: number;
  paddedTokens: number;
  /** Wall time inside encode() and inside session.run. */
  wallMs: number;
  sessionRunMs: number;
  /** Time the main thread waited for tokenization (all of it when tokenizing inline). */
  tokenizeWaitMs: number;
  /** Bytes of output tensors copied off the session. */
  outputBytes: number;
}

export class OnnxEncoder extends TokenizerVocabulary implements Encoder {
  readonly name = 'onnx';
  private readonly layouts: Record<EncodeRole, RoleLayout>;
  private readonly limits: BatchLimits;
  private readonly chunkTexts: number;
  private readonly padId: number;
  private counters: EncodeStats = emptyStats();

  private constructor(
    readonly modelDir: ModelDir,
    private readonly session: ort.InferenceSession,
    readonly provider: ExecutionProvider,
    readonly fingerprint: string,
    private readonly pool: TokenizerPool | undefined,
    options: OnnxEncoderOptions,
  ) {
    super(modelDir.tokenizer);
    this.layouts = {
      query: roleLayout(modelDir.config, modelDir.tokenizer, 'query'),
      document: roleLayout(modelDir.config, modelDir.tokenizer, 'document'),
    };
    const maxBatchSize = options.maxBatchSize ?? 32;
    this.limits = {
      maxBatchSize,
      maxBatchTokens: options.maxBatchTokens ?? maxBatchSize * modelDir.config.maxLength,
    };
    this.chunkTexts = options.chunkTexts ?? maxBatchSize * 8;
    const tokenizer = modelDir.tokenizer;
    this.padId = tokenizer.idOf('[PAD]') ?? tokenizer.idOf('<|end_of_text|>') ?? 0;
  }

  static async open(dir: string, options: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
    const modelDir = await loadModelDir(dir, options.configOverrides);
    const { session, provider } = await openSession(modelDir.modelPath, options);
    const threads = options.tokenizerThreads ?? 1;
    const pool =
      threads > 0 ? new TokenizerPool(modelDir.tokenizerSource, modelDir.config, threads) : undefined;
    const fingerprint = await modelFingerprint(modelDir);
    return new OnnxEncoder(modelDir, session, provider, fingerprint, pool, options);
  }

  /**
   * The manifest entry: the model directory and the config it held, and — when the query model is one file
   * small enough to ship — that model and the tokenizer as assets with the query encoder's fingerprint, so
   * the edge can encode queries from the store alone. Document model files are gigabytes and never shipped;
   * the fingerprint (graph hash, external data sizes and edges, config, tokenizer) is what `createEncoder`
   * checks when the directory is opened again.
   */
  describe(): EncoderDescription {
    const shipped = queryAssets(this.modelDir);
    return {
      config: {
        name: 'onnx',
        modelDir: resolve(this.modelDir.dir),
        modelConfig: this.modelDir.config,
        ...(shipped.skipped === undefined
          ? { queryFingerprint: shipped.queryFingerprint }
          : { queryAssetsSkipped: shipped.skipped }),
      },
      assets: shipped.skipped === undefined ? shipped.assets : {},
    };
  }

  /** Counters since the last `resetStats()`. */
  stats(): EncodeStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = emptyStats();
  }

  async encode(texts: readonly string[], role: EncodeRole): Promise<SparseVector[]> {
    const started = performance.now();
    const k = this.modelDir.config.topK[role];
    const windows: SparseVector[][] = texts.map(() => []);
    // The first chunk is one batch, so the model starts early; later chunks are larger so that
    // sorting by length has more to choose from.
    const chunks: [number, number][] = [];
    for (let start = 0; start < texts.length; ) {
      const end = Math.min(texts.length, start + (start === 0 ? this.limits.maxBatchSize : this.chunkTexts));
      chunks.push([start, end]);
      start = end;
    }
    const tokenizeChunk = ([start, end]: [number, number]): Promise<PackedSequences> => {
      const slice = texts.slice(start, end);
      if (this.pool) return this.pool.tokenize(slice, role, start);
      // Inline tokenization blocks the main thread: all of it counts as waiting.
      const inlineStarted = performance.now();
      const packed = textsToPackedSequences(this.modelDir.tokenizer, this.layouts[role], slice, start);
      this.counters.tokenizeWaitMs += performance.now() - inlineStarted;
      return Promise.resolve(packed);
    };
    let next = chunks.length > 0 ? tokenizeChunk(chunks[0]) : undefined;
    for (let c = 0; c < chunks.length; c++) {
      const waitStarted = performance.now();
      const packed = await next!;
      this.counters.tokenizeWaitMs += performance.now() - waitStarted;
      // Pipelining: the workers tokenize the next chunk while this one runs in the model.
      next = c + 1 < chunks.length ? tokenizeChunk(chunks[c + 1]) : undefined;
      this.counters.textTokens += packed.textTokens;
      for (const members of planBatches(unpackSequences(packed), this.limits)) {
        const batch = padBatch(members, this.padId);
        const vectors = await this.runBatch(batch, k);
        for (let row = 0; row < members.length; row++) windows[members[row].owner].push(vectors[row]);
      }
    }
    this.counters.texts += texts.length;
    this.counters.wallMs += performance.now() - started;
    return windows.map((w) => maxMergeSparse(w, k));
  }

  /** Runs one padded batch; returns one vector per member (already cut to k). */
  private async runBatch(batch: PaddedBatch, k: number): Promise<SparseVector[]> {
    const shape = [batch.batchSize, batch.length];
    const tensors = batchInputs(batch);
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.modelDir.inputs) feeds[name] = new ort.Tensor('int64', tensors[name], shape);
    const t0 = performance.now();
    const out = await this.session.run(feeds);
    this.counters.sessionRunMs += performance.now() - t0;
    this.counters.batches++;
    this.counters.sequences += batch.batchSize;
    this.counters.modelTokens += batch.realTokens;
    this.counters.paddedTokens += batch.batchSize * batch.length;
    for (const t of Object.values(out))
      this.counters.outputBytes += (t.data as ArrayLike<number> & { byteLength: number }).byteLength;
    return vectorsFromOutputs(out, batch, this.modelDir.config.prepared !== false, k);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    await this.session.release();
  }
}

function emptyStats(): EncodeStats {
  return {
    texts: 0,
    sequences: 0,
    batches: 0,
    textTokens: 0,
    modelTokens: 0,
    paddedTokens: 0,
    wallMs: 0,
    sessionRunMs: 0,
    tokenizeWaitMs: 0,
    outputBytes: 0,
  };
}

/**
 * Hashes the .onnx file fully (the graph; small when weights are external) and each external
 * data file's size plus its first and last MiB — reading 16 GB of weights on every start would
 * cost more than the fingerprint is worth, and re-exported weights change those bytes too.
 */
async function modelFingerprint(modelDir: ModelDir): Promise<string> {
  const graphHash = createHash('sha256')
    .update(await readFile(modelDir.modelPath))
    .digest('hex');
  const external: { file: string; size: number; sha256: string }[] = [];
  for (const file of modelDir.externalFiles) {
    const path = join(modelDir.dir, file);
    const { size } = await stat(path);
    const handle = await open(path, 'r');
    try {
      const hash = createHash('sha256');
      const mib = 1 << 20;
      for (const offset of size <= 2 * mib ? [0] : [0, size - mib]) {
        const buffer = new Uint8Array(Math.min(size, size <= 2 * mib ? size : mib));
        await handle.read(buffer, 0, buffer.length, offset);
        hash.update(buffer);
      }
      external.push({ file, size, sha256: hash.digest('hex') });
    } finally {
      await handle.close();
    }
  }
  return fingerprintOf({
    encoder: 'onnx',
    config: modelDir.config,
    tokenizer: modelDir.tokenizer.name,
    graph: graphHash,
    external,
  });
}

/** Factory for the encoder registry: `onnx` with a model directory. */
export function createOnnxEncoder(modelDir: string, options: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
  return OnnxEncoder.open(modelDir, options);
}
