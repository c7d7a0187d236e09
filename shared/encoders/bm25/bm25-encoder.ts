/**
 * BM25 as a sparse encoder: no model weights, the embedded default. Documents become
 *   weight(t, d) = idf(t) · tf / (tf + k1 · (1 − b + b · dl / avgdl)),
 *   idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))
 * (Lucene ≥ 8 BM25, which dropped the constant (k1 + 1) factor), and a query becomes its term
 * counts, so the dot product of the two vectors is exactly the BM25 score (a repeated query term
 * counts twice, as in Lucene's and Anserini's bag-of-words queries).
 *
 * `luceneNorms` scores with the document length after Lucene's one-byte norm round trip, to match
 * Anserini's scores closely. The default is false, exact lengths: we store a weight per posting,
 * so there is no reason to inherit Lucene's storage loss; turn it on to reproduce Anserini runs
 * (on SciFact flat-wp, float scores: nDCG@10 0.6718 with it — Anserini's published number — and
 * 0.6712 without; R@100 0.9213 either way).
 *
 * The query side needs no statistics (counts only), so the edge can build this encoder from the
 * manifest's config alone (`statsHash` keeps the fingerprint identical); encoding documents needs
 * the statistics themselves.
 */
import type { SparseVector } from '../../sparse/types.ts';
import type { Tokenizer } from '../../tokenizers/tokenizer.ts';
import type { EncoderConfig, EncoderDescription } from '../config.ts';
import { describeTokenizer } from '../config.ts';
import type { EncodeRole, Encoder } from '../encoder.ts';
import { EncoderError } from '../errors.ts';
import { fingerprintOf } from '../fingerprint.ts';
import { countsAsVector, countTerms } from '../term-counts.ts';
import { TokenizerVocabulary } from '../tokenizer-vocabulary.ts';
import { luceneLength } from './lucene-norms.ts';
import type { Bm25Stats } from './stats.ts';
import { averageDocumentLength, bm25StatsHash } from './stats.ts';
import { encodeBm25Stats } from './stats-codec.ts';

export const BM25_DEFAULTS = { k1: 0.9, b: 0.4, luceneNorms: false } as const;
export const BM25_STATS_ASSET = 'bm25-stats.msgpack';

export interface Bm25EncoderOptions {
  readonly tokenizer: Tokenizer;
  /** Corpus statistics; required to encode documents. */
  readonly stats?: Bm25Stats;
  /** `bm25StatsHash` of the statistics, when building a query-only encoder without them. */
  readonly statsHash?: string;
  readonly k1?: number;
  readonly b?: number;
  readonly luceneNorms?: boolean;
}

export class Bm25Encoder extends TokenizerVocabulary implements Encoder {
  readonly name = 'bm25';
  readonly fingerprint: string;
  readonly k1: number;
  readonly b: number;
  readonly luceneNorms: boolean;
  readonly statsHash: string;
  private readonly stats: Bm25Stats | undefined;
  /** idf per term id, computed once (Float64 so weights round to float32 only once). */
  private readonly idf: Float64Array | undefined;
  private readonly avgdl: number;

