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
  const engine = new HfTokenizer(bertTokenizerJson(bertBaseUncasedVocab()), { fastPath: false });
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

describe('HfTokenizer over a tiny byte-level BPE tokenizer.json', () => {
  const bpe = new HfTokenizer({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: 7,
        content: '<s>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      vocab: { a: 0, b: 1, Ġ: 2, ab: 3, Ġa: 4, Ġab: 5, c: 6, '<s>': 7 },
      merges: ['Ġ a', 'a b', 'Ġa b'], // "Ġ a" outranks "a b", so " ab" becomes one token
    },
  });

  it('applies the merges in rank order and round-trips the text', () => {
    expect(Array.from(bpe.encode('ab ab abc').ids)).toEqual([3, 5, 5, 6]);
    expect(bpe.decode(bpe.encode('ab ab abc').ids)).toBe('ab ab abc');
    expect(bpe.tokenOf(5)).toBe('Ġab');
    expect(bpe.vocabSize).toBe(8);
  });
});

describe('HfTokenizer fast path for plain BERT tokenizer.json files', () => {
  const json = bertTokenizerJson(bertBaseUncasedVocab());
  const fast = new HfTokenizer(json);
  const engineOnly = new HfTokenizer(json, { fastPath: false });

  it('is taken for a BERT WordPiece tokenizer.json and not for other models', () => {
    expect(fast.usesFastPath).toBe(true);
    expect(engineOnly.usesFastPath).toBe(false);
    expect(fast.name).toBe(engineOnly.name);
    const notBert = { ...json, normalizer: { type: 'Lowercase' } };
    expect(new HfTokenizer(notBert).usesFastPath).toBe(false);
    const sparseIds = {
      ...json,
      model: { ...(json as { model: object }).model, vocab: { '[UNK]': 0, a: 2 } },
    };
    expect(new HfTokenizer(sparseIds).usesFastPath).toBe(false);
  });

  it('gives the same ids as the engine, with and without special tokens', () => {
    const texts = ['Héllo, naïve café! IL-6 (p < 0.05)', 'Chinese 中文 and 😀', `${'z'.repeat(101)} end`, ''];
    for (const text of texts) {
      for (const addSpecialTokens of [false, true]) {
        expect(Array.from(fast.encode(text, { addSpecialTokens }).ids)).toEqual(
          Array.from(engineOnly.encode(text, { addSpecialTokens }).ids),
        );
      }
    }
  });

  it('hands texts containing an added token such as [MASK] to the engine, which keeps it whole', () => {
    const ids = Array.from(fast.encode('the [MASK] sat').ids);
    expect(ids).toEqual([1996, 103, 2938]);
    expect(ids).toEqual(Array.from(engineOnly.encode('the [MASK] sat').ids));
  });

  it('follows the post-processor: BertProcessing, or none', () => {
    const bertProcessing = new HfTokenizer({
      ...json,
      post_processor: { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] },
    });
    expect(bertProcessing.usesFastPath).toBe(true);
    expect(Array.from(bertProcessing.encode('hello', { addSpecialTokens: true }).ids)).toEqual([
      101, 7592, 102,
    ]);
    const none = new HfTokenizer({ ...json, post_processor: null });
    expect(none.usesFastPath).toBe(true);
    expect(Array.from(none.encode('hello', { addSpecialTokens: true }).ids)).toEqual([7592]);
  });
});
