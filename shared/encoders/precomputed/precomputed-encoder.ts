/**
 * The "precomputed" encoder: vectors were made elsewhere (Python SPLADE, Pyserini's
 * JsonVectorCollection files), so encoding is parsing. Each text is either a JsonVectorCollection
 * line (`{"id", "contents"?, "vector": {…}}`) or a bare `{"token": weight}` object (a query given
 * as a vector). Unknown tokens in a query are dropped — no document can contain them, so they
 * cannot change a score — while documents follow `unknownTokens` (default 'error').
 */
import type { SparseVector } from '../../sparse/types.ts';
import type { Tokenizer } from '../../tokenizers/tokenizer.ts';
import type { EncoderConfig, EncoderDescription } from '../config.ts';
import { describeTokenizer } from '../config.ts';
import type { EncodeRole, Encoder } from '../encoder.ts';
import { EncoderError } from '../errors.ts';
import { fingerprintOf } from '../fingerprint.ts';
import { parseJsonVectorLine, tokenWeightsToVector } from './json-vector.ts';
import type { TermVocabulary } from './vocabulary.ts';

export const VOCAB_ASSET = 'vocab.txt';

export interface PrecomputedEncoderOptions {
  readonly vocabulary: TermVocabulary;
  readonly unknownTokens?: 'error' | 'ignore';
  /** What `describe()` records: the tokenizer the vocabulary came from, or the vocab file's text. */
  readonly source?: { readonly tokenizer: Tokenizer } | { readonly vocabText: string };
}

export class PrecomputedEncoder implements Encoder {
  readonly name = 'precomputed';
  readonly fingerprint: string;
  readonly vocabSize: number;
  private readonly vocabulary: TermVocabulary;
  private readonly unknownTokens: 'error' | 'ignore';
  private readonly source: PrecomputedEncoderOptions['source'];

  constructor(options: PrecomputedEncoderOptions) {
    this.vocabulary = options.vocabulary;
    this.vocabSize = options.vocabulary.size;
    this.unknownTokens = options.unknownTokens ?? 'error';
    this.source = options.source;
    this.fingerprint = fingerprintOf({
      encoder: 'precomputed',
      formatVersion: 1,
      vocabulary: this.vocabulary.name,
      vocabSize: this.vocabSize,
      unknownTokens: this.unknownTokens,
    });
  }

  tokenOf(termId: number): string {
    return this.vocabulary.tokenOf(termId);
  }

  idOf(token: string): number | undefined {
    return this.vocabulary.idOf(token);
  }

  async encode(texts: readonly string[], role: EncodeRole): Promise<SparseVector[]> {
    return texts.map((text, index) => this.encodeOne(text, role, `text ${index}`));
  }

  encodeOne(text: string, role: EncodeRole, where?: string): SparseVector {
    const unknownTokens = role === 'query' ? 'ignore' : this.unknownTokens;
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{') && /"vector"\s*:/.test(trimmed)) {
      return parseJsonVectorLine(trimmed, this.vocabulary, { unknownTokens, where }).vector;
    }
    let weights: unknown;
    try {
      weights = JSON.parse(trimmed);
    } catch (cause) {
      throw new EncoderError(
        'invalid_vector_line',
        `precomputed ${role} is not a JSON vector${where ? ` (${where})` : ''}`,
        {
          cause,
        },
      );
    }
    if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
      throw new EncoderError('invalid_vector_line', `precomputed ${role} must be a {"token": weight} object`);
    }
    return tokenWeightsToVector(weights as Record<string, unknown>, this.vocabulary, {
      unknownTokens,
      where,
    });
  }

  describe(): EncoderDescription {
    const source = this.source;
    if (!source) {
      throw new EncoderError(
        'invalid_encoder_config',
        'this precomputed encoder was built without a recordable vocabulary source',
      );
    }
    const config: EncoderConfig = { name: 'precomputed', unknownTokens: this.unknownTokens };
    if ('tokenizer' in source) {
      const tokenizer = describeTokenizer(source.tokenizer);
      return { config: { ...config, vocabulary: tokenizer.ref }, assets: tokenizer.assets };
    }
    return {
      config: { ...config, vocabulary: { vocabAsset: VOCAB_ASSET } },
      assets: { [VOCAB_ASSET]: new TextEncoder().encode(source.vocabText) },
    };
  }
}
