import { describe, expect, it } from 'vitest';
import { BM25_STATS_ASSET, Bm25Encoder } from '../../../shared/encoders/bm25/bm25-encoder.ts';
import { Bm25StatsBuilder } from '../../../shared/encoders/bm25/stats.ts';
import type { EncoderConfig } from '../../../shared/encoders/config.ts';
import type { Encoder } from '../../../shared/encoders/encoder.ts';
import { PrecomputedEncoder } from '../../../shared/encoders/precomputed/precomputed-encoder.ts';
import { vocabularyFromText } from '../../../shared/encoders/precomputed/vocabulary.ts';
import {
  createEncoder,
  loadEncoderAssets,
  registerEncoder,
  registeredEncoders,
} from '../../../shared/encoders/registry.ts';
import { weightTableFromTokenWeights } from '../../../shared/encoders/weight-table/weight-table.ts';
import { WeightTableEncoder } from '../../../shared/encoders/weight-table/weight-table-encoder.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { HfTokenizer } from '../../../shared/tokenizers/hf-tokenizer.ts';
import { createTokenizer } from '../../../shared/tokenizers/registry.ts';
import { bertTokenizerJson } from '../tokenizers/bert-tokenizer-json.ts';

const bert = createTokenizer('bert-base-uncased');
const stats = new Bm25StatsBuilder(bert).add('the cat sat').add('the dog ran far').build();

/** describe() → JSON → createEncoder: what batch writes and the edge reads back. */
async function rebuild(encoder: Encoder, keepAssets = true): Promise<Encoder> {
  const { config, assets } = encoder.describe!();
  const throughJson = JSON.parse(JSON.stringify(config)) as EncoderConfig;
  return createEncoder(throughJson, {
    assets: keepAssets ? assets : {},
    expectedFingerprint: encoder.fingerprint,
  });
}

async function sameOutputs(a: Encoder, b: Encoder, texts: string[], role: 'query' | 'document') {
  const [left, right] = [await a.encode(texts, role), await b.encode(texts, role)];
  expect(right.map((v) => [Array.from(v.terms), Array.from(v.weights)])).toEqual(
    left.map((v) => [Array.from(v.terms), Array.from(v.weights)]),
  );
}

describe('encoder registry', () => {
  it('lists the built-in encoders', () => {
    expect(registeredEncoders()).toEqual(expect.arrayContaining(['bm25', 'precomputed', 'weight-table']));
  });

  it('rebuilds bm25 from its description with the same fingerprint and vectors', async () => {
    const original = new Bm25Encoder({ tokenizer: bert, stats, k1: 1.1, b: 0.6, luceneNorms: true });
    const rebuilt = await rebuild(original);
    expect(rebuilt.fingerprint).toBe(original.fingerprint);
    await sameOutputs(original, rebuilt, ['the cat ran', 'dog dog'], 'document');
    await sameOutputs(original, rebuilt, ['the cat ran'], 'query');
  });

  it('rebuilds a query-only bm25 from the config alone (no statistics asset), same fingerprint', async () => {
    const original = new Bm25Encoder({ tokenizer: bert, stats });
    expect(original.describe().assets[BM25_STATS_ASSET]).toBeInstanceOf(Uint8Array);
    const queryOnly = await rebuild(original, false);
    expect(queryOnly.fingerprint).toBe(original.fingerprint);
    await sameOutputs(original, queryOnly, ['cat cat dog'], 'query');
  });

  it('rebuilds bm25 over a Hugging Face tokenizer stored as an asset', async () => {
    const hf = new HfTokenizer(bertTokenizerJson(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'cat', 'dog', '##s']));
    const hfStats = new Bm25StatsBuilder(hf).add('cats dog').add('dog').build();
    const original = new Bm25Encoder({ tokenizer: hf, stats: hfStats });
    const { assets, config } = original.describe();
    expect(Object.keys(assets).sort()).toEqual([BM25_STATS_ASSET, 'tokenizer.json']);
    expect(config.tokenizer).toEqual({ tokenizerAsset: 'tokenizer.json' });
    const rebuilt = await rebuild(original);
    await sameOutputs(original, rebuilt, ['cats dogs', 'cat'], 'document');
  });

  it('rebuilds weight-table and precomputed encoders', async () => {
    const weightTable = new WeightTableEncoder(bert, weightTableFromTokenWeights({ cat: 2, dog: 1 }, bert));
    await sameOutputs(weightTable, await rebuild(weightTable), ['cat and dog'], 'query');
    const fromTokenizer = new PrecomputedEncoder({
      vocabulary: {
        name: bert.name,
        size: bert.vocabSize,
        idOf: (t) => bert.idOf(t),
        tokenOf: (i) => bert.tokenOf(i),
      },
      source: { tokenizer: bert },
    });
    await sameOutputs(fromTokenizer, await rebuild(fromTokenizer), ['{"cat": 1.5}'], 'query');
    const vocabText = 'alpha\nbeta\ngamma\n';
    const fromFile = new PrecomputedEncoder({
      vocabulary: vocabularyFromText(vocabText),
      source: { vocabText },
    });
    const rebuilt = await rebuild(fromFile);
    await sameOutputs(fromFile, rebuilt, ['{"id": "x", "vector": {"gamma": 1, "alpha": 2}}'], 'document');
    expect(rebuilt.tokenOf(2)).toBe('gamma');
  });
});

