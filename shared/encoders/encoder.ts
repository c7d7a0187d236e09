/**
 * The Encoder seam: text in, sparse vectors out. Used by batch (documents), edge (queries) and eval.
 *
 * `fingerprint` changes whenever the output for the same input would change (model bytes,
 * tokenizer, templates, pruning, corpus statistics for BM25, ...). The batch job keys its
 * encoding cache on (fingerprint, content hash), and the manifest records it so the edge
 * encodes queries with the encoder the index was built with.
 */
import type { SparseVector } from '../sparse/types.ts';
import type { EncoderDescription } from './config.ts';

export type EncodeRole = 'query' | 'document';

export interface Encoder {
  /** Registry name, e.g. "bm25", "onnx", "weight-table", "precomputed". */
  readonly name: string;
  /** Stable hash of everything that determines the output. */
  readonly fingerprint: string;
  /** Vocabulary size (term ids are in [0, vocabSize)). */
  readonly vocabSize: number;
  /** Token string of a term id, for explanations. */
  tokenOf(termId: number): string;
  /**
   * Term id of a vocabulary token (the inverse of tokenOf), so callers can accept vectors keyed by
   * token strings (e.g. exported SPLADE vectors); undefined for a token outside the vocabulary.
   */
  idOf(token: string): number | undefined;
  encode(texts: readonly string[], role: EncodeRole): Promise<SparseVector[]>;
  /**
   * The JSON config (for the manifest) and asset bytes (for the index's assets/ folder) from which
   * `createEncoder(config, { assets })` rebuilds this encoder with the same fingerprint.
   */
  describe?(): EncoderDescription;
  /** Releases sessions / worker threads. */
  close?(): Promise<void>;
}
