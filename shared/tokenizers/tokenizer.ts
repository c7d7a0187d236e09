/**
 * The Tokenizer seam. Implementations: BERT WordPiece (bert-base-uncased, 30,522), Llama 3 BPE
 * (128,256), any Hugging Face tokenizer.json from a local path. Token strings are kept so that
 * explanations can show vocabulary tokens instead of ids.
 */
export interface Tokenization {
  /** Vocabulary ids, without special tokens unless `addSpecialTokens` was asked for. */
  readonly ids: Uint32Array;
}

export interface Tokenizer {
  /** e.g. "bert-base-uncased", "llama3", "hf:<sha of tokenizer.json>" — part of encoder fingerprints. */
  readonly name: string;
  readonly vocabSize: number;
  encode(text: string, options?: { addSpecialTokens?: boolean }): Tokenization;
  /** The vocabulary string of an id (e.g. "##ing", "Ġthe"). */
  tokenOf(id: number): string;
  /** The id of a vocabulary string, or undefined. */
  idOf(token: string): number | undefined;
}
