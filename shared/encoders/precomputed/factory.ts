/**
 * Registry factory for "precomputed": `{ name: 'precomputed', vocabulary, unknownTokens? }` where
 * `vocabulary` is a tokenizer ref ("bert-base-uncased", …) or `{ vocabAsset: "vocab.txt" }` naming
 * a one-token-per-line vocab file among the context's assets.
 */
import type { EncoderConfig, EncoderContext } from '../config.ts';
import { requireAsset, resolveTokenizer } from '../config.ts';
import { EncoderError } from '../errors.ts';
import { PrecomputedEncoder } from './precomputed-encoder.ts';
import { vocabularyFromText, vocabularyOfTokenizer } from './vocabulary.ts';

export async function createPrecomputedEncoder(
  config: EncoderConfig,
  context: EncoderContext,
): Promise<PrecomputedEncoder> {
  const unknownTokens = config.unknownTokens ?? 'error';
  if (unknownTokens !== 'error' && unknownTokens !== 'ignore') {
    throw new EncoderError(
      'invalid_encoder_config',
      `precomputed encoder: "unknownTokens" must be "error" or "ignore", got ${JSON.stringify(unknownTokens)}`,
    );
  }
  const vocabulary = config.vocabulary;
  if (typeof vocabulary === 'object' && vocabulary !== null && 'vocabAsset' in vocabulary) {
    const assetName = String((vocabulary as { vocabAsset: unknown }).vocabAsset);
    const vocabText = new TextDecoder().decode(requireAsset(context, assetName, 'precomputed'));
    return new PrecomputedEncoder({
      vocabulary: vocabularyFromText(vocabText),
      unknownTokens,
      source: { vocabText },
    });
  }
  const tokenizer = await resolveTokenizer(vocabulary, context, 'precomputed');
  return new PrecomputedEncoder({
    vocabulary: vocabularyOfTokenizer(tokenizer),
    unknownTokens,
    source: { tokenizer },
  });
}
