/**
 * The vocabulary half of an Encoder whose term ids are its tokenizer's ids (BM25, weight-table, ONNX): the
 * vocabulary size, the token of a term id and the term id of a token are all the tokenizer's. Such an
 * encoder extends this and adds only how it encodes.
 */
import type { Tokenizer } from '../tokenizers/tokenizer.ts';

export abstract class TokenizerVocabulary {
  readonly vocabSize: number;

  constructor(readonly tokenizer: Tokenizer) {
    this.vocabSize = tokenizer.vocabSize;
  }

  /** Token string of a term id, for explanations. */
  tokenOf(termId: number): string {
    return this.tokenizer.tokenOf(termId);
  }

  /** Term id of a vocabulary token; undefined for a token outside the vocabulary. */
  idOf(token: string): number | undefined {
    return this.tokenizer.idOf(token);
  }
}
