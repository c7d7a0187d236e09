import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareModelDir } from '../../../batch/model/prepare.ts';
import { OnnxEncoder } from '../../../batch/onnx/onnx-encoder.node.ts';
import { maxMergeSparse, spladePoolDense, topKDense } from '../../../shared/encoders/onnx/pooling.ts';
import { buildSequences } from '../../../shared/encoders/onnx/sequences.ts';
import { roleLayout } from '../../../shared/encoders/onnx/text-sequences.ts';
import type { SparseVector } from '../../../shared/sparse/types.ts';
import { removeTempDirs, runSequences, tinyModelDir } from '../model/fixtures.ts';

const encoders: OnnxEncoder[] = [];
async function open(dir: string, options: Parameters<typeof OnnxEncoder.open>[1] = {}): Promise<OnnxEncoder> {
  const encoder = await OnnxEncoder.open(dir, { tokenizerThreads: 0, ...options });
  encoders.push(encoder);
  return encoder;
}
afterAll(async () => {
  await Promise.all(encoders.map((e) => e.close()));
  await removeTempDirs();
});

const TEXTS = [
  'The river flows into the ocean.',
  'learned sparse retrieval with a search index',
  'mountain forest water energy light house market paper study',
  'a',
  '',
  'The university library holds maps and paper.',
];

function expectSameVectors(actual: SparseVector[], expected: SparseVector[], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    expect([...v.terms]).toEqual([...expected[i].terms]);
    v.weights.forEach((w, j) => {
      expect(Math.abs(w - expected[i].weights[j])).toBeLessThanOrEqual(tolerance);
    });
  });
}

function expectValidSparse(v: SparseVector, k: number): void {
  expect(v.terms.length).toBeLessThanOrEqual(k);
  for (let i = 1; i < v.terms.length; i++) expect(v.terms[i]).toBeGreaterThan(v.terms[i - 1]);
  for (const w of v.weights) expect(w).toBeGreaterThan(0);
}

describe('onnx encoder: vectors, pooling and tokenization', () => {
  it('reports the CPU provider here and gives valid sparse vectors cut to each role’s top-k', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const encoder = await open(dir);
    expect(encoder.provider).toBe('cpu');
    expect(encoder.name).toBe('onnx');
    expect(encoder.vocabSize).toBe(1000);
    const docs = await encoder.encode(TEXTS, 'document');
    const queries = await encoder.encode(TEXTS, 'query');
    for (const v of docs) expectValidSparse(v, 128);
    for (const v of queries) expectValidSparse(v, 64);
    expect(Math.max(...docs.map((v) => v.terms.length))).toBeGreaterThan(64);
    expect(encoder.tokenOf(docs[0].terms[0])).toBeTypeOf('string');
  });

  it('unprepared (JS pooling) and prepared (fused head) models give the same vectors', async () => {
    for (const architecture of ['masked-lm', 'causal-lm'] as const) {
      const dir = await tinyModelDir({ architecture });
      const plain = await (await open(dir)).encode(TEXTS, 'document');
      await prepareModelDir(dir);
      const fused = await (await open(dir)).encode(TEXTS, 'document');
      expectSameVectors(fused, plain);
    }
  });

  it('worker-thread tokenization (pipelined, several chunks) gives exactly the inline result, in order', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    await prepareModelDir(dir);
    const texts = Array.from({ length: 90 }, (_, i) =>
      `${TEXTS[i % TEXTS.length]} number ${i} `.repeat(1 + (i % 4)),
    );
    const inline = await (await open(dir, { maxBatchSize: 8 })).encode(texts, 'document');
    const threaded = await open(dir, { tokenizerThreads: 2, maxBatchSize: 8, chunkTexts: 20 });
    // Batches differ (other chunking), so allow float noise from other padded shapes.
    expectSameVectors(await threaded.encode(texts, 'document'), inline);
    expect(threaded.stats().batches).toBeGreaterThan(texts.length / 8 - 1);
  });

  it('query and document templates are applied', async () => {
    const dir = await tinyModelDir({
      architecture: 'causal-lm',
      config: {
        templates: { query: 'query: {text}', document: 'passage: {text}' },
        topK: { query: 128, document: 128 },
      },
    });
    const encoder = await open(dir);
    const [asQuery] = await encoder.encode(['the river'], 'query');
    const [asDocument] = await encoder.encode(['the river'], 'document');
    expect([...asQuery.terms]).not.toEqual([...asDocument.terms]);
    // Each sequence is begin + template prefix + 'the river' (2 tokens) + end.
    const t = encoder.modelDir.tokenizer;
    const expected = t.encode('query: ').ids.length + t.encode('passage: ').ids.length + 2 * (1 + 2 + 1);
    expect(encoder.stats().modelTokens).toBe(expected);
  });
});

