/**
 * Registry factory for "weight-table": `{ name: 'weight-table', tokenizer, weightsAsset? }`, the
 * table's bytes among the context's assets (default asset name "query-weights.cswt").
 */
import type { EncoderConfig, EncoderContext } from '../config.ts';
import { requireAsset, resolveTokenizer } from '../config.ts';
import { EncoderError } from '../errors.ts';
import { decodeWeightTable } from './weight-table.ts';
import { WEIGHT_TABLE_ASSET, WeightTableEncoder } from './weight-table-encoder.ts';

export async function createWeightTableEncoder(
  config: EncoderConfig,
  context: EncoderContext,
): Promise<WeightTableEncoder> {
  const tokenizer = await resolveTokenizer(config.tokenizer, context, 'weight-table');
  const assetName = config.weightsAsset ?? WEIGHT_TABLE_ASSET;
  if (typeof assetName !== 'string') {
    throw new EncoderError(
      'invalid_encoder_config',
      'weight-table encoder: "weightsAsset" must be an asset name',
    );
  }
  return new WeightTableEncoder(
    tokenizer,
    decodeWeightTable(requireAsset(context, assetName, 'weight-table')),
  );
}