describe('encoder registry: lookups, refusals, plug-ins and assets', () => {
  it('maps tokens back to term ids (idOf inverts tokenOf) in every built-in encoder', async () => {
    const encoders: Encoder[] = [
      new Bm25Encoder({ tokenizer: bert, stats }),
      new WeightTableEncoder(bert, weightTableFromTokenWeights({ cat: 2 }, bert)),
      new PrecomputedEncoder({
        vocabulary: vocabularyFromText('alpha\nbeta\n'),
        source: { vocabText: 'alpha\nbeta\n' },
      }),
    ];
    for (const encoder of encoders) {
      for (const id of [0, 1, encoder.vocabSize - 1]) expect(encoder.idOf(encoder.tokenOf(id))).toBe(id);
      expect(encoder.idOf('no such token ✗')).toBeUndefined();
    }
  });

  it('refuses unknown names, missing assets, bad parameters and fingerprint mismatches', async () => {
    await expect(createEncoder({ name: 'splade-magic' })).rejects.toThrow(
      /unknown encoder "splade-magic"; registered: .*bm25/,
    );
    await expect(createEncoder({ name: 'bm25', tokenizer: 'bert-base-uncased' })).rejects.toThrow(
      /needs its statistics asset "bm25-stats.msgpack"/,
    );
    await expect(createEncoder({ name: 'weight-table', tokenizer: 'bert-base-uncased' })).rejects.toThrow(
      /needs asset "query-weights.cswt"; given: none/,
    );
    await expect(
      createEncoder({ name: 'bm25', tokenizer: 'bert-base-uncased', statsHash: 'x', k1: 'big' }),
    ).rejects.toThrow(/"k1" must be a number ≥ 0, got "big"/);
    await expect(createEncoder({ name: 'bm25', statsHash: 'x' })).rejects.toThrow(/needs a "tokenizer"/);
    await expect(
      createEncoder({ name: 'precomputed', vocabulary: 'bert-base-uncased', unknownTokens: 'extend' }),
    ).rejects.toThrow(/"unknownTokens" must be "error" or "ignore"/);
    const { config, assets } = new Bm25Encoder({ tokenizer: bert, stats }).describe();
    await expect(
      createEncoder(
        { ...config, k1: 2 },
        { assets, expectedFingerprint: (await createEncoder(config, { assets })).fingerprint },
      ),
    ).rejects.toThrow(/but the index was built with/);
  });

  it('takes new encoders from other modules, and refuses to silently replace one', async () => {
    const factory = (config: EncoderConfig): Encoder => ({
      name: 'constant',
      fingerprint: `constant:${String(config.weight)}`,
      vocabSize: 1,
      tokenOf: () => 'x',
      idOf: (token) => (token === 'x' ? 0 : undefined),
      encode: async (texts) =>
        texts.map(() => ({ terms: Uint32Array.of(0), weights: Float32Array.of(Number(config.weight)) })),
    });
    registerEncoder('constant-test', factory);
    const encoder = await createEncoder({ name: 'constant-test', weight: 3 });
    expect((await encoder.encode(['anything'], 'query'))[0].weights[0]).toBe(3);
    expect(() => registerEncoder('constant-test', factory)).toThrow(/already registered/);
    registerEncoder('constant-test', factory, { replace: true });
    expect(() => registerEncoder('bm25', factory)).toThrow(/"bm25" is already registered/);
  });

  it('loads the assets a manifest names from an object store', async () => {
    const store = new MemoryObjectStore();
    const { config, assets } = new Bm25Encoder({ tokenizer: bert, stats }).describe();
    await store.put('indexes/x/versions/v1/assets/bm25-stats.msgpack', assets[BM25_STATS_ASSET]);
    const loaded = await loadEncoderAssets(store, {
      [BM25_STATS_ASSET]: 'indexes/x/versions/v1/assets/bm25-stats.msgpack',
    });
    const encoder = await createEncoder(config, { assets: loaded });
    expect((await encoder.encode(['cat'], 'document'))[0].terms.length).toBe(1);
    await expect(loadEncoderAssets(store, { other: 'indexes/x/missing' })).rejects.toThrow(
      /asset "other" is missing from the store \(key indexes\/x\/missing\)/,
    );
  });
});