describe('onnx encoder: windows, echo and fingerprint', () => {
  it('windows of a long document are max-pooled: equal to merging each window run separately', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm', config: { maxLength: 16 } });
    const encoder = await open(dir);
    const text = Array.from(
      { length: 40 },
      (_, i) => ['river', 'ocean', 'search', 'index', 'light'][i % 5],
    ).join(' ');
    const [vector] = await encoder.encode([text], 'document');
    const layout = roleLayout(encoder.modelDir.config, encoder.modelDir.tokenizer, 'document');
    const windows = buildSequences(encoder.modelDir.tokenizer.encode(text).ids, layout);
    expect(windows.length).toBe(3); // 40 tokens, 14 per window
    expect(encoder.stats().sequences).toBe(3);
    const perWindow: SparseVector[] = [];
    for (const w of windows) {
      const raw = await runSequences(join(dir, 'model.onnx'), [w]);
      perWindow.push(topKDense(spladePoolDense(raw.logits!, raw.dims!, 0, w.poolStart, w.poolEnd), 128));
    }
    expectSameVectors([vector], [maxMergeSparse(perWindow, 128)]);
  });

  it('echo pools only over the second copy of [begin, T(x), T(x), end]', async () => {
    const dir = await tinyModelDir({
      architecture: 'causal-lm',
      variant: 'echo',
      config: { topK: { query: 1000, document: 1000 } },
    });
    const encoder = await open(dir);
    const text = 'the river flows into the ocean';
    const [vector] = await encoder.encode([text], 'document');
    const textIds = encoder.modelDir.tokenizer.encode(text).ids;
    const [sequence] = buildSequences(
      textIds,
      roleLayout(encoder.modelDir.config, encoder.modelDir.tokenizer, 'document'),
    );
    const n = textIds.length;
    expect(sequence.ids.length).toBe(1 + 2 * n + 1);
    expect([sequence.poolStart, sequence.poolEnd]).toEqual([1 + n, 1 + 2 * n]);
    expect([...sequence.ids.subarray(1, 1 + n)]).toEqual([...sequence.ids.subarray(1 + n, 1 + 2 * n)]);
    const raw = await runSequences(join(dir, 'model.onnx'), [sequence]);
    const secondCopy = topKDense(spladePoolDense(raw.logits!, raw.dims!, 0, 1 + n, 1 + 2 * n), 1000);
    const wholeSequence = topKDense(spladePoolDense(raw.logits!, raw.dims!, 0, 0, sequence.ids.length), 1000);
    expectSameVectors([vector], [secondCopy]);
    // The test can fail: pooling the first copy (or begin/end) too would give a different vector.
    expect([...wholeSequence.terms]).not.toEqual([...secondCopy.terms]);

    // Prepared: the pooling_mask covers the second copy only, and the fused head agrees.
    await prepareModelDir(dir);
    const [fused] = await (await open(dir)).encode([text], 'document');
    expectSameVectors([fused], [secondCopy]);
  });

  it('echo: a token in the first copy reaches the pooled vector only through attention', async () => {
    // Precisely: pooled weights are a max over second-copy positions. Changing a first-copy token
    // (in the raw model, outside the echo layout) leaves every first-copy logit before it, and
    // the pooling_mask, unchanged; the pooled vector changes only via the second copy's attention.
    const dir = await tinyModelDir({ architecture: 'causal-lm', variant: 'echo' });
    const encoder = await open(dir);
    const tokenizer = encoder.modelDir.tokenizer;
    const ids = tokenizer.encode('river ocean search index').ids;
    const [sequence] = buildSequences(ids, roleLayout(encoder.modelDir.config, tokenizer, 'document'));
    const altered = Uint32Array.from(sequence.ids);
    altered[1 + ids.length - 1] = tokenizer.idOf('light')!; // last token of the first copy
    const a = await runSequences(join(dir, 'model.onnx'), [sequence]);
    const b = await runSequences(join(dir, 'model.onnx'), [{ ...sequence, ids: altered }]);
    const vocab = a.dims![2];
    const firstCopyPrefix = ids.length; // positions 0..n-1: begin + first n-1 tokens of copy one
    expect(a.logits!.subarray(0, firstCopyPrefix * vocab)).toEqual(
      b.logits!.subarray(0, firstCopyPrefix * vocab),
    );
    const pooledA = spladePoolDense(a.logits!, a.dims!, 0, sequence.poolStart, sequence.poolEnd);
    const pooledB = spladePoolDense(b.logits!, b.dims!, 0, sequence.poolStart, sequence.poolEnd);
    expect(pooledA).not.toEqual(pooledB); // second-copy positions attend to the changed token
  });

  it('fingerprint is stable across opens and changes with the model bytes or the config', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const first = await open(dir);
    const second = await open(dir);
    expect(second.fingerprint).toBe(first.fingerprint);
    const otherSeed = await tinyModelDir({ architecture: 'masked-lm', seed: 77 });
    expect((await open(otherSeed)).fingerprint).not.toBe(first.fingerprint);
    expect((await open(dir, { configOverrides: { maxLength: 64 } })).fingerprint).not.toBe(first.fingerprint);
  });
});

