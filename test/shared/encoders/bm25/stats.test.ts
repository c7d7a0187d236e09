import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  averageDocumentLength,
  Bm25StatsBuilder,
  bm25StatsHash,
} from '../../../../shared/encoders/bm25/stats.ts';
import { decodeBm25Stats, encodeBm25Stats } from '../../../../shared/encoders/bm25/stats-codec.ts';
import { EncoderError } from '../../../../shared/encoders/errors.ts';
import { createTokenizer } from '../../../../shared/tokenizers/registry.ts';

const bert = createTokenizer('bert-base-uncased');
const id = (token: string) => bert.idOf(token)!;

describe('Bm25StatsBuilder', () => {
  it('counts documents, tokens and document frequencies (a repeated term counts once per document)', () => {
    const stats = new Bm25StatsBuilder(bert).add('cat sat').add('cat cat dog').add('bird').build();
    expect(stats.tokenizer).toBe('bert-base-uncased');
    expect(stats.vocabSize).toBe(30_522);
    expect(stats.docCount).toBe(3);
    expect(stats.totalTokens).toBe(6);
    expect(averageDocumentLength(stats)).toBe(2);
    expect(stats.df[id('cat')]).toBe(2);
    expect(stats.df[id('dog')]).toBe(1);
    expect(stats.df[id('sat')]).toBe(1);
    expect(stats.df[id('the')]).toBe(0);
  });

  it('merges partial statistics into the same result as one pass', () => {
    const texts = ['alpha beta', 'beta gamma gamma', 'delta', 'alpha alpha alpha', 'beta'];
    const whole = new Bm25StatsBuilder(bert);
    for (const text of texts) whole.add(text);
    const left = new Bm25StatsBuilder(bert).add(texts[0]).add(texts[1]).build();
    const merged = new Bm25StatsBuilder(bert)
      .addStats(left)
      .add(texts[2])
      .add(texts[3])
      .add(texts[4])
      .build();
    expect(merged.docCount).toBe(5);
    expect(merged.totalTokens).toBe(whole.build().totalTokens);
    expect(Array.from(merged.df)).toEqual(Array.from(whole.build().df));
    expect(bm25StatsHash(merged)).toBe(bm25StatsHash(whole.build()));
  });

  it('refuses statistics of another tokenizer and ids outside the vocabulary', () => {
    const llamaStats = new Bm25StatsBuilder(createTokenizer('llama3')).add('hello').build();
    expect(() => new Bm25StatsBuilder(bert).addStats(llamaStats)).toThrow(
      /tokenizer llama3 .* into bert-base-uncased/,
    );
    expect(() => new Bm25StatsBuilder(bert).addTokens(Uint32Array.of(30_522))).toThrow(EncoderError);
  });

  it('hashes content: equal statistics hash equally, one changed df changes the hash', () => {
    const a = new Bm25StatsBuilder(bert).add('cat sat').build();
    const b = new Bm25StatsBuilder(bert).add('sat cat').build();
    const c = new Bm25StatsBuilder(bert).add('cat mat').build();
    expect(bm25StatsHash(a)).toBe(bm25StatsHash(b));
    expect(bm25StatsHash(a)).not.toBe(bm25StatsHash(c));
  });
});

describe('BM25 statistics codec', () => {
  const stats = new Bm25StatsBuilder(bert).add('cat sat').add('cat cat dog').build();

  it('round-trips exactly', () => {
    const decoded = decodeBm25Stats(encodeBm25Stats(stats));
    expect(decoded.tokenizer).toBe(stats.tokenizer);
    expect(decoded.docCount).toBe(2);
    expect(decoded.totalTokens).toBe(5);
    expect(Array.from(decoded.df)).toEqual(Array.from(stats.df));
    expect(bm25StatsHash(decoded)).toBe(bm25StatsHash(stats));
  });

  it('names what is wrong in damaged statistics', () => {
    const valid = {
      format: 'csplade.bm25-stats',
      version: 1,
      tokenizer: 't',
      vocabSize: 2,
      docCount: 1,
      totalTokens: 3,
    };
    const df = (a: number, b: number) => new Uint8Array(Uint32Array.of(a, b).buffer);
    expect(() => decodeBm25Stats(encodeBm25Stats(stats).subarray(0, 10))).toThrow(/not valid msgpack/);
    expect(() => decodeBm25Stats(pack({ ...valid, format: 'x', df: df(1, 0) }))).toThrow(/format is "x"/);
    expect(() => decodeBm25Stats(pack({ ...valid, version: 2, df: df(1, 0) }))).toThrow(/version 2/);
    expect(() => decodeBm25Stats(pack({ ...valid, df: new Uint8Array(4) }))).toThrow(/"df" must hold 2/);
    expect(() => decodeBm25Stats(pack({ ...valid, df: df(2, 0) }))).toThrow(
      /df of term 0 \(2\) exceeds docCount/,
    );
    expect(() => decodeBm25Stats(pack({ ...valid, docCount: -1, df: df(0, 0) }))).toThrow(/"docCount"/);
  });
});
