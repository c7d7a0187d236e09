import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeAllPostingLists, invertDocuments } from '../../../shared/postings/invert.ts';
import { PostingList, PostingsInputError } from '../../../shared/postings/posting-list.ts';
import type { QuantizedVector } from '../../../shared/sparse/types.ts';

const VOCAB = 40;
const docsArb = fc.array(
  fc.uniqueArray(fc.integer({ min: 0, max: VOCAB - 1 }), { maxLength: 12 }).chain((terms) =>
    fc
      .array(fc.integer({ min: 1, max: 400 }), { minLength: terms.length, maxLength: terms.length })
      .map((imps): QuantizedVector => {
        const order = terms.map((_, i) => i).sort((a, b) => terms[a] - terms[b]);
        return {
          terms: Uint32Array.from(order, (i) => terms[i]),
          impacts: Uint16Array.from(order, (i) => imps[i]),
        };
      }),
  ),
  { maxLength: 60 },
);

describe('invertDocuments', () => {
  it('gives every term its (doc, impact) postings in doc order', () => {
    fc.assert(
      fc.property(docsArb, (documents) => {
        const inv = invertDocuments(documents, VOCAB);
        for (let t = 0; t < VOCAB; t++) {
          const expected: [number, number][] = [];
          documents.forEach((d, id) => {
            const i = d.terms.indexOf(t);
            if (i >= 0) expected.push([id, d.impacts[i]]);
          });
          const actual: [number, number][] = [];
          for (let p = inv.termStarts[t]; p < inv.termStarts[t + 1]; p++)
            actual.push([inv.docs[p], inv.impacts[p]]);
          expect(actual).toEqual(expected);
        }
      }),
    );
  });

  it('encodes every non-empty list so that it decodes to the same postings', () => {
    fc.assert(
      fc.property(docsArb, fc.integer({ min: 1, max: 9 }), (documents, blockSize) => {
        const inv = invertDocuments(documents, VOCAB);
        const encoded = encodeAllPostingLists(inv, { blockSize, rangeBlockBits: 2, rangeMaximaMinDf: 3 });
        let total = 0;
        encoded.terms.forEach((t, i) => {
          const list = PostingList.decode(encoded.blobs[i]);
          const all = list.decodeAll();
          expect(Array.from(all.docs)).toEqual(
            Array.from(inv.docs.subarray(inv.termStarts[t], inv.termStarts[t + 1])),
          );
          total += encoded.blobs[i].length;
        });
        expect(encoded.totalBytes).toBe(total);
        const nonEmpty = Array.from({ length: VOCAB }, (_, t) => t).filter(
          (t) => inv.termStarts[t + 1] > inv.termStarts[t],
        );
        expect(Array.from(encoded.terms)).toEqual(nonEmpty);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a term id outside the vocabulary', () => {
    const doc = { terms: Uint32Array.of(3, 50), impacts: Uint16Array.of(1, 1) };
    expect(() => invertDocuments([doc], 40)).toThrow(PostingsInputError);
    expect(() => invertDocuments([doc], 40)).toThrow(/term id 50 >= vocabulary size 40/);
  });
});
