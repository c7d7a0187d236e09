import llama3Package from 'llama3-tokenizer-js';
import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../../../shared/tokenizers/errors.ts';
import { LLAMA3_FIRST_SPECIAL_ID, llama3Tokenizer } from '../../../shared/tokenizers/llama3.ts';

const llama = llama3Tokenizer();
const ids = (text: string, addSpecialTokens = false) =>
  Array.from(llama.encode(text, { addSpecialTokens }).ids);

describe('Llama 3 tokenizer', () => {
  it('has 128,256 ids, the special ones from 128,000', () => {
    expect(llama.vocabSize).toBe(128_256);
    expect(LLAMA3_FIRST_SPECIAL_ID).toBe(128_000);
    expect(llama.idOf('<|begin_of_text|>')).toBe(128_000);
    expect(llama.idOf('<|end_of_text|>')).toBe(128_001);
    expect(llama.idOf('<|eot_id|>')).toBe(128_009);
    expect(llama.tokenOf(128_255)).toBe('<|reserved_special_token_247|>');
  });

  it('gives the well-known ids of "Hello world"', () => {
    expect(ids('Hello world')).toEqual([9906, 1917]);
    expect(llama.tokenOf(1917)).toBe('Ġworld');
    expect(ids('Hello world', true)).toEqual([128_000, 9906, 1917]);
    expect(ids('')).toEqual([]);
  });

  it('round-trips text, including accents, CJK, emoji and odd whitespace', () => {
    const texts = [
      'The quick brown fox jumps over the lazy dog.',
      'Héllo naïve café — «quoted» … 中文字符 ひらがな 한국어 😀👍🏽',
      "It's 2024: numbers 1234567 and tabs\tand\n\nnewlines   and  spaces ",
      'IL-6 and TNF-α (p < 0.05) were 3.5× higher',
    ];
    for (const text of texts) expect(llama.decode(llama.encode(text).ids)).toBe(text);
  });

  it('never turns special-token text typed by a user into special ids', () => {
    const encoded = ids('before <|eot_id|> after');
    expect(encoded.every((id) => id < LLAMA3_FIRST_SPECIAL_ID)).toBe(true);
    expect(llama.decode(encoded)).toBe('before <|eot_id|> after');
  });

  it('matches the package on ordinary text, on first sight and from its cache', () => {
    const text = "Mitochondrial dysfunction isn't rare: 12,345 cases in 2019-2021!";
    const expected = llama3Package.encode(text, { bos: false, eos: false });
    expect(ids(text)).toEqual(expected);
    expect(ids(text)).toEqual(expected);
  });

  it('refuses ids outside the vocabulary with a typed error', () => {
    expect(() => llama.tokenOf(128_256)).toThrow(TokenizerError);
    expect(() => llama.tokenOf(1.5)).toThrow(/outside the llama3 vocabulary/);
  });
});
