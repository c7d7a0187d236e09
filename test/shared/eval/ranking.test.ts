import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateDocumentError, EvalInputError } from '../../../shared/eval/errors.ts';
import { compareIdBytes, rankForTrecEval } from '../../../shared/eval/ranking.ts';

const ids = (docs: { docId: string }[]) => docs.map((d) => d.docId);

describe('rankForTrecEval', () => {
  it('sorts by score descending, whatever the input order', () => {
    const run = [
      { docId: 'a', score: 1 },
      { docId: 'b', score: 3 },
      { docId: 'c', score: 2 },
    ];
    expect(ids(rankForTrecEval('q', run))).toEqual(['b', 'c', 'a']);
  });

  it('breaks score ties by document id descending in byte order, as trec_eval does', () => {
    const run = ['10', '9', 'a', 'B'].map((docId) => ({ docId, score: 1 }));
    // bytes: 'a' (0x61) > 'B' (0x42) > '9' (0x39) > '10' (0x31 …)
    expect(ids(rankForTrecEval('q', run))).toEqual(['a', 'B', '9', '10']);
  });

  it('refuses a document ranked twice by default, names it, and can keep the best occurrence', () => {
    const run = [
      { docId: 'd', score: 1 },
      { docId: 'e', score: 2 },
      { docId: 'd', score: 5 },
    ];
    expect(() => rankForTrecEval('q7', run)).toThrow(DuplicateDocumentError);
    expect(() => rankForTrecEval('q7', run)).toThrow(/query "q7": document "d"/);
    const kept = rankForTrecEval('q7', run, { duplicates: 'keep-first' });
    expect(kept).toEqual([
      { docId: 'd', score: 5 },
      { docId: 'e', score: 2 },
    ]);
  });

  it('cuts at depth after sorting and rejects a bad depth or a NaN score', () => {
    const run = [3, 1, 2].map((score) => ({ docId: `d${score}`, score }));
    expect(ids(rankForTrecEval('q', run, { depth: 2 }))).toEqual(['d3', 'd2']);
    expect(() => rankForTrecEval('q', run, { depth: 0 })).toThrow(EvalInputError);
    expect(() => rankForTrecEval('q', [{ docId: 'x', score: Number.NaN }])).toThrow(/"x" has score NaN/);
  });
});

describe('compareIdBytes', () => {
  it('orders astral characters after U+E000–U+FFFF, as UTF-8 bytes do (JavaScript < does not)', () => {
    const astral = '\u{1F600}'; // F0 9F 98 80
    const fullwidth = '\uFF01'; // EF BC 81
    expect(astral < fullwidth).toBe(true);
    expect(compareIdBytes(astral, fullwidth)).toBeGreaterThan(0);
  });

  it('agrees with UTF-8 byte comparison on arbitrary strings', () => {
    const encoder = new TextEncoder();
    const byteCompare = (a: string, b: string) => {
      const x = encoder.encode(a);
      const y = encoder.encode(b);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    };
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareIdBytes(a, b))).toBe(Math.sign(byteCompare(a, b)));
      }),
    );
  });
});
