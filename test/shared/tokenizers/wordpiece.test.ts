import { describe, expect, it } from 'vitest';
import { IdBuffer } from '../../../shared/tokenizers/id-buffer.ts';
import { WordPiece } from '../../../shared/tokenizers/wordpiece.ts';

const VOCAB = ['[UNK]', 'un', '##aff', '##able', 'a', '##a', 'aa', '##aa', '😀', '##😀'];
const options = { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 5 };

function segment(wordPiece: WordPiece, word: string): string[] {
  const out = new IdBuffer(1);
  wordPiece.tokenizeWord(word, out);
  return Array.from(out.toUint32Array(), (id) => VOCAB[id]);
}

describe('WordPiece', () => {
  const wordPiece = new WordPiece(VOCAB, options);

  it('segments greedily, longest match first', () => {
    expect(segment(wordPiece, 'unaffable')).toEqual(['[UNK]']); // 9 chars > 5
    expect(segment(new WordPiece(VOCAB, { ...options, maxInputCharsPerWord: 100 }), 'unaffable')).toEqual([
      'un',
      '##aff',
      '##able',
    ]);
    expect(segment(wordPiece, 'aaaaa')).toEqual(['aa', '##aa', '##a']);
  });

  it('makes a whole word [UNK] when any part has no piece', () => {
    expect(segment(wordPiece, 'aab')).toEqual(['[UNK]']);
  });

  it('limits words by code points, so astral characters count once', () => {
    expect(segment(wordPiece, '😀😀😀😀😀')).toEqual(['😀', '##😀', '##😀', '##😀', '##😀']);
    expect(segment(wordPiece, '😀😀😀😀😀😀')).toEqual(['[UNK]']);
  });

  it('keeps the same answers once its cache is cleared', () => {
    const tiny = new WordPiece(VOCAB, { ...options, maxCachedWords: 1 });
    expect(segment(tiny, 'aaa')).toEqual(['aa', '##a']);
    expect(segment(tiny, 'una')).toEqual(['un', '##a']);
    expect(segment(tiny, 'aaa')).toEqual(['aa', '##a']);
  });

  it('refuses a vocabulary without its unknown token', () => {
    expect(() => new WordPiece(['a'], options)).toThrow(/no unknown token "\[UNK\]"/);
  });
});

describe('IdBuffer', () => {
  it('grows past its initial capacity and copies out exactly what was pushed', () => {
    const buffer = new IdBuffer(1);
    for (let i = 0; i < 100; i++) buffer.push(i);
    buffer.pushAll([1000, 1001]);
    const ids = buffer.toUint32Array();
    expect(ids.length).toBe(102);
    expect(ids[99]).toBe(99);
    expect(ids[101]).toBe(1001);
  });
});
