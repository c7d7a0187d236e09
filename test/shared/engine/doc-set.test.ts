import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  complement,
  countDocs,
  countDocsIn,
  docSetOf,
  docsOf,
  fullDocSet,
  hasDoc,
  intersect,
  union,
} from '../../../shared/engine/doc-set.ts';

const setArb = fc
  .integer({ min: 0, max: 300 })
  .chain((numDocs) =>
    fc.tuple(
      fc.constant(numDocs),
      fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, numDocs - 1) }), { maxLength: numDocs }),
      fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, numDocs - 1) }), { maxLength: numDocs }),
    ),
  )
  .map(([numDocs, a, b]) => ({ numDocs, a: numDocs === 0 ? [] : a, b: numDocs === 0 ? [] : b }));

describe('doc sets', () => {
  it('agree with plain sets of numbers for membership, counts, and / or / not', () => {
    fc.assert(
      fc.property(setArb, ({ numDocs, a, b }) => {
        const sa = docSetOf(a, numDocs);
        const sb = docSetOf(b, numDocs);
        const A = new Set(a);
        const B = new Set(b);
        const all = Array.from({ length: numDocs }, (_, d) => d);
        expect(all.filter((d) => hasDoc(sa, d))).toEqual([...A].sort((x, y) => x - y));
        expect(Array.from(docsOf(sa))).toEqual([...A].sort((x, y) => x - y));
        expect(countDocs(sa)).toBe(A.size);
        expect(countDocs(intersect(sa, sb))).toBe(all.filter((d) => A.has(d) && B.has(d)).length);
        expect(countDocs(union(sa, sb))).toBe(all.filter((d) => A.has(d) || B.has(d)).length);
        expect(Array.from(docsOf(complement(sa, numDocs)))).toEqual(all.filter((d) => !A.has(d)));
        const from = Math.floor(numDocs / 3);
        const to = Math.floor((2 * numDocs) / 3) + 1;
        expect(countDocsIn(sa, from, Math.min(to, numDocs))).toBe(
          all.filter((d) => d >= from && d < Math.min(to, numDocs) && A.has(d)).length,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('a full set holds exactly numDocs documents', () => {
    for (const n of [0, 1, 31, 32, 33, 100]) expect(countDocs(fullDocSet(n))).toBe(n);
  });
});
