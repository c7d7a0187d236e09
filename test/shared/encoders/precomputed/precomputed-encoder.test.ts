import { describe, expect, it } from 'vitest';
import { PrecomputedEncoder } from '../../../../shared/encoders/precomputed/precomputed-encoder.ts';
import {
  vocabularyFromText,
  vocabularyOfTokenizer,
} from '../../../../shared/encoders/precomputed/vocabulary.ts';
import { createTokenizer } from '../../../../shared/tokenizers/registry.ts';

const bert = createTokenizer('bert-base-uncased');

describe('PrecomputedEncoder', () => {
  const encoder = new PrecomputedEncoder({ vocabulary: vocabularyOfTokenizer(bert) });

  it('reads documents as JsonVectorCollection lines and queries as bare token weights', async () => {
    const [doc] = await encoder.encode(['{"id": "d1", "vector": {"cat": 2, "the": 1}}'], 'document');
    expect(Array.from(doc.terms)).toEqual([1996, 4937]);
    const [query] = await encoder.encode(['{"cat": 0.5}'], 'query');
    expect(Array.from(query.terms)).toEqual([4937]);
    expect(Array.from(query.weights)).toEqual([0.5]);
    expect(encoder.tokenOf(4937)).toBe('cat');
    expect(encoder.vocabSize).toBe(30_522);
  });

  it('drops unknown query tokens (they match nothing) but refuses them in documents by default', async () => {
    const [query] = await encoder.encode(['{"cat": 1, "notawordpiece": 3}'], 'query');
    expect(query.terms.length).toBe(1);
    await expect(encoder.encode(['{"id": "d", "vector": {"notawordpiece": 1}}'], 'document')).rejects.toThrow(
      /token "notawordpiece" is not in vocabulary bert-base-uncased \(text 0\)/,
    );
  });

  it('refuses texts that are not JSON vectors', async () => {
    await expect(encoder.encode(['cat dog'], 'query')).rejects.toThrow(/not a JSON vector/);
    await expect(encoder.encode(['[1]'], 'query')).rejects.toThrow(/\{"token": weight\} object/);
  });

  it('has a fingerprint that depends on the vocabulary and the unknown-token policy only', () => {
    const same = new PrecomputedEncoder({ vocabulary: vocabularyOfTokenizer(bert) });
    const ignoring = new PrecomputedEncoder({
      vocabulary: vocabularyOfTokenizer(bert),
      unknownTokens: 'ignore',
    });
    const fromFile = new PrecomputedEncoder({ vocabulary: vocabularyFromText('a\nb\n') });
    expect(same.fingerprint).toBe(encoder.fingerprint);
    expect(new Set([encoder, ignoring, fromFile].map((e) => e.fingerprint)).size).toBe(3);
  });
});