  constructor(options: Bm25EncoderOptions) {
    super(options.tokenizer);
    this.k1 = options.k1 ?? BM25_DEFAULTS.k1;
    this.b = options.b ?? BM25_DEFAULTS.b;
    this.luceneNorms = options.luceneNorms ?? BM25_DEFAULTS.luceneNorms;
    if (!(this.k1 >= 0 && Number.isFinite(this.k1)))
      throw invalid(`k1 must be a finite number ≥ 0, got ${this.k1}`);
    if (!(this.b >= 0 && this.b <= 1)) throw invalid(`b must be in [0, 1], got ${this.b}`);
    this.stats = options.stats;
    if (options.stats) {
      checkStatsFitTokenizer(options.stats, options.tokenizer);
      const hash = bm25StatsHash(options.stats);
      if (options.statsHash !== undefined && options.statsHash !== hash) {
        throw new EncoderError(
          'fingerprint_mismatch',
          `BM25 statistics hash ${hash} differs from the expected ${options.statsHash}`,
        );
      }
      this.statsHash = hash;
      this.idf = computeIdf(options.stats);
      this.avgdl = averageDocumentLength(options.stats);
    } else if (options.statsHash !== undefined) {
      this.statsHash = options.statsHash;
      this.avgdl = 0;
    } else {
      throw invalid('needs corpus statistics (stats) or, for a query-only encoder, their statsHash');
    }
    this.fingerprint = fingerprintOf({
      encoder: 'bm25',
      formatVersion: 1,
      tokenizer: this.tokenizer.name,
      k1: this.k1,
      b: this.b,
      luceneNorms: this.luceneNorms,
      stats: this.statsHash,
    });
  }

  async encode(texts: readonly string[], role: EncodeRole): Promise<SparseVector[]> {
    return texts.map((text) => this.encodeOne(text, role));
  }

  /** Synchronous form of `encode` for one text (the batch job's hot loop). */
  encodeOne(text: string, role: EncodeRole): SparseVector {
    const ids = this.tokenizer.encode(text).ids;
    return role === 'query' ? countsAsVector(countTerms(ids)) : this.documentVector(ids);
  }

  /** BM25 document vector of an already-tokenized document. */
  documentVector(ids: Uint32Array): SparseVector {
    const idf = this.idf;
    if (!idf) {
      throw new EncoderError(
        'unsupported_role',
        'this BM25 encoder was built without corpus statistics: it encodes queries only',
      );
    }
    const { terms, counts } = countTerms(ids);
    const length = this.luceneNorms ? luceneLength(ids.length) : ids.length;
    const lengthNorm = this.k1 * (1 - this.b + (this.b * length) / this.avgdl);
    const weights = new Float32Array(terms.length);
    for (let i = 0; i < terms.length; i++) {
      const tf = counts[i];
      weights[i] = (idf[terms[i]] * tf) / (tf + lengthNorm);
    }
    return { terms, weights };
  }

  describe(): EncoderDescription {
    const tokenizer = describeTokenizer(this.tokenizer);
    const config: EncoderConfig = {
      name: 'bm25',
      tokenizer: tokenizer.ref,
      k1: this.k1,
      b: this.b,
      luceneNorms: this.luceneNorms,
      statsAsset: BM25_STATS_ASSET,
      statsHash: this.statsHash,
    };
    const assets: Record<string, Uint8Array> = { ...tokenizer.assets };
    if (this.stats) assets[BM25_STATS_ASSET] = encodeBm25Stats(this.stats);
    return { config, assets };
  }
}

function computeIdf(stats: Bm25Stats): Float64Array {
  const idf = new Float64Array(stats.vocabSize);
  const n = stats.docCount;
  for (let term = 0; term < idf.length; term++) {
    const df = stats.df[term];
    idf[term] = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }
  return idf;
}

function checkStatsFitTokenizer(stats: Bm25Stats, tokenizer: Tokenizer): void {
  if (stats.tokenizer !== tokenizer.name || stats.vocabSize !== tokenizer.vocabSize) {
    throw new EncoderError(
      'invalid_bm25_stats',
      `BM25 statistics were counted with tokenizer ${stats.tokenizer} (${stats.vocabSize} ids), not ${tokenizer.name} (${tokenizer.vocabSize} ids)`,
    );
  }
  if (stats.docCount === 0 || stats.totalTokens === 0) {
    throw new EncoderError(
      'invalid_bm25_stats',
      'BM25 statistics hold no documents or no tokens: avgdl is undefined',
    );
  }
}

function invalid(what: string): EncoderError {
  return new EncoderError('invalid_encoder_config', `bm25 encoder: ${what}`);
}
