/**
 * What a set of document vectors costs as an index: quantize to `bits`-bit impacts with one scale
 * (as the batch job does) and write one real shard in memory with `writeShard`; its byte length is
 * the index size (postings, dictionary, doc map; no stored fields). Using the writer itself, not an
 * estimate, keeps the number honest when the postings format changes.
 */
import { writeShard } from '../../../shared/shard/writer.ts';
import { impactScale, maxWeightOf, quantizeVector } from '../../../shared/sparse/quantize.ts';
import type { SparseVector } from '../../../shared/sparse/types.ts';

export function shardBytes(ids: readonly string[], vectors: readonly SparseVector[], bits = 8): number {
  const maxWeight = maxWeightOf(vectors);
  if (maxWeight === 0) return 0;
  const scale = impactScale(maxWeight, bits);
  const shard = writeShard({
    shardName: 'model-report',
    docBase: 0,
    impactBits: bits,
    indexScale: scale,
    vectors: vectors.map((v) => quantizeVector(v, scale, bits)),
    externalIds: ids,
  });
  return shard.bytes.length;
}

/** Mean number of non-zero terms per vector. */
export function meanNonZeros(vectors: readonly SparseVector[]): number {
  if (vectors.length === 0) return 0;
  let sum = 0;
  for (const v of vectors) sum += v.terms.length;
  return sum / vectors.length;
}
