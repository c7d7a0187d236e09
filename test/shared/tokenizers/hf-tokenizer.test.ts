import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertBaseUncasedVocab } from '../../../shared/tokenizers/bert-vocab.ts';
import { bertBaseUncasedTokenizer } from '../../../shared/tokenizers/bert-wordpiece.ts';
import { TokenizerError } from '../../../shared/tokenizers/errors.ts';
import { loadHfTokenizer } from '../../../shared/tokenizers/hf-tokenizer.node.ts';
import { HfTokenizer } from '../../../shared/tokenizers/hf-tokenizer.ts';
import { createTokenizer } from '../../../shared/tokenizers/registry.ts';
import { bertTokenizerJson } from './bert-tokenizer-json.ts';

// The toy vocabulary of BERT's README and of Hugging Face's WordPiece tests.
const TOY_VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'want',
  '##want',
  '##ed',
  'wa',
  'un',
  'runn',
  '##ing',
  ',',
  'low',
  'lowest',
  '##aff',
  '##able',
];

describe('HfTokenizer over a tiny WordPiece tokenizer.json', () => {
  const toy = new HfTokenizer(bertTokenizerJson(TOY_VOCAB));

  it('segments greedily longest-match-first', () => {
    const tokens = (text: string) => Array.from(toy.encode(text).ids, (id) => toy.tokenOf(id));
    expect(tokens('UNwant\u00E9d,running')).toEqual(['un', '##want', '##ed', ',', 'runn', '##ing']);
    expect(tokens('unaffable')).toEqual(['un', '##aff', '##able']);
    expect(tokens('unwantedX')).toEqual(['[UNK]']);
  });

  it('adds special tokens only when asked and reports the vocabulary', () => {
    expect(Array.from(toy.encode('want', { addSpecialTokens: true }).ids)).toEqual([2, 4, 3]);
    expect(Array.from(toy.encode('want').ids)).toEqual([4]);
    expect(toy.vocabSize).toBe(TOY_VOCAB.length);
    expect(toy.idOf('##ing')).toBe(10);
    expect(toy.idOf('nope')).toBeUndefined();
    expect(() => toy.tokenOf(99)).toThrow(TokenizerError);
  });

  it('is named after a fingerprint of its JSON', () => {
    expect(toy.name).toMatch(/^hf:[0-9a-f]{16}$/);
    expect(new HfTokenizer(bertTokenizerJson(TOY_VOCAB)).name).toBe(toy.name);
    expect(new HfTokenizer(bertTokenizerJson([...TOY_VOCAB, 'extra'])).name).not.toBe(toy.name);
  });

  it('refuses JSON that is not a tokenizer', () => {
    expect(() => new HfTokenizer({ hello: 'world' })).toThrow(/must be an object with a "model" member/);
  });
});

describe('our bert-base-uncased agrees with the Hugging Face engine', () => {
  const ours = bertBaseUncasedTokenizer();
  const engine = new HfTokenizer(bertTokenizerJson(bertBaseUncasedVocab()));
  const samples = [
    'The quick brown fox jumps over the lazy dog.',
    'Héllo, naïve café! Résumé — «quoted» text… and ¿questions?',
    'IL-6 and TNF-α levels (p < 0.05) were 3.5× higher; β-cells [n=12].',
    'Chinese 中文字符 mixed with ひらがな and 한국어 and emoji 😀.',
    'Zero\u200Bwidth, soft\u00ADhyphen, tab\there, NBSP\u00A0there, NUL\u0000gone.',
    `Long ${'x'.repeat(120)} word and ${'y'.repeat(100)} exactly.`,
    // Not a word-final capital sigma: the JS engine lowercases it to ς (context-sensitive
    // String#toLowerCase) where Rust tokenizers, and we, give σ.
    'Σίσυφος Ǆemal İstanbul ß ﬁnance ①②③ ＡＢＣ',
  ];

  it.each(samples)('gives the same ids for %s', (text) => {
    expect(Array.from(ours.encode(text, { addSpecialTokens: true }).ids)).toEqual(
      Array.from(engine.encode(text, { addSpecialTokens: true }).ids),
    );
  });
});

describe('loadHfTokenizer (Node)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csplade-hf-'));
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(TOY_VOCAB)));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads from a model directory or the file itself, with the same name', async () => {
    const fromDir = await loadHfTokenizer(dir);
    const fromFile = await loadHfTokenizer(join(dir, 'tokenizer.json'));
    expect(Array.from(fromDir.encode('unwanted').ids)).toEqual([8, 5, 6]);
    expect(fromFile.name).toBe(fromDir.name);
  });

  it('names the missing file in its error', async () => {
    await expect(loadHfTokenizer(join(dir, 'absent.json'))).rejects.toThrow(/absent\.json/);
  });
});

describe('createTokenizer', () => {
  it('builds every kind of spec and refuses unknown names', () => {
    expect(createTokenizer('bert-base-uncased').vocabSize).toBe(30_522);
    expect(createTokenizer('llama3').vocabSize).toBe(128_256);
    expect(createTokenizer({ tokenizerJson: bertTokenizerJson(TOY_VOCAB) }).vocabSize).toBe(TOY_VOCAB.length);
    expect(() => createTokenizer('gpt2' as 'llama3')).toThrow(/unknown tokenizer "gpt2"/);
  });
});
