/**
 * The query side of an index version: text → sparse vector with the encoder its manifest names, vector
 * keys (vocabulary tokens or decimal term ids) → term ids, and term ids → token strings for explain.
 * The encoder is rebuilt from the manifest's descriptor and asset bytes (BM25 statistics, weight table,
 * model) read once per version and kept in the isolate: queries always match the index they search.
 */
import type { EncoderConfig } from '../../shared/encoders/config.ts';
import { declarationOf } from '../../shared/encoders/declarations.ts';
import type { Encoder } from '../../shared/encoders/encoder.ts';
import { createEncoder, loadEncoderAssets } from '../../shared/encoders/registry.ts';
import { CspladeError } from '../../shared/errors.ts';
import type { EncoderDescriptor, IndexManifest } from '../../shared/index/manifest.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { IndexUnavailableError, InvalidSearchFieldError } from './errors.ts';

/** Builds the query encoder of a version from its descriptor and the bytes of its assets (by asset name). */
export type EncoderFactory = (
  descriptor: EncoderDescriptor,
  assets: Readonly<Record<string, Uint8Array>>,
) => Encoder | Promise<Encoder>;

const DECIMAL_ID = /^(0|[1-9][0-9]{0,9})$/;

export class QueryCodec {
  constructor(readonly encoder: Encoder) {}

  /** False for encoders that only describe documents: their indexes take vector queries only. */
  get acceptsText(): boolean {
    return declarationOf(this.encoder.name)?.query.text ?? true;
  }

  async encodeText(text: string): Promise<SparseVector> {
    if (!this.acceptsText) {
      throw new InvalidSearchFieldError(
        'query',
        `this index was built from precomputed vectors (encoder "${this.encoder.name}"): send "vector" instead`,
      );
    }
    const [vector] = await this.encoder.encode([text], 'query');
    return vector;
  }

  /**
   * A vector query's keys → a SparseVector. "#<id>" is always a term id; any other key is first looked
   * up as a vocabulary token (so exported SPLADE vectors, whose keys are tokens such as "2020", work
   * as they are), then read as a decimal term id; anything else is an invalid field naming the key.
   */
  vectorOf(entries: ReadonlyMap<string, number>): SparseVector {
    const byTerm = new Map<number, number>();
    for (const [key, weight] of entries) {
      const explicit = key.startsWith('#') && DECIMAL_ID.test(key.slice(1));
      let term = explicit ? Number(key.slice(1)) : this.encoder.idOf(key);
      if (term === undefined && DECIMAL_ID.test(key)) term = Number(key);
      if (term === undefined || term >= this.encoder.vocabSize) {
        throw new InvalidSearchFieldError(
          `vector.${key}`,
          `is neither a token of the index vocabulary nor a term id in 0..${this.encoder.vocabSize - 1}`,
        );
      }
      byTerm.set(term, (byTerm.get(term) ?? 0) + weight);
    }
    const terms = Uint32Array.from([...byTerm.keys()].sort((a, b) => a - b));
    return { terms, weights: Float32Array.from(terms, (t) => byTerm.get(t)!) };
  }

  /**
   * Each word's term ids, for snippets. Encoders whose query side is the document analysis itself (bm25:
   * tokens or stems; weight-table: tokens) analyze the words as queries; a learned model's query encoder
   * would expand them, so for the others a word's terms are its vocabulary entries: the word as a token
   * (as written, lower case, with a BPE word-start mark) or, failing that, its WordPiece pieces.
   */
  async termsOfWords(words: readonly string[]): Promise<number[][]> {
    if (declarationOf(this.encoder.name)?.query.analyzedLikeDocuments) {
      const vectors = await this.encoder.encode(words, 'query');
      return vectors.map((v) => Array.from(v.terms));
    }
    return words.map((word) => this.#vocabularyTerms(word));
  }

  #vocabularyTerms(word: string): number[] {
    const lower = word.toLowerCase();
    for (const candidate of [word, lower, `\u0120${word}`, `\u0120${lower}`, `\u2581${lower}`]) {
      const id = this.encoder.idOf(candidate);
      if (id !== undefined) return [id];
    }
    // Greedy longest-match WordPiece: a first piece, then "##" continuations.
    const pieces: number[] = [];
    for (let at = 0; at < lower.length; ) {
      let end = lower.length;
      let id: number | undefined;
      for (; end > at; end--) {
        id = this.encoder.idOf(at === 0 ? lower.slice(at, end) : `##${lower.slice(at, end)}`);
        if (id !== undefined) break;
      }
      if (id === undefined) return pieces;
      pieces.push(id);
      at = end;
    }
    return pieces;
  }

