import { describe, expect, it } from 'vitest';
import { EncoderError } from '../../../../shared/encoders/errors.ts';
import {
  parseJsonVectorLine,
  scanVectorLineKeys,
} from '../../../../shared/encoders/precomputed/json-vector.ts';
import {
  vocabularyFromText,
  vocabularyOfTokenizer,
} from '../../../../shared/encoders/precomputed/vocabulary.ts';
import { createTokenizer } from '../../../../shared/tokenizers/registry.ts';

const bert = createTokenizer('bert-base-uncased');
const vocabulary = vocabularyOfTokenizer(bert);

function errorOf(run: () => unknown): EncoderError {
  try {
    run();
  } catch (error) {
    if (error instanceof EncoderError) return error;
    throw error;
  }
  throw new Error('expected an EncoderError');
}

describe('parseJsonVectorLine', () => {
  it('reads id, contents and a vector with term ids sorted', () => {
    const record = parseJsonVectorLine(
      '{"id": "doc1", "contents": "The cat", "vector": {"the": 0.5, "##s": 2, "cat": 1.25, "[CLS]": 3}}',
      vocabulary,
    );
    expect(record.id).toBe('doc1');
    expect(record.contents).toBe('The cat');
    expect(Array.from(record.vector.terms)).toEqual([101, 1996, 2015, 4937]);
    expect(Array.from(record.vector.weights)).toEqual([3, 0.5, 2, 1.25]);
  });

  it('accepts numeric ids and a missing contents, and drops zero weights', () => {
    const record = parseJsonVectorLine('{"id": 42, "vector": {"the": 0, "cat": 7}}', vocabulary);
    expect(record.id).toBe('42');
    expect(record.contents).toBeUndefined();
    expect(Array.from(record.vector.terms)).toEqual([4937]);
  });

  it('refuses an unknown token by name, or drops it when asked', () => {
    const line = '{"id": "d", "vector": {"cat": 1, "qwertyuiop": 2}}';
    const error = errorOf(() => parseJsonVectorLine(line, vocabulary, { where: 'line 7' }));
    expect(error.code).toBe('unknown_token');
    expect(error.message).toBe(
      'document "d": token "qwertyuiop" is not in vocabulary bert-base-uncased (line 7)',
    );
    const ignored: string[] = [];
    const record = parseJsonVectorLine(line, vocabulary, {
      unknownTokens: 'ignore',
      onIgnoredToken: (t) => ignored.push(t),
    });
    expect(Array.from(record.vector.terms)).toEqual([4937]);
    expect(ignored).toEqual(['qwertyuiop']);
  });

  it('refuses a token repeated in the vector, naming it', () => {
    const error = errorOf(() =>
      parseJsonVectorLine('{"id": "d", "vector": {"cat": 1, "dog": 2, "cat": 3}}', vocabulary),
    );
    expect(error.code).toBe('duplicate_token');
    expect(error.message).toContain('token "cat" appears twice');
    // The same key under "contents" text or in another object is no repeat.
    const fine = parseJsonVectorLine(
      '{"id": "d", "contents": "\\"cat\\": 1, \\"cat\\": 2", "meta": {"cat": 1}, "vector": {"cat": 1, "dog": 2}}',
      vocabulary,
    );
    expect(fine.vector.terms.length).toBe(2);
    // Escapes are compared decoded: "c\u0061t" is "cat".
    expect(
      errorOf(() => parseJsonVectorLine('{"id":"d","vector":{"cat":1,"c\\u0061t":2}}', vocabulary)).code,
    ).toBe('duplicate_token');
  });

  it.each([
    ['not json', 'vector line is not JSON'],
    ['[1, 2]', 'must be a JSON object'],
    ['{"vector": {"cat": 1}}', 'non-empty "id"'],
    ['{"id": "", "vector": {}}', 'non-empty "id"'],
    ['{"id": "d"}', '"vector" must be an object'],
    ['{"id": "d", "vector": [1]}', '"vector" must be an object'],
    ['{"id": "d", "contents": 5, "vector": {}}', '"contents" must be a string'],
    ['{"id": "d", "vector": {"cat": -1}}', 'weight of token "cat" must be a finite number ≥ 0, got -1'],
    ['{"id": "d", "vector": {"cat": "1"}}', 'got "1"'],
    ['{"id": "d", "vector": {"cat": 1}, "id": "e"}', 'member "id" appears twice'],
  ])('refuses %s', (line, message) => {
    const error = errorOf(() => parseJsonVectorLine(line, vocabulary));
    expect(error.code).toBe('invalid_vector_line');
    expect(error.message).toContain(message);
  });
});

describe('scanVectorLineKeys', () => {
  it('lists top-level and vector keys with repeats, skipping strings and nested values', () => {
    const keys = scanVectorLineKeys(
      '{"id":"a\\"b","x":[{"k":1},"}"],"vector":{"a":1,"b":{"c":2},"a":3},"z":{"q":1}}',
    );
    expect(keys.topLevel).toEqual(['id', 'x', 'vector', 'z']);
    expect(keys.vector).toEqual(['a', 'b', 'a']);
  });
});

describe('vocabularyFromText', () => {
  it('gives each line its line number as id and names itself by content', () => {
    const vocab = vocabularyFromText('[PAD]\nhello\r\nworld\n');
    expect(vocab.size).toBe(3);
    expect(vocab.idOf('hello')).toBe(1);
    expect(vocab.idOf('world')).toBe(2);
    expect(vocab.tokenOf(0)).toBe('[PAD]');
    expect(vocab.name).toMatch(/^vocab:[0-9a-f]{16}$/);
    expect(vocabularyFromText('[PAD]\nhello\nworld').name).toBe(vocab.name);
    expect(vocabularyFromText('[PAD]\nworld\nhello').name).not.toBe(vocab.name);
    expect(() => vocab.tokenOf(3)).toThrow(/outside the vocab file/);
  });

  it('maps a repeated line to its last id, and refuses an empty file', () => {
    expect(vocabularyFromText('a\nb\na\n').idOf('a')).toBe(2);
    expect(() => vocabularyFromText('')).toThrow(/empty/);
  });

  it('reproduces bert-base-uncased ids from its vocab.txt text', () => {
    const tokens = Array.from({ length: bert.vocabSize }, (_, id) => bert.tokenOf(id));
    const vocab = vocabularyFromText(`${tokens.join('\n')}\n`);
    expect(vocab.size).toBe(30_522);
    for (const token of ['[UNK]', 'the', '##s', 'hello', '##～'])
      expect(vocab.idOf(token)).toBe(bert.idOf(token));
  });
});
