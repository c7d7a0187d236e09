/**
 * Test helpers for shard tests: a fast-check arbitrary of random corpora (vectors, external ids of
 * every doc-map kind, optional stored fields) and a naive inversion that serves as the expected
 * value for what a reader must return.
 */
import fc from 'fast-check';
import type { StoredFields, WriteShardInput } from '../../../shared/shard/index.ts';
import type { QuantizedVector } from '../../../shared/sparse/types.ts';

export interface Corpus {
  readonly impactBits: number;
  readonly vectors: QuantizedVector[];
  readonly externalIds: string[];
  readonly storedFields?: (StoredFields | undefined)[];
}

const idShapes = (n: number): fc.Arbitrary<string[]> =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom('', 'doc', 'msmarco-'), fc.nat(1000))
      .map(([p, first]) => Array.from({ length: n }, (_, i) => `${p}${first + i}`)),
    fc
      .uniqueArray(fc.nat(0xffffffff), { minLength: n, maxLength: n })
      .map((values) => values.map((v) => `d${v}`)),
    fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: n, maxLength: n }),
  );

const storedFieldsArb: fc.Arbitrary<StoredFields | undefined> = fc.option(
  fc.record(
    {
      title: fc.string({ unit: 'grapheme', maxLength: 20 }),
      url: fc.webUrl(),
      // Through JSON so that -0 and undefined members don't make equal values compare unequal;
      // "__proto__" keys are refused by the writer (tested in stored-fields.test.ts).
      metadata: fc
        .jsonValue({ maxDepth: 2 })
        .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
        .filter((v) => !JSON.stringify(v).includes('"__proto__"')),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

export const corpusArb: fc.Arbitrary<Corpus> = fc
  .record({
    numDocs: fc.nat(60),
    vocab: fc.integer({ min: 1, max: 3000 }),
    impactBits: fc.integer({ min: 1, max: 16 }),
    withStored: fc.boolean(),
  })
  .chain(({ numDocs, vocab, impactBits, withStored }) =>
    fc.record({
      impactBits: fc.constant(impactBits),
      vectors: fc.array(vectorArb(vocab, impactBits), { minLength: numDocs, maxLength: numDocs }),
      externalIds: idShapes(numDocs),
      storedFields: withStored
        ? fc.array(storedFieldsArb, { minLength: numDocs, maxLength: numDocs })
        : fc.constant(undefined),
    }),
  );

export function vectorArb(vocab: number, impactBits: number): fc.Arbitrary<QuantizedVector> {
  return fc
    .uniqueArray(fc.tuple(fc.nat(vocab - 1), fc.integer({ min: 1, max: 2 ** impactBits - 1 })), {
      selector: (e) => e[0],
      maxLength: 30,
    })
    .map((entries) => {
      entries.sort((a, b) => a[0] - b[0]);
      return {
        terms: Uint32Array.from(entries.map((e) => e[0])),
        impacts: Uint16Array.from(entries.map((e) => e[1])),
      };
    });
}

export function shardInput(corpus: Corpus, name = 'test-shard', docBase = 0): WriteShardInput {
  return {
    shardName: name,
    docBase,
    impactBits: corpus.impactBits,
    indexScale: 0.125,
    vectors: corpus.vectors,
    externalIds: corpus.externalIds,
    storedFields: corpus.storedFields,
    build: { tool: 'test' },
  };
}

/** Expected postings: term → parallel arrays of docs and impacts, by naive inversion. */
export function naiveInvert(
  vectors: readonly QuantizedVector[],
): Map<number, { docs: number[]; impacts: number[] }> {
  const out = new Map<number, { docs: number[]; impacts: number[] }>();
  vectors.forEach((v, d) => {
    for (let i = 0; i < v.terms.length; i++) {
      let list = out.get(v.terms[i]);
      if (!list) out.set(v.terms[i], (list = { docs: [], impacts: [] }));
      list.docs.push(d);
      list.impacts.push(v.impacts[i]);
    }
  });
  return out;
}