  tokenOf(term: number): string {
    try {
      return this.encoder.tokenOf(term);
    } catch {
      return `#${term}`;
    }
  }
}

/** One QueryCodec per index version, built on first use and shared by concurrent requests. */
export class QueryCodecs {
  readonly #byVersion = new Map<string, Promise<QueryCodec>>();

  constructor(
    private readonly factory: EncoderFactory,
    /** How many versions' encoders to keep (models can be megabytes). */
    private readonly maxVersions = 4,
  ) {}

  forManifest(store: ObjectStore, manifest: IndexManifest): Promise<QueryCodec> {
    const key = `${manifest.index}@${manifest.version}`;
    let codec = this.#byVersion.get(key);
    if (!codec) {
      codec = this.build(store, manifest);
      // A failed build (a missing asset, a store hiccup) must not stick: the next request tries again.
      codec.catch(() => {
        if (this.#byVersion.get(key) === codec) this.#byVersion.delete(key);
      });
      this.#byVersion.set(key, codec);
      while (this.#byVersion.size > this.maxVersions)
        this.#byVersion.delete(this.#byVersion.keys().next().value!);
    }
    return codec;
  }

  /**
   * Builds without assets first: the query side often needs none (BM25 queries need only the statistics'
   * hash, which the config carries), which saves a cold isolate a read of every asset. Assets are read
   * only when the factory asks for one.
   */
  private async build(store: ObjectStore, manifest: IndexManifest): Promise<QueryCodec> {
    const descriptor = manifest.encoder;
    const where = `index ${manifest.index} ${manifest.version}`;
    let encoder: Encoder;
    try {
      encoder = await this.factory(descriptor, {});
    } catch (first) {
      if (!(first instanceof CspladeError && first.code === 'missing_asset'))
        throw unavailable(where, descriptor.name, first);
      let assets: Record<string, Uint8Array>;
      try {
        assets = await loadEncoderAssets(store, descriptor.assets ?? {});
      } catch (cause) {
        throw new IndexUnavailableError('missing_asset', `${where}: ${(cause as Error).message}`, { cause });
      }
      try {
        encoder = await this.factory(descriptor, assets);
      } catch (cause) {
        throw unavailable(where, descriptor.name, cause);
      }
    }
    return new QueryCodec(encoder);
  }
}

function unavailable(where: string, name: string, cause: unknown): IndexUnavailableError {
  return new IndexUnavailableError(
    'encoder_unavailable',
    `${where}: query encoder "${name}" cannot be built: ${(cause as Error).message}`,
    { cause },
  );
}

/**
 * The default factory: the shared encoder registry (bm25 query side, weight table, precomputed, and
 * whatever else was registered, e.g. an ONNX encoder), checked against the manifest's fingerprint — or,
 * for an ONNX version that ships its own (smaller) query model, against that query model's fingerprint.
 */
export const registryEncoderFactory: EncoderFactory = (descriptor, assets) => {
  const field = declarationOf(descriptor.name)?.query.queryModelFingerprintField;
  const queryFingerprint = field === undefined ? undefined : descriptor.config[field];
  return createEncoder({ ...descriptor.config, name: descriptor.name } as EncoderConfig, {
    assets,
    expectedFingerprint: typeof queryFingerprint === 'string' ? queryFingerprint : descriptor.fingerprint,
  });
};
