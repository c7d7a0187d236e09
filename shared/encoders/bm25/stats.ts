/**
 * Corpus statistics for BM25, gathered in a first pass over the documents: N (documents), the
 * total number of tokens (so avgdl = totalTokens / N, document length counted in tokens, as
 * Lucene's sumTotalTermFreq / docCount) and df per vocabulary term. Memory is O(vocabulary), not
 * O(corpus): texts can be streamed through `add`. Partial statistics from parallel workers combine
 * with `addStats`, so an array job can gather them shard by shard.
 */
import type { Tokenizer } from '../../tokenizers/tokenizer.ts';
import { EncoderError } from '../errors.ts';
import { Fnv1a64 } from '../fingerprint.ts';

export interface Bm25Stats {
  /** Name of the tokenizer the statistics were counted with. */
  readonly tokenizer: string;
  readonly vocabSize: number;
  readonly docCount: number;
  /** Sum of document lengths in tokens. */
  readonly totalTokens: number;
  /** Document frequency per term id; length = vocabSize. */
  readonly df: Uint32Array;
}

export class Bm25StatsBuilder {
  private readonly df: Uint32Array;
  /** lastSeen[t] = 1 + ordinal of the last document that contained t: counts df without sorting. */
  private readonly lastSeen: Uint32Array;
  private docCount = 0;
  private totalTokens = 0;

  constructor(private readonly tokenizer: Tokenizer) {
    this.df = new Uint32Array(tokenizer.vocabSize);
    this.lastSeen = new Uint32Array(tokenizer.vocabSize);
  }

  /** Counts one document (tokenized without special tokens, as the BM25 encoder does). */
  add(text: string): this {
    return this.addTokens(this.tokenizer.encode(text).ids);
  }

  /** Counts one already-tokenized document. */
  addTokens(ids: Uint32Array): this {
    const stamp = ++this.docCount;
    this.totalTokens += ids.length;
    for (let i = 0; i < ids.length; i++) {
      const term = ids[i];
      if (term >= this.df.length) {
        throw new EncoderError(
          'invalid_bm25_stats',
          `token id ${term} is outside the ${this.tokenizer.name} vocabulary (${this.df.length})`,
        );
      }
      if (this.lastSeen[term] !== stamp) {
        this.lastSeen[term] = stamp;
        this.df[term]++;
      }
    }
    return this;
  }

  /** Adds statistics gathered elsewhere (another worker, another shard) over the same tokenizer. */
  addStats(other: Bm25Stats): this {
    if (other.tokenizer !== this.tokenizer.name || other.vocabSize !== this.df.length) {
      throw new EncoderError(
        'invalid_bm25_stats',
        `cannot merge BM25 statistics of tokenizer ${other.tokenizer} (${other.vocabSize} ids) into ${this.tokenizer.name} (${this.df.length} ids)`,
      );
    }
    // Later `addTokens` calls keep working: stamps only ever grow, and these documents are past.
    this.docCount += other.docCount;
    this.totalTokens += other.totalTokens;
    for (let term = 0; term < this.df.length; term++) this.df[term] += other.df[term];
    return this;
  }

  build(): Bm25Stats {
    return {
      tokenizer: this.tokenizer.name,
      vocabSize: this.df.length,
      docCount: this.docCount,
      totalTokens: this.totalTokens,
      df: this.df.slice(),
    };
  }
}

/** Average document length in tokens. */
export function averageDocumentLength(stats: Bm25Stats): number {
  return stats.docCount === 0 ? 0 : stats.totalTokens / stats.docCount;
}

/** 16 hex digits identifying the statistics' content (part of the BM25 fingerprint). */
export function bm25StatsHash(stats: Bm25Stats): string {
  const hash = new Fnv1a64().updateString(
    JSON.stringify([stats.tokenizer, stats.vocabSize, stats.docCount, stats.totalTokens]),
  );
  const littleEndian = new Uint8Array(stats.df.length * 4);
  const view = new DataView(littleEndian.buffer);
  for (let term = 0; term < stats.df.length; term++) view.setUint32(term * 4, stats.df[term], true);
  return hash.update(littleEndian).hex();
}
