/**
 * The English analyzer as a `Tokenizer` over one index version's vocabulary (`SortedTerms`): text →
 * analyzed terms → their ids; terms the vocabulary lacks are dropped (no document has them, so they
 * could not match). Its name carries a hash of the vocabulary, so BM25 fingerprints tell two versions'
 * term ids apart and the edge refuses a query side built for another vocabulary.
 */
import { Fnv1a64 } from '../../encoders/fingerprint.ts';
import { SortedTerms } from '../term-dictionary.ts';
import type { Tokenization, Tokenizer } from '../tokenizer.ts';
import { analyzeEnglish, ENGLISH_ANALYZER_VERSION } from './analyzer.ts';

/** Asset name of the vocabulary in an index version. */
export const ENGLISH_TERMS_ASSET = 'english-terms.txt';

export class EnglishTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly vocabulary: SortedTerms;

  constructor(vocabulary: SortedTerms) {
    this.vocabulary = vocabulary;
    this.vocabSize = vocabulary.size;
    const hash = new Fnv1a64().update(vocabulary.toBytes()).hex();
    this.name = `english-v${ENGLISH_ANALYZER_VERSION}:${hash}`;
  }

  static fromAsset(bytes: Uint8Array): EnglishTokenizer {
    return new EnglishTokenizer(SortedTerms.fromBytes(bytes));
  }

  encode(text: string): Tokenization {
    const terms = analyzeEnglish(text);
    const ids = new Uint32Array(terms.length);
    let n = 0;
    for (const term of terms) {
      const id = this.vocabulary.idOf(term);
      if (id !== undefined) ids[n++] = id;
    }
    return { ids: ids.subarray(0, n) };
  }

  tokenOf(id: number): string {
    return this.vocabulary.termOf(id);
  }

  idOf(token: string): number | undefined {
    return this.vocabulary.idOf(token);
  }
}
