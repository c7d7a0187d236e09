import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../shared/io/byte-source.ts';
import { openShard, openShardSync, type ShardReader, writeShard } from '../../../shared/shard/index.ts';
import { type Corpus, corpusArb, naiveInvert, shardInput } from './corpus.ts';

function expectShardEquals(reader: ShardReader, corpus: Corpus, docBase: number): void {
  const expected = naiveInvert(corpus.vectors);
  expect(reader.numDocs).toBe(corpus.vectors.length);
  expect(reader.docBase).toBe(docBase);
  expect(reader.stats.numTerms).toBe(expected.size);
  expect(reader.stats.numPostings).toBe(corpus.vectors.reduce((s, v) => s + v.terms.length, 0));
  expect(reader.stats.impactBits).toBe(corpus.impactBits);
  expect(Array.from(reader.terms)).toEqual([...expected.keys()].sort((a, b) => a - b));
  for (const [term, list] of expected) {
    const info = reader.termInfo(term);
    expect(info?.df).toBe(list.docs.length);
    expect(info?.maxImpact).toBe(Math.max(...list.impacts));
  }
  expect(corpus.externalIds.map((_, d) => reader.externalId(d))).toEqual(corpus.externalIds);
}

describe('writeShard → openShard round trip', () => {
  it('reads back every posting list, external id and stored field (async, with and without hint)', async () => {
    await fc.assert(
      fc.asyncProperty(
        corpusArb,
        fc.nat(1_000_000),
        fc.constantFrom(0, 64, 1 << 20),
        async (corpus, docBase, gap) => {
          const written = writeShard(shardInput(corpus, 'rt', docBase));
          const source = bytesSource('rt', written.bytes);
          const hint = { hotOffset: written.hotRegion.offset, hotLength: written.hotRegion.length };
          for (const reader of [
            await openShard(source, undefined, { coalesceGap: gap, tailBytes: 64 }),
            await openShard(source, hint, { coalesceGap: gap }),
          ]) {
            expectShardEquals(reader, corpus, docBase);
            const expected = naiveInvert(corpus.vectors);
            const asked = [...expected.keys(), 1_000_000_000];
            const loaded = await reader.loadPostings(asked);
            expect(loaded.size).toBe(expected.size);
            for (const [term, list] of expected) {
              const got = loaded.get(term)!.decodeAll();
              expect(Array.from(got.docs)).toEqual(list.docs);
              expect(Array.from(got.impacts)).toEqual(list.impacts);
            }
            if (corpus.storedFields) {
              const docs = corpus.vectors.map((_, d) => d).reverse();
              const stored = await reader.storedFields(docs);
              stored.forEach((s, i) => {
                const d = docs[i];
                expect(s).toEqual({
                  localDoc: d,
                  externalId: corpus.externalIds[d],
                  ...corpus.storedFields![d],
                });
              });
            } else {
              expect(reader.hasStoredFields).toBe(false);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the same answers from the synchronous in-memory reader', () => {
    fc.assert(
      fc.property(corpusArb, (corpus) => {
        const written = writeShard(shardInput(corpus));
        const reader = openShardSync('mem', written.bytes);
        expectShardEquals(reader, corpus, 0);
        const expected = naiveInvert(corpus.vectors);
        const loaded = reader.postingsSync(expected.keys());
        for (const [term, list] of expected) {
          expect(Array.from(loaded.get(term)!.decodeAll().docs)).toEqual(list.docs);
        }
        if (corpus.storedFields) {
          const all = reader.storedFieldsSync(corpus.vectors.map((_, d) => d));
          expect(all).toEqual(
            all.map((_, d) => ({
              localDoc: d,
              externalId: corpus.externalIds[d],
              ...corpus.storedFields![d],
            })),
          );
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is deterministic: the same input gives the same bytes and checksum', () => {
    fc.assert(
      fc.property(corpusArb, (corpus) => {
        const a = writeShard(shardInput(corpus));
        const b = writeShard(shardInput(corpus));
        expect(b.checksum).toBe(a.checksum);
        expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
      }),
      { numRuns: 20 },
    );
  });
});
