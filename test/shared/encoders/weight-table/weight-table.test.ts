import { describe, expect, it } from 'vitest';
import { EncoderError } from '../../../../shared/encoders/errors.ts';
import {
  checkWeightTableFits,
  decodeWeightTable,
  encodeWeightTable,
  weightTableFromTokenWeights,
} from '../../../../shared/encoders/weight-table/weight-table.ts';
import { WeightTableEncoder } from '../../../../shared/encoders/weight-table/weight-table-encoder.ts';
import { createTokenizer } from '../../../../shared/tokenizers/registry.ts';

const bert = createTokenizer('bert-base-uncased');

function bertTable(): Float32Array {
  const weights = new Float32Array(bert.vocabSize);
  for (let id = 0; id < weights.length; id++) weights[id] = (id % 97) / 10;
  return weights;
}

describe('weight table binary form', () => {
  it('round-trips every weight and the tokenizer name', () => {
    const table = { tokenizer: 'bert-base-uncased', weights: bertTable() };
    const bytes = encodeWeightTable(table);
    // 12-byte header + "bert-base-uncased" (17 bytes, padded to 20) + 4 bytes per id
    expect(bytes.length).toBe(12 + 20 + 4 * 30_522);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('CSWT');
    const decoded = decodeWeightTable(bytes);
    expect(decoded.tokenizer).toBe('bert-base-uncased');
    expect(Array.from(decoded.weights)).toEqual(Array.from(table.weights));
  });

  it('reads a table at an unaligned offset of a larger buffer', () => {
    const bytes = encodeWeightTable({ tokenizer: 'tiny', weights: Float32Array.of(0, 1.5, 2) });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(decodeWeightTable(shifted.subarray(3)).weights)).toEqual([0, 1.5, 2]);
  });

  it('names what is wrong in damaged tables', () => {
    const bytes = encodeWeightTable({ tokenizer: 'tiny', weights: Float32Array.of(1, 2) });
    expect(() => decodeWeightTable(new Uint8Array(8))).toThrow(/magic "CSWT" missing/);
    expect(() => decodeWeightTable(bytes.subarray(0, bytes.length - 1))).toThrow(
      /is 23 bytes, but its header \(vocabulary 2\) says 24/,
    );
    const wrongVersion = bytes.slice();
    wrongVersion[4] = 9;
    expect(() => decodeWeightTable(wrongVersion)).toThrow(/version 9 is not supported/);
    const negative = bytes.slice();
    new DataView(negative.buffer).setFloat32(16, -1, true); // 12-byte header + "tiny"
    expect(() => decodeWeightTable(negative)).toThrow(/weight of id 0 is -1/);
    expect(() => encodeWeightTable({ tokenizer: 't', weights: Float32Array.of(Number.NaN) })).toThrow(
      EncoderError,
    );
  });

  it('must fit the tokenizer: same name and vocabulary size', () => {
    expect(() => checkWeightTableFits({ tokenizer: 'llama3', weights: bertTable() }, bert)).toThrow(
      /is for tokenizer llama3, not bert-base-uncased/,
    );
    expect(() =>
      checkWeightTableFits({ tokenizer: 'bert-base-uncased', weights: new Float32Array(10) }, bert),
    ).toThrow(/has 10 weights, but tokenizer bert-base-uncased has 30522 ids/);
  });

  it('can be built from an idf.json-style token → weight map', () => {
    const table = weightTableFromTokenWeights({ cat: 3.5, '##s': 0.25 }, bert);
    expect(table.weights[bert.idOf('cat')!]).toBe(3.5);
    expect(table.weights[2015]).toBe(0.25);
    expect(table.weights[bert.idOf('dog')!]).toBe(0);
    expect(weightTableFromTokenWeights({}, bert, { defaultWeight: 1 }).weights[5]).toBe(1);
    expect(() => weightTableFromTokenWeights({ nonexistenttoken: 1 }, bert)).toThrow(
      /"nonexistenttoken" is not in/,
    );
    expect(
      weightTableFromTokenWeights({ nonexistenttoken: 1 }, bert, { unknownTokens: 'ignore' }).weights.length,
    ).toBe(30_522);
  });
});

describe('WeightTableEncoder', () => {
  const table = weightTableFromTokenWeights({ cat: 3.5, dog: 1.25, the: 0 }, bert);
  const encoder = new WeightTableEncoder(bert, table);

  it('gives each distinct query token its table weight, once, and drops zero weights', async () => {
    const [query] = await encoder.encode(['The cat chased the cat and a dog'], 'query');
    const weightByToken = Object.fromEntries(
      Array.from(query.terms, (term, i) => [bert.tokenOf(term), query.weights[i]]),
    );
    expect(weightByToken).toEqual({ cat: 3.5, dog: 1.25 });
    expect(query.terms[0]).toBeLessThan(query.terms[1]);
  });

  it('refuses to encode documents', async () => {
    await expect(encoder.encode(['a document'], 'document')).rejects.toThrow(/queries only/);
  });

  it('has a fingerprint that follows the weights', () => {
    expect(
      new WeightTableEncoder(bert, weightTableFromTokenWeights({ cat: 3.5, dog: 1.25 }, bert)).fingerprint,
    ).toBe(encoder.fingerprint);
    expect(
      new WeightTableEncoder(bert, weightTableFromTokenWeights({ cat: 3.5, dog: 1.5 }, bert)).fingerprint,
    ).not.toBe(encoder.fingerprint);
  });
});
