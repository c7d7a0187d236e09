/**
 * What the pipeline needs from an encoder, on top of the Encoder seam: a cache fingerprint (what the
 * cached output depends on), token counts for progress, and a build-time `finalize` that turns the cached
 * outputs of the index's documents into the final document vectors plus the encoder descriptor and
 * query-side assets the manifest records.
 *
 * Two kinds:
 * - `bm25` caches term counts (the statistics-free part of BM25: tokenize, count) under a fingerprint of
 *   the tokenizer alone, and applies BM25 weighting in `finalize` with statistics counted from exactly the
 *   documents of the version being built. Why not cache BM25 weights: they depend on N, avgdl and every df,
 *   so one new document would change every cached vector and a fingerprint including the stats hash would
 *   never hit on a changed corpus. Counts never change for unchanged text.
 * - any other Encoder (onnx, …) caches its output vectors under the encoder's own fingerprint; `finalize`
 *   is the identity.
 *
 * `spec` is a JSON description recorded in run parts, so `publish --run` rebuilds the same adapter on a
 * machine that never saw the CLI flags of the encode workers (open-document-encoder.ts).
 */
import { BM25_DEFAULTS, Bm25Encoder } from '../../shared/encoders/bm25/bm25-encoder.ts';
import type { Bm25Stats } from '../../shared/encoders/bm25/stats.ts';
import type { EncoderConfig, EncoderDescription } from '../../shared/encoders/config.ts';
import { declarationOf } from '../../shared/encoders/declarations.ts';
import type { Encoder } from '../../shared/encoders/encoder.ts';
import { fingerprintOf } from '../../shared/encoders/fingerprint.ts';
import { countTerms } from '../../shared/encoders/term-counts.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import { bertBaseUncasedTokenizer } from '../../shared/tokenizers/bert-wordpiece.ts';
import { loadTokenizer } from '../../shared/tokenizers/load.ts';
import type { TokenizerSpec } from '../../shared/tokenizers/spec.ts';
import type { Tokenizer } from '../../shared/tokenizers/tokenizer.ts';
import type { InputMode } from '../corpus/validate.ts';
import { PipelineConfigError } from './errors.ts';

/**
 * How the build turns cached outputs into final document vectors: `transform` one vector at a time, so
 * the build can stream shard by shard in bounded memory.
 */
export interface Finalizer {
  transform(cached: SparseVector): SparseVector;
  /** Config and query-side assets the manifest records. */
  readonly description: EncoderDescription;
  /** The fingerprint of the encoder that produced the final vectors (the manifest's). */
  readonly fingerprint: string;
  /** Term ids of the final vectors are below this (the manifest's vocabSize). */
  readonly vocabSize: number;
}

/** Visits every cached output of the version's documents, in document order. */
export type CachedScan = (visit: (cached: SparseVector) => void) => Promise<void>;

/**
 * For encoders whose vocabulary is the corpus's own words (the English analyzer): term ids are handed out
 * per process, so the encoding cache stores term strings (`termOf` when writing a segment) and whoever
 * reads segments gets ids of this process again (`intern`).
 */
export interface OpenVocabulary {
  termOf(id: number): string;
  intern(term: string): number;
}

export interface DocumentEncoder {
  readonly name: string;
  /** What encodes, for people: "bm25 (english analyzer, k1 0.9, b 0.4)", "onnx … on execution provider cpu". */
  readonly label: string;
  /** JSON recorded in run parts; `openDocumentEncoder(spec)` (open-document-encoder.ts) rebuilds this adapter. */
  readonly spec: Readonly<Record<string, unknown>>;
  readonly cacheFingerprint: string;
  readonly vocabSize: number;
  /** What corpus lines carry: text to encode, or precomputed vectors. */
  readonly input: InputMode;
  /** Present when term ids are per process (see OpenVocabulary). */
  readonly openVocabulary?: OpenVocabulary;
  encodeDocuments(texts: readonly string[]): Promise<{ vectors: SparseVector[]; tokens: number }>;
  /** Prepares the build-time transform; encoders that need corpus statistics gather them with `scan`. */
  prepare(scan: CachedScan): Promise<Finalizer>;
  close(): Promise<void>;
}

/** Final vectors of an in-memory list of cached outputs (tests, small tools). */
export async function finalizeAll(
  encoder: DocumentEncoder,
  cached: readonly SparseVector[],
): Promise<{ vectors: SparseVector[]; finalizer: Finalizer }> {
  const finalizer = await encoder.prepare(async (visit) => {
    for (const v of cached) visit(v);
  });
  return { vectors: cached.map((v) => finalizer.transform(v)), finalizer };
}

export interface Bm25Parameters {
  /** "english": the Lucene English analyzer over the corpus's own vocabulary (english-bm25.ts). */
  readonly analyzer?: 'english';
  readonly tokenizer?: TokenizerSpec;
  readonly k1?: number;
  readonly b?: number;
  readonly luceneNorms?: boolean;
}

/** BM25 with term counts cached and weights applied at build time (see the module comment). */
export class Bm25DocumentEncoder implements DocumentEncoder {
  readonly name = 'bm25';
  readonly label: string;
  readonly input = 'text';
  readonly spec: Record<string, unknown>;
  readonly cacheFingerprint: string;
  readonly vocabSize: number;
  readonly #tokenizer: Tokenizer;
  readonly #parameters: Bm25Parameters;

