/**
 * One corpus document after validation, and the two derived values the pipeline keys on: the text the
 * encoder sees (title and body, as BEIR evaluations of SPLADE encode them) and its content hash. The
 * content hash covers exactly the encoder's input, so a document whose url or metadata changed reuses its
 * cached vector while any change of title or text re-encodes it.
 */
import { type Hash64, hashString64 } from './hash64.ts';

export interface CorpusDocument {
  readonly id: string;
  readonly title?: string;
  readonly text: string;
  readonly url?: string;
  /**
   * The line's `metadata` as given, with the line's unknown fields joined to it (corpus/metadata.ts): a
   * JSON value stored with the document and returned by searches as `fields.metadata`.
   */
  readonly metadata?: unknown;
  /** A precomputed vector (JsonVectorCollection `"vector": {"token": weight}`), in vector input mode. */
  readonly vector?: Record<string, unknown>;
  /** 1-based line number in the corpus (after decompression). */
  readonly lineNumber: number;
  readonly idHash: Hash64;
}

/** The encoder's input: "title\ntext", the text alone, or for precomputed vectors `{"id", "vector"}`. */
export function encoderInput(doc: Pick<CorpusDocument, 'title' | 'text' | 'vector'>): string {
  // A JsonVectorCollection line as the precomputed encoder parses it; the id is a constant so that the
  // content hash (and the cache) depends on the vector alone.
  if (doc.vector) return JSON.stringify({ id: 'd', vector: doc.vector });
  return doc.title ? `${doc.title}\n${doc.text}` : doc.text;
}

export function contentHash(doc: Pick<CorpusDocument, 'title' | 'text' | 'vector'>): Hash64 {
  return hashString64(encoderInput(doc));
}
