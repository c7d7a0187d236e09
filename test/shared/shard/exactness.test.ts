/**
 * End-to-end exactness: quantize float vectors, write a shard, open it, load the query's postings,
 * score every document exhaustively from the decoded postings, and compare with dot products
 * computed directly from the quantized vectors (integer scores must be equal, not close); then run
 * every top-k algorithm of the engine registry on the loaded postings against the same reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getAlgorithm, listAlgorithms } from '../../../shared/engine/registry.ts';
import { bytesSource } from '../../../shared/io/byte-source.ts';
import { openShard, writeShard } from '../../../shared/shard/index.ts';
import {
  dequantizeScore,
  impactScale,
  maxWeightOf,
  quantizeQuery,
  quantizeVector,
} from '../../../shared/sparse/quantize.ts';
import type { QuantizedVector, SparseVector } from '../../../shared/sparse/types.ts';

const floatVector = (vocab: number) =>
  fc
    .uniqueArray(fc.tuple(fc.nat(vocab - 1), fc.float({ min: Math.fround(0.01), max: 5, noNaN: true })), {
      selector: (e) => e[0],
      maxLength: 25,
    })
    .map((entries): SparseVector => {
      entries.sort((a, b) => a[0] - b[0]);
      return {
        terms: Uint32Array.from(entries.map((e) => e[0])),
        weights: Float32Array.from(entries.map((e) => e[1])),
      };
    });

function dot(a: QuantizedVector, b: QuantizedVector): number {
  let s = 0;
  for (let i = 0, j = 0; i < a.terms.length && j < b.terms.length; ) {
    if (a.terms[i] === b.terms[j]) s += a.impacts[i++] * b.impacts[j++];
    else if (a.terms[i] < b.terms[j]) i++;
    else j++;
  }
  return s;
}

describe('shard exactness', () => {
  it('scoring over loaded postings equals direct dot products, for every engine algorithm', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 16 }),
        fc.array(floatVector(200), { minLength: 1, maxLength: 80 }),
        floatVector(200),
        async (bits, docs, query) => {
          const maxWeight = maxWeightOf(docs);
          fc.pre(maxWeight > 0);
          const indexScale = impactScale(maxWeight, bits);
          const vectors = docs.map((d) => quantizeVector(d, indexScale, bits));
          const { bytes } = writeShard({
            shardName: 'exact',
            docBase: 0,
            impactBits: bits,
            indexScale,
            vectors,
            externalIds: vectors.map((_, d) => `d${d}`),
          });
          const shard = await openShard(bytesSource('exact', bytes));
          const { vector: q, scale: queryScale } = quantizeQuery(query, bits);
          const postings = await shard.loadPostings(q.terms);
          const scores = new Float64Array(shard.numDocs);
          for (let i = 0; i < q.terms.length; i++) {
            const list = postings.get(q.terms[i]);
            if (!list) continue;
            const { docs: ds, impacts } = list.decodeAll();
            for (let p = 0; p < ds.length; p++) scores[ds[p]] += impacts[p] * q.impacts[i];
          }
          for (let d = 0; d < vectors.length; d++) {
            expect(scores[d]).toBe(dot(vectors[d], q));
          }
          // Every registered top-k algorithm over the shard's postings: same docs, same scores.
          const k = 10;
          const reference = [...scores.keys()]
            .filter((d) => scores[d] > 0)
            .sort((a, b) => scores[b] - scores[a] || a - b)
            .slice(0, k);
          const terms = [...q.terms]
            .map((term, i) => ({ term, weight: q.impacts[i], postings: postings.get(term)! }))
            .filter((t) => t.postings !== undefined);
          for (const name of listAlgorithms()) {
            const result = getAlgorithm(name).search({ numDocs: shard.numDocs, terms, k });
            expect(Array.from(result.docs), name).toEqual(reference);
            expect(Array.from(result.scores), name).toEqual(reference.map((d) => scores[d]));
          }
          // The score shown to users comes from the stored scale.
          expect(dequantizeScore(scores[0], shard.stats.indexScale, queryScale)).toBe(
            dot(vectors[0], q) * indexScale * queryScale,
          );
        },
      ),
      { numRuns: 80 },
    );
  });
});