  /**
   * BERT's tokenizer is built here; any other (Llama 3 unpacks ~0.5 s of data when imported, so
   * nothing imports it until asked) is loaded first by `Bm25DocumentEncoder.open` and passed in.
   */
  constructor(parameters: Bm25Parameters = {}, tokenizer?: Tokenizer) {
    this.#parameters = parameters;
    const spec = parameters.tokenizer ?? 'bert-base-uncased';
    if (tokenizer) this.#tokenizer = tokenizer;
    else if (spec === 'bert-base-uncased') this.#tokenizer = bertBaseUncasedTokenizer();
    else {
      throw new PipelineConfigError(
        `bm25 with tokenizer ${JSON.stringify(spec)}: open it with Bm25DocumentEncoder.open (loads the tokenizer)`,
      );
    }
    this.vocabSize = this.#tokenizer.vocabSize;
    // Defaults spelled out, so workers given the same settings differently record the same spec.
    this.spec = {
      kind: 'bm25',
      tokenizer: parameters.tokenizer ?? 'bert-base-uncased',
      k1: parameters.k1 ?? BM25_DEFAULTS.k1,
      b: parameters.b ?? BM25_DEFAULTS.b,
      luceneNorms: parameters.luceneNorms ?? BM25_DEFAULTS.luceneNorms,
    };
    this.cacheFingerprint = fingerprintOf({
      stage: 'term-counts',
      formatVersion: 1,
      tokenizer: this.#tokenizer.name,
    });
    this.label = `bm25 (${this.#tokenizer.name} tokens, k1 ${this.spec.k1}, b ${this.spec.b}${this.spec.luceneNorms ? ', Lucene norms' : ''})`;
  }

  /** Loads the tokenizer `parameters` names (only that one), then builds the adapter. */
  static async open(parameters: Bm25Parameters = {}): Promise<Bm25DocumentEncoder> {
    return new Bm25DocumentEncoder(
      parameters,
      await loadTokenizer(parameters.tokenizer ?? 'bert-base-uncased'),
    );
  }

  async encodeDocuments(texts: readonly string[]) {
    let tokens = 0;
    const vectors = texts.map((text) => {
      const ids = this.#tokenizer.encode(text).ids;
      tokens += ids.length;
      const { terms, counts } = countTerms(ids);
      return { terms, weights: Float32Array.from(counts) };
    });
    return { vectors, tokens };
  }

  async prepare(scan: CachedScan): Promise<Finalizer> {
    // The statistics straight from the counts: df, N and the total number of tokens are their definition.
    const df = new Uint32Array(this.vocabSize);
    let docCount = 0;
    let totalTokens = 0;
    await scan((v) => {
      docCount++;
      for (let i = 0; i < v.terms.length; i++) {
        df[v.terms[i]]++;
        totalTokens += v.weights[i];
      }
    });
    const stats: Bm25Stats = {
      tokenizer: this.#tokenizer.name,
      vocabSize: this.vocabSize,
      docCount,
      totalTokens,
      df,
    };
    const encoder = new Bm25Encoder({ ...this.#parameters, tokenizer: this.#tokenizer, stats });
    return {
      transform: (v) => encoder.documentVector(idsOfCounts(v)),
      description: encoder.describe(),
      fingerprint: encoder.fingerprint,
      vocabSize: encoder.vocabSize,
    };
  }

  async close(): Promise<void> {}
}

/**
 * Cached counts → token ids again (order does not matter to BM25), so document weights come from the
 * BM25 encoder's own code instead of a second copy of its formula. `remap` renumbers terms first.
 */
export function idsOfCounts(v: SparseVector, remap?: Uint32Array): Uint32Array {
  let length = 0;
  for (let i = 0; i < v.weights.length; i++) length += v.weights[i];
  const ids = new Uint32Array(length);
  for (let i = 0, at = 0; i < v.terms.length; i++) {
    ids.fill(remap ? remap[v.terms[i]] : v.terms[i], at, (at += v.weights[i]));
  }
  return ids;
}

/** Any Encoder whose document vectors do not depend on the rest of the corpus (onnx, …). */
export class StatelessDocumentEncoder implements DocumentEncoder {
  readonly name: string;
  readonly label: string;
  readonly spec: Record<string, unknown>;
  readonly cacheFingerprint: string;
  readonly vocabSize: number;
  readonly input: InputMode;
  readonly #encoder: Encoder;
  readonly #describe: () => EncoderDescription;

  constructor(
    encoder: Encoder,
    spec: Record<string, unknown>,
    describe?: () => EncoderDescription,
    label?: string,
  ) {
    this.#encoder = encoder;
    this.name = encoder.name;
    this.spec = spec;
    this.cacheFingerprint = encoder.fingerprint;
    this.vocabSize = encoder.vocabSize;
    this.input = declarationOf(encoder.name)?.document?.input ?? 'text';
    this.label = label ?? encoder.name;
    const own = (encoder as { describe?: () => EncoderDescription }).describe?.bind(encoder);
    this.#describe =
      describe ?? own ?? (() => ({ config: { name: encoder.name, ...spec } as EncoderConfig, assets: {} }));
  }

  async encodeDocuments(texts: readonly string[]) {
    // Encoders that count their tokens (the onnx encoder's stats()) report real tokens; for the others,
    // whitespace words are the honest cheap estimate.
    const textTokens = () =>
      (this.#encoder as { stats?: () => { textTokens?: number } }).stats?.()?.textTokens;
    const before = textTokens();
    const vectors = await this.#encoder.encode(texts, 'document');
    const after = textTokens();
    let tokens = 0;
    if (before !== undefined && after !== undefined) tokens = after - before;
    else for (const text of texts) tokens += text.split(/\s+/).length;
    return { vectors, tokens };
  }

  async prepare(): Promise<Finalizer> {
    return {
      transform: (v) => v,
      description: this.#describe(),
      fingerprint: this.#encoder.fingerprint,
      vocabSize: this.vocabSize,
    };
  }

  async close(): Promise<void> {
    await this.#encoder.close?.();
  }
}
