/**
 * The "weight-table" encoder: inference-free query encoding for doc-only sparse models. A query
 * is tokenized (no special tokens), and each distinct token gets its weight from the table;
 * repeats do not add up (OpenSearch's doc-only queries are a set of tokens). Tokens whose weight is
 * 0 are dropped. Documents need the model this table came with, so the document role is refused.
 */
import type { SparseVector } from '../../sparse/types.ts';
import type { Tokenizer } from '../../tokenizers/tokenizer.ts';
import type { EncoderDescription } from '../config.ts';
import { describeTokenizer } from '../config.ts';
import type { EncodeRole, Encoder } from '../encoder.ts';
import { EncoderError } from '../errors.ts';
import { Fnv1a64, fingerprintOf } from '../fingerprint.ts';
import { countTerms, dropZeroWeights } from '../term-counts.ts';
import { TokenizerVocabulary } from '../tokenizer-vocabulary.ts';
import type { WeightTable } from './weight-table.ts';
import { checkWeightTableFits, encodeWeightTable } from './weight-table.ts';

export const WEIGHT_TABLE_ASSET = 'query-weights.cswt';

export class WeightTableEncoder extends TokenizerVocabulary implements Encoder {
  readonly name = 'weight-table';
  readonly fingerprint: string;

  constructor(
    tokenizer: Tokenizer,
    private readonly table: WeightTable,
  ) {
    super(tokenizer);
    checkWeightTableFits(table, tokenizer);
    const tableHash = new Fnv1a64()
      .update(new Uint8Array(table.weights.buffer, table.weights.byteOffset, table.weights.byteLength))
      .hex();
    this.fingerprint = fingerprintOf({
      encoder: 'weight-table',
      formatVersion: 1,
      tokenizer: tokenizer.name,
      weights: tableHash,
    });
  }

  async encode(texts: readonly string[], role: EncodeRole): Promise<SparseVector[]> {
    return texts.map((text) => this.encodeOne(text, role));
  }

  encodeOne(text: string, role: EncodeRole): SparseVector {
    if (role !== 'query') {
      throw new EncoderError(
        'unsupported_role',
        'the weight-table encoder encodes queries only; documents need the sparse model the table belongs to',
      );
    }
    const { terms } = countTerms(this.tokenizer.encode(text).ids);
    const weights = new Float32Array(terms.length);
    for (let i = 0; i < terms.length; i++) weights[i] = this.table.weights[terms[i]];
    return dropZeroWeights(terms, weights);
  }

  describe(): EncoderDescription {
    const tokenizer = describeTokenizer(this.tokenizer);
    return {
      config: { name: 'weight-table', tokenizer: tokenizer.ref, weightsAsset: WEIGHT_TABLE_ASSET },
      assets: { ...tokenizer.assets, [WEIGHT_TABLE_ASSET]: encodeWeightTable(this.table) },
    };
  }
}
