import { describe, expect, it } from 'vitest';
import { bertBasicTokenize } from '../../../shared/tokenizers/bert-basic.ts';
import { bertBaseUncasedTokenizer } from '../../../shared/tokenizers/bert-wordpiece.ts';
import { TokenizerError } from '../../../shared/tokenizers/errors.ts';

const bert = bertBaseUncasedTokenizer();
const pieces = (text: string, addSpecialTokens = false) =>
  Array.from(bert.encode(text, { addSpecialTokens }).ids, (id) => bert.tokenOf(id));

describe('bert-base-uncased vocabulary', () => {
  it('has the ids of Google vocab.txt', () => {
    expect(bert.vocabSize).toBe(30_522);
    expect(bert.idOf('[PAD]')).toBe(0);
    expect(bert.idOf('[unused0]')).toBe(1);
    expect(bert.idOf('[UNK]')).toBe(100);
    expect(bert.idOf('[CLS]')).toBe(101);
    expect(bert.idOf('[SEP]')).toBe(102);
    expect(bert.idOf('[MASK]')).toBe(103);
    expect(bert.idOf('!')).toBe(999);
    expect(bert.idOf('the')).toBe(1996);
    expect(bert.idOf('##s')).toBe(2015);
    expect(bert.tokenOf(7592)).toBe('hello');
    expect(bert.tokenOf(30_521)).toBe('##～');
  });

  it('refuses ids outside the vocabulary with a typed error', () => {
    expect(() => bert.tokenOf(30_522)).toThrow(TokenizerError);
    expect(() => bert.tokenOf(-1)).toThrow(/outside the bert-base-uncased vocabulary/);
  });
});

describe('BERT BasicTokenizer', () => {
  it('lowercases, strips accents and isolates punctuation', () => {
    expect(bertBasicTokenize('Héllo, WORLD!! naïve café', { lowercase: true })).toEqual([
      'hello',
      ',',
      'world',
      '!',
      '!',
      'naive',
      'cafe',
    ]);
  });

  it('keeps case and accents when not lowercasing', () => {
    expect(bertBasicTokenize('Héllo, World', { lowercase: false })).toEqual(['Héllo', ',', 'World']);
  });

  it('strips accents independently of lowercasing when told to (BertNormalizer strip_accents)', () => {
    expect(bertBasicTokenize('Héllo Wörld', { lowercase: false, stripAccents: true })).toEqual([
      'Hello',
      'World',
    ]);
    expect(bertBasicTokenize('Héllo Wörld', { lowercase: true, stripAccents: false })).toEqual([
      'héllo',
      'wörld',
    ]);
  });

  it('splits on all of BERT ASCII punctuation, including $ + < = > ^ ` | ~', () => {
    expect(bertBasicTokenize('a$b+c<d=e>f^g`h|i~j', { lowercase: true })).toEqual(
      'a $ b + c < d = e > f ^ g ` h | i ~ j'.split(' '),
    );
  });

  it('splits on Unicode punctuation (P*) but not on symbols (S*)', () => {
    expect(bertBasicTokenize('a—b«c»d¿e ±f°', { lowercase: true })).toEqual([
      'a',
      '—',
      'b',
      '«',
      'c',
      '»',
      'd',
      '¿',
      'e',
      '±f°',
    ]);
  });

  it('makes each CJK ideograph a word, but not kana or hangul', () => {
    expect(bertBasicTokenize('中文ひらがな 한국어', { lowercase: true })).toEqual([
      '中',
      '文',
      'ひらかな', // NFD splits off the dakuten, a non-spacing mark
      '한국어'.normalize('NFD'),
    ]);
  });

  it('drops control characters, NUL and U+FFFD and treats tabs/newlines/NBSP as spaces', () => {
    expect(bertBasicTokenize('a\u0000b\uFFFDc\u200Bd\te\nf\u00A0g\u0007h', { lowercase: true })).toEqual([
      'abcd',
      'e',
      'f',
      'gh',
    ]);
  });

  it('drops lone surrogates (category Cs) like other C* characters', () => {
    expect(bertBasicTokenize('a\uD800b c\uDFFF', { lowercase: true })).toEqual(['ab', 'c']);
  });

  it('lowercases capital sigma to σ everywhere (per character, as Rust tokenizers does)', () => {
    expect(bertBasicTokenize('ΑΣ', { lowercase: true })).toEqual(['ασ']);
  });

  it('gives no words for empty or blank text', () => {
    expect(bertBasicTokenize('', { lowercase: true })).toEqual([]);
    expect(bertBasicTokenize(' \t\n ', { lowercase: true })).toEqual([]);
  });
});

describe('bert-base-uncased tokenizer', () => {
  it('tokenizes hand-checked sentences', () => {
    expect(Array.from(bert.encode('Hello world').ids)).toEqual([7592, 2088]);
    expect(pieces('unaffable')).toEqual(['una', '##ffa', '##ble']);
    expect(pieces('The Café serves naïve résumés.')).toEqual([
      'the',
      'cafe',
      'serves',
      'naive',
      'resume',
      '##s',
      '.',
    ]);
    expect(pieces("Don't stop-believing!")).toEqual(['don', "'", 't', 'stop', '-', 'believing', '!']);
  });

  it('adds [CLS] and [SEP] only when asked', () => {
    expect(Array.from(bert.encode('hello', { addSpecialTokens: true }).ids)).toEqual([101, 7592, 102]);
    expect(Array.from(bert.encode('', { addSpecialTokens: true }).ids)).toEqual([101, 102]);
    expect(bert.encode('').ids.length).toBe(0);
  });

  it('maps CJK ideographs one by one and unknown ones to [UNK]', () => {
    expect(pieces('世界')).toEqual(['世', '[UNK]']);
  });

  it('maps a word longer than 100 characters to a single [UNK], and a 100-character one to pieces', () => {
    expect(pieces('a'.repeat(101))).toEqual(['[UNK]']);
    const hundred = pieces('a'.repeat(100));
    expect(hundred.length).toBeGreaterThan(1);
    expect(hundred).not.toContain('[UNK]');
  });

  it('counts the 100-character limit in code points, not UTF-16 units', () => {
    // 60 astral characters are 120 UTF-16 units but 60 code points: not over the limit, so
    // the word becomes [UNK] only because those characters are not in the vocabulary.
    const astral = '𝒜'.repeat(60);
    expect(pieces(astral)).toEqual(['[UNK]']);
    expect(pieces(`x${astral}`)).toEqual(['[UNK]']);
  });

  it('gives the same ids from the word cache as on first sight', () => {
    const text = 'Mitochondrial dysfunction in neurodegeneration';
    const first = Array.from(bert.encode(text).ids);
    expect(Array.from(bert.encode(text).ids)).toEqual(first);
    expect(first.map((id) => bert.tokenOf(id)).join(' ')).toBe(
      'mitochondrial dysfunction in ne ##uro ##de ##gen ##eration',
    );
  });
});
