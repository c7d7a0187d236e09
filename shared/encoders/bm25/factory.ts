/**
 * Registry factory for "bm25": rebuilds a `Bm25Encoder` from its manifest config. With the
 * statistics asset present it encodes documents and queries; without it (the edge, which only
 * encodes queries) it is built from `statsHash` alone and keeps the same fingerprint.
 */
import type { EncoderConfig, EncoderContext } from '../config.ts';
import { numberParameter, resolveTokenizer } from '../config.ts';
import { EncoderError } from '../errors.ts';
import { BM25_DEFAULTS, BM25_STATS_ASSET, Bm25Encoder } from './bm25-encoder.ts';
import { decodeBm25Stats } from './stats-codec.ts';

export async function createBm25Encoder(
  config: EncoderConfig,
  context: EncoderContext,
): Promise<Bm25Encoder> {
  const tokenizer = await resolveTokenizer(config.tokenizer, context, 'bm25');
  const k1 = numberParameter(config, 'k1', BM25_DEFAULTS.k1, (v) => v >= 0, 'a number ≥ 0');
  const b = numberParameter(config, 'b', BM25_DEFAULTS.b, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  const luceneNorms = config.luceneNorms ?? BM25_DEFAULTS.luceneNorms;
  if (typeof luceneNorms !== 'boolean') {
    throw new EncoderError('invalid_encoder_config', `bm25 encoder: "luceneNorms" must be a boolean`);
  }
  const statsAsset = config.statsAsset ?? BM25_STATS_ASSET;
  if (typeof statsAsset !== 'string') {
    throw new EncoderError('invalid_encoder_config', `bm25 encoder: "statsAsset" must be an asset name`);
  }
  const statsHash = config.statsHash;
  if (statsHash !== undefined && typeof statsHash !== 'string') {
    throw new EncoderError('invalid_encoder_config', `bm25 encoder: "statsHash" must be a string`);
  }
  const statsBytes = context.assets?.[statsAsset];
  if (!statsBytes && statsHash === undefined) {
    throw new EncoderError(
      'missing_asset',
      `bm25 encoder needs its statistics asset "${statsAsset}" (or "statsHash" for a query-only encoder)`,
    );
  }
  const stats = statsBytes ? decodeBm25Stats(statsBytes) : undefined;
  return new Bm25Encoder({ tokenizer, stats, statsHash, k1, b, luceneNorms });
}