describe('onnx in the encoder registry', () => {
  it('createEncoder({ name: "onnx", modelDir }) opens the directory and checks the fingerprint', async () => {
    await import('../../../batch/onnx/register.node.ts');
    const { createEncoder } = await import('../../../shared/encoders/registry.ts');
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const direct = await open(dir);
    const description = direct.describe();
    expect(description.config).toMatchObject({ name: 'onnx', modelDir: dir });
    const viaRegistry = await createEncoder(description.config, { expectedFingerprint: direct.fingerprint });
    encoders.push(viaRegistry as OnnxEncoder);
    expect(viaRegistry.fingerprint).toBe(direct.fingerprint);
    const [a] = await viaRegistry.encode(['the river'], 'query');
    const [b] = await direct.encode(['the river'], 'query');
    expect([...a.terms]).toEqual([...b.terms]);
    await expect(createEncoder({ name: 'onnx' })).rejects.toThrow(/needs "modelDir"/);
  });
});

describe('tokenizer worker pool', () => {
  it('fails pending and later calls with a typed error when a worker dies', async () => {
    const { TokenizerPool } = await import('../../../batch/onnx/tokenizer-pool.node.ts');
    const { loadModelDir } = await import('../../../batch/onnx/model-dir.node.ts');
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const model = await loadModelDir(dir);
    const pool = new TokenizerPool(model.tokenizerSource, model.config, 1);
    const first = await pool.tokenize(['the river'], 'document');
    expect(first.offsets.length).toBe(2);
    await (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0].terminate();
    await expect(pool.tokenize(['the ocean'], 'document')).rejects.toThrow(
      /a tokenizer worker stopped: exit code 1/,
    );
    await pool.close();
  });
});
