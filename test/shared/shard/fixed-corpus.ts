/**
 * Deterministic corpora for golden files and fuzzing: a seeded PRNG (mulberry32) so the same call
 * always yields the same documents, ids and stored fields on every machine and Node version.
 */

import { mulberry32 } from '../../../shared/random.ts';
import type { WriteShardInput } from '../../../shared/shard/index.ts';
import type { QuantizedVector } from '../../../shared/sparse/types.ts';

export interface FixedCorpusOptions {
  readonly seed: number;
  readonly numDocs: number;
  readonly vocab: number;
  readonly termsPerDoc: number;
  readonly impactBits: number;
  readonly ids: 'strings' | 'numeric' | 'sequential';
  readonly stored: boolean;
  readonly docBase?: number;
  readonly name?: string;
}

export function randomVectors(
  rand: () => number,
  numDocs: number,
  vocab: number,
  termsPerDoc: number,
  impactBits: number,
): QuantizedVector[] {
  const top = 2 ** impactBits - 1;
  const vectors: QuantizedVector[] = [];
  for (let d = 0; d < numDocs; d++) {
    const terms = new Set<number>();
    const want = 1 + Math.floor(rand() * termsPerDoc);
    // Skewed term choice (squared uniform) so some terms are common, as in real vocabularies.
    while (terms.size < Math.min(want, vocab)) terms.add(Math.floor(rand() * rand() * vocab));
    const sorted = Uint32Array.from([...terms].sort((a, b) => a - b));
    const impacts = Uint16Array.from(sorted, () => 1 + Math.floor(rand() * top));
    vectors.push({ terms: sorted, impacts });
  }
  return vectors;
}

export function fixedShardInput(o: FixedCorpusOptions): WriteShardInput {
  const rand = mulberry32(o.seed);
  const vectors = randomVectors(rand, o.numDocs, o.vocab, o.termsPerDoc, o.impactBits);
  const externalIds = vectors.map((_, d) =>
    o.ids === 'sequential'
      ? `doc${d}`
      : o.ids === 'numeric'
        ? `n${(d * 7919 + 13) % 100003}`
        : `id-${d}-é${'x'.repeat(d % 4)}`,
  );
  const storedFields = o.stored
    ? vectors.map((_, d) =>
        d % 3 === 2
          ? undefined
          : {
              title: `Title ${d}`,
              url: `https://example.org/${d}`,
              metadata: { d, tags: ['a', d % 2 === 0] },
            },
      )
    : undefined;
  return {
    shardName: o.name ?? `fixed-${o.seed}`,
    docBase: o.docBase ?? 0,
    impactBits: o.impactBits,
    indexScale: 3 / (2 ** o.impactBits - 1),
    vectors,
    externalIds,
    storedFields,
    build: { tool: 'csplade-test', seed: o.seed },
  };
}
