/**
 * The unquantized in-process path: encode every corpus document with an `Encoder`, keep the float
 * vectors in a `FloatInvertedIndex`, and answer queries by exact float dot products. It shares the
 * corpus reader and the encoder input (title + newline + text) with the batch pipeline, so the only
 * difference from the published index is quantization (and any pruning the index applied).
 */
import type { Encoder } from '../../shared/encoders/encoder.ts';
import type { ScoredDoc } from '../../shared/eval/types.ts';
import { FloatInvertedIndex } from './float-index.ts';
import type { Searcher } from './searcher.ts';

export interface EncodedCorpus {
  readonly ids: readonly string[];
  readonly texts: readonly string[];
}

/** Builds the float index of `corpus` in batches of `batchSize` documents. */
export async function buildFloatIndex(
  encoder: Encoder,
  corpus: EncodedCorpus,
  batchSize = 256,
): Promise<FloatInvertedIndex> {
  const vectors = [];
  for (let i = 0; i < corpus.texts.length; i += batchSize) {
    vectors.push(...(await encoder.encode(corpus.texts.slice(i, i + batchSize), 'document')));
  }
  return new FloatInvertedIndex(corpus.ids, vectors);
}

export function createFloatSearcher(
  encoder: Encoder,
  index: FloatInvertedIndex,
  description: string,
): Searcher {
  return {
    description,
    async search(query: string, k: number): Promise<ScoredDoc[]> {
      const [vector] = await encoder.encode([query], 'query');
      return index.search(vector, k);
    },
  };
}
