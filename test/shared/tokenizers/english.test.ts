/**
 * The English analyzer piece by piece against what Lucene's chain (StandardTokenizer → possessive filter →
 * lower case → English stop words → Porter) does with the same text, the sorted term vocabulary and its
 * asset form, and the tokenizer the edge builds from that asset. The words must be the same in Node and
 * in workerd (whose ICU splits words differently from Node's): one check runs it inside the Workers runtime.
 */
import { describe, expect, it } from 'vitest';
import { analyzeEnglish, ENGLISH_STOP_WORDS } from '../../../shared/tokenizers/english/analyzer.ts';
import { EnglishTokenizer } from '../../../shared/tokenizers/english/tokenizer.ts';
import { MAX_TOKEN_LENGTH, words } from '../../../shared/tokenizers/english/word-breaks.ts';
import { SortedTerms, TermDictionary } from '../../../shared/tokenizers/term-dictionary.ts';
import { startWorkerdScript } from '../../helpers/workerd-script.ts';

const SAMPLE =
  "The U.S. patient's COVID-19 cells (3.5 mg/kg, 1,000 doses) weren't e.g. foo_bar 2020s — naïve café 日本 カタカナ!";

describe('word breaks (UAX #29, as Lucene StandardTokenizer)', () => {
  it("keeps letters joined by . and ' (U.S, weren't), numbers by . and , (3.5, 1,000), splits on hyphens and slashes", () => {
    expect(words(SAMPLE)).toEqual([
      'The',
      'U.S',
      "patient's",
      'COVID',
      '19',
      'cells',
      '3.5',
      'mg',
      'kg',
      '1,000',
      'doses',
      "weren't",
      'e.g',
      'foo_bar',
      '2020s',
      'naïve',
      'café',
      '日',
      '本',
      'カタカナ',
    ]);
  });

  it('keeps combining marks with their letter and drops punctuation-only runs', () => {
    expect(words('cafe\u0301 -- ... ___ !!')).toEqual(['cafe\u0301']);
    expect(words("'quoted' end.")).toEqual(['quoted', 'end']);
  });

  it(`cuts words longer than ${MAX_TOKEN_LENGTH} UTF-16 units`, () => {
    expect(words('a'.repeat(600)).map((w) => w.length)).toEqual([255, 255, 90]);
  });
});

describe('analyzeEnglish', () => {
  it("drops possessives and Lucene's 33 stop words, lower-cases, and stems with Porter", () => {
    expect(ENGLISH_STOP_WORDS.size).toBe(33);
    expect(
      analyzeEnglish(
        "The patients' cells aren't dividing; it is relational generalization of John's hopefulness",
      ),
    ).toEqual(['patient', 'cell', "aren't", 'divid', 'relat', 'gener', 'john', 'hope']);
    // Porter's reference departures that Lucene keeps: -bli → -ble, -logi → -log.
    expect(analyzeEnglish('possibly archaeology')).toEqual(['possibl', 'archaeolog']);
  });

  it('gives the same terms in workerd as in Node', async () => {
    const miniflare = await startWorkerdScript(
      `import { analyzeEnglish } from './shared/tokenizers/english/analyzer.ts';
       export default { fetch: async (request) => Response.json(analyzeEnglish(await request.text())) };`,
      process.cwd(),
    );
    try {
      const res = await miniflare.dispatchFetch('http://analyzer/', { method: 'POST', body: SAMPLE });
      expect(await res.json()).toEqual(analyzeEnglish(SAMPLE));
    } finally {
      await miniflare.dispose();
    }
  });
});

describe('term vocabularies', () => {
  it('TermDictionary numbers terms in first-seen order', () => {
    const dictionary = new TermDictionary();
    expect(['b', 'a', 'b', 'c'].map((t) => dictionary.intern(t))).toEqual([0, 1, 0, 2]);
    expect(dictionary.termOf(1)).toBe('a');
    expect(() => dictionary.termOf(3)).toThrow(/not in the dictionary/);
  });

  it('SortedTerms: ids are ranks, lookups by binary search, one term a line as the asset', () => {
    const terms = SortedTerms.of(['plant', 'cell', 'énergi', 'cell', '3.5']);
    expect(terms.terms).toEqual(['3.5', 'cell', 'plant', 'énergi']);
    expect(terms.idOf('plant')).toBe(2);
    expect(terms.idOf('plants')).toBeUndefined();
    const again = SortedTerms.fromBytes(terms.toBytes());
    expect(again.terms).toEqual(terms.terms);
    expect(() => new SortedTerms(['b', 'a'])).toThrow(/not strictly increasing/);
  });

  it('EnglishTokenizer: known terms to ids, unknown terms dropped, name tied to the vocabulary', () => {
    const tokenizer = new EnglishTokenizer(SortedTerms.of(analyzeEnglish('green plants convert light')));
    expect(
      Array.from(tokenizer.encode('Plants converting moonlight').ids, (id) => tokenizer.tokenOf(id)),
    ).toEqual(['plant', 'convert']);
    const other = new EnglishTokenizer(
      SortedTerms.of(analyzeEnglish('green plants convert lights and more')),
    );
    expect(other.name).not.toBe(tokenizer.name);
    expect(EnglishTokenizer.fromAsset(tokenizer.vocabulary.toBytes()).name).toBe(tokenizer.name);
  });
});
