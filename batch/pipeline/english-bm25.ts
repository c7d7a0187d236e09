/**
 * BM25 over the Lucene English analyzer (shared/tokenizers/english/): the corpus's own stemmed words are
 * the vocabulary, so term ids are made here rather than read from a model's vocabulary.
 *   - Encoding: each document's terms get ids from this process's TermDictionary (first seen, first
 *     numbered); the cached term counts name terms by those ids and the encoding cache stores the strings
 *     beside them (`openVocabulary`), since another process numbers differently.
 *   - Building: every cached vector comes back with ids of this process; `prepare` counts document
 *     frequencies, keeps the terms some document of the version has, sorts them (the version's
 *     vocabulary, shipped as an asset: the edge analyzes queries with it) and renumbers terms by their
 *     rank, then weights documents with the same Bm25Encoder the flat-wp variant uses.
 * The cache fingerprint names the analyzer (and its version), not a vocabulary: counts of unchanged text
 * stay valid whatever else the corpus holds.
 */
import { BM25_DEFAULTS, Bm25Encoder } from '../../shared/encoders/bm25/bm25-encoder.ts';
import type { Bm25Stats } from '../../shared/encoders/bm25/stats.ts';
import { fingerprintOf } from '../../shared/encoders/fingerprint.ts';
import { countTerms } from '../../shared/encoders/term-counts.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import { analyzeEnglish, ENGLISH_ANALYZER_VERSION } from '../../shared/tokenizers/english/analyzer.ts';
import { EnglishTokenizer } from '../../shared/tokenizers/english/tokenizer.ts';
import { SortedTerms, TermDictionary } from '../../shared/tokenizers/term-dictionary.ts';
import {
  type Bm25Parameters,
  type CachedScan,
  type DocumentEncoder,
  type Finalizer,
  idsOfCounts,
} from './document-encoder.ts';

export class EnglishBm25DocumentEncoder implements DocumentEncoder {
  readonly name = 'bm25';
  readonly input = 'text';
  readonly label: string;
  readonly spec: Record<string, unknown>;
  readonly cacheFingerprint: string;
  readonly openVocabulary = new TermDictionary();
  readonly #parameters: Bm25Parameters;

  constructor(parameters: Bm25Parameters = {}) {
    this.#parameters = parameters;
    // Defaults spelled out, so workers given the same settings differently record the same spec.
    this.spec = {
      kind: 'bm25',
      analyzer: 'english',
      k1: parameters.k1 ?? BM25_DEFAULTS.k1,
      b: parameters.b ?? BM25_DEFAULTS.b,
      luceneNorms: parameters.luceneNorms ?? BM25_DEFAULTS.luceneNorms,
    };
    this.cacheFingerprint = fingerprintOf({
      stage: 'term-counts',
      formatVersion: 1,
      analyzer: 'english',
      analyzerVersion: ENGLISH_ANALYZER_VERSION,
    });
    this.label = `bm25 (english analyzer, k1 ${this.spec.k1}, b ${this.spec.b}${this.spec.luceneNorms ? ', Lucene norms' : ''})`;
  }

  /** Grows with the corpus; the version's vocabulary is known only after `prepare`. */
  get vocabSize(): number {
    return this.openVocabulary.size;
  }

  async encodeDocuments(texts: readonly string[]) {
    let tokens = 0;
    const vectors = texts.map((text) => {
      const terms = analyzeEnglish(text);
      tokens += terms.length;
      const ids = Uint32Array.from(terms, (term) => this.openVocabulary.intern(term));
      const { terms: distinct, counts } = countTerms(ids);
      return { terms: distinct, weights: Float32Array.from(counts) };
    });
    return { vectors, tokens };
  }

  async prepare(scan: CachedScan): Promise<Finalizer> {
    let df = new Uint32Array(1024);
    let docCount = 0;
    let totalTokens = 0;
    await scan((v) => {
      docCount++;
      for (let i = 0; i < v.terms.length; i++) {
        const term = v.terms[i];
        if (term >= df.length) {
          const grown = new Uint32Array(Math.max(term + 1, 2 * df.length));
          grown.set(df);
          df = grown;
        }
        df[term]++;
        totalTokens += v.weights[i];
      }
    });
    // The version's vocabulary: terms some document has, sorted; a term's new id is its rank.
    const used: number[] = [];
    for (let id = 0; id < df.length; id++) if (df[id] > 0) used.push(id);
    const vocabulary = SortedTerms.of(used.map((id) => this.openVocabulary.termOf(id)));
    const remap = new Uint32Array(df.length);
    const finalDf = new Uint32Array(vocabulary.size);
    for (const id of used) {
      const rank = vocabulary.idOf(this.openVocabulary.termOf(id))!;
      remap[id] = rank;
      finalDf[rank] = df[id];
    }
    const tokenizer = new EnglishTokenizer(vocabulary);
    const stats: Bm25Stats = {
      tokenizer: tokenizer.name,
      vocabSize: vocabulary.size,
      docCount,
      totalTokens,
      df: finalDf,
    };
    const { k1, b, luceneNorms } = this.#parameters;
    const encoder = new Bm25Encoder({ tokenizer, stats, k1, b, luceneNorms });
    return {
      transform: (v: SparseVector) => encoder.documentVector(idsOfCounts(v, remap)),
      description: encoder.describe(),
      fingerprint: encoder.fingerprint,
      vocabSize: vocabulary.size,
    };
  }

  async close(): Promise<void> {}
}
