import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { driftOnSamples } from '../../../batch/model/drift-on-samples.ts';
import { GraphBuilder } from '../../../batch/model/graph-builder.ts';
import { loadModelFile, saveModelFile } from '../../../batch/model/model-file.node.ts';
import { DataType, rawTensor } from '../../../batch/model/onnx-proto.ts';
import { prepareModel } from '../../../batch/model/prepare.ts';
import { quantizeInt8, quantizeModel, quantizeNBits } from '../../../batch/model/quantize.ts';
import { SAMPLE_TEXTS } from '../../../batch/model/sample-texts.ts';
import { SeededRandom } from '../../../batch/model/seeded-random.ts';
import { measureDrift } from '../../../batch/model/vector-drift.ts';
import { OnnxEncoder } from '../../../batch/onnx/onnx-encoder.node.ts';
import { csplade } from '../helpers/cli.ts';
import { removeTempDirs, tempDir, tinyModelDir } from './fixtures.ts';

afterAll(removeTempDirs);

describe('quantize: packing', () => {
  it('int8 per column reconstructs every weight within half a step of its column scale', () => {
    const values = new SeededRandom(3).normals(16 * 8, 1);
    const { q, scales } = quantizeInt8(values, 16, 8, 1);
    expect(scales.length).toBe(8);
    for (let r = 0; r < 16; r++) {
      for (let c = 0; c < 8; c++)
        expect(Math.abs(q[r * 8 + c] * scales[c] - values[r * 8 + c])).toBeLessThanOrEqual(
          scales[c] / 2 + 1e-7,
        );
    }
  });

  it('4-bit blocks decode (low nibble first, zero point 8) to within half a step, padding K to the block', () => {
    const k = 40; // not a multiple of the block: the second block is padded
    const n = 3;
    const values = new SeededRandom(5).normals(k * n, 1);
    const { packed, scales, blocks } = quantizeNBits(values, k, n, 32);
    expect(blocks).toBe(2);
    expect(packed.length).toBe(n * blocks * 16);
    for (let col = 0; col < n; col++) {
      for (let row = 0; row < k; row++) {
        const b = Math.floor(row / 32);
        const j = row % 32;
        const byte = packed[(col * blocks + b) * 16 + (j >> 1)];
        const code = j & 1 ? byte >> 4 : byte & 15;
        const scale = scales[col * blocks + b];
        expect(Math.abs((code - 8) * scale - values[row * n + col])).toBeLessThanOrEqual(scale / 2 + 1e-6);
      }
    }
  });
});

describe('quantize: graphs', () => {
  it('a tied embedding (Gather + Transpose → MatMul head) is stored once, as int8, and still computes the same', async () => {
    const vocab = 64;
    const hidden = 16;
    const g = new GraphBuilder();
    const ids = g.input('input_ids', DataType.INT64, ['batch', 'sequence']);
    const table = g.weight('embed', [vocab, hidden], new SeededRandom(9).normals(vocab * hidden, 1));
    const x = g.op('Gather', [table, ids], { axis: 0 });
    g.op('MatMul', [x, g.op('Transpose', [table], { perm: [1, 0] })], {}, { output: 'logits' });
    g.output('logits', DataType.FLOAT, ['batch', 'sequence', vocab]);
    const model = g.build({ name: 'tied' });
    const dir = await tempDir();
    await saveModelFile(model, join(dir, 'tied.onnx'));
    const result = await quantizeModel(join(dir, 'tied.onnx'), { bits: 4 });
    expect(result.tensors).toEqual([{ name: 'embed', as: 'int8-per-row', dims: [vocab, hidden] }]);
    const graph = (await loadModelFile(result.saved.path)).graph!;
    // Only the int8 table, its per-row scales and zero points remain: no float copy of the table.
    expect(graph.initializer!.map((t) => [t.dataType, t.dims!.length])).toEqual([
      [DataType.INT8, 2],
      [DataType.FLOAT, 1],
      [DataType.INT8, 1],
    ]);
    const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from([1n, 5n, 63n]), [1, 3]) };
    const before = (await (await ort.InferenceSession.create(join(dir, 'tied.onnx'))).run(feeds)).logits
      .data as Float32Array;
    const after = (await (await ort.InferenceSession.create(result.saved.path)).run(feeds)).logits
      .data as Float32Array;
    let maxError = 0;
    let maxValue = 0;
    before.forEach((v, i) => {
      maxError = Math.max(maxError, Math.abs(v - after[i]));
      maxValue = Math.max(maxValue, Math.abs(v));
    });
    expect(maxError / maxValue).toBeLessThan(0.02);
  });

  it('says so when the weights are float16', async () => {
    const g = new GraphBuilder();
    const a = g.input('a', DataType.FLOAT16, [2, 32]);
    g.initializer(rawTensor('w', DataType.FLOAT16, [32, 32], new Uint8Array(32 * 32 * 2)));
    g.op('MatMul', [a, 'w'], {}, { output: 'y' });
    g.output('y', DataType.FLOAT16, [2, 32]);
    const dir = await tempDir();
    await saveModelFile(g.build({ name: 'half' }), join(dir, 'half.onnx'));
    await expect(quantizeModel(join(dir, 'half.onnx'), { bits: 8 })).rejects.toThrow(
      /weights in float16; quantize supports float32 exports/,
    );
  });
});

describe('quantize: models', () => {
  it('int8 is under a third of the size and keeps the top terms (overlap ≥ 0.9)', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const result = await quantizeModel(join(dir, 'model.onnx'), { bits: 8 });
    expect(result.bytesAfter).toBeLessThan(result.bytesBefore / 3);
    expect(result.tensors.map((t) => t.as)).toContain('int8-per-column');
    expect(result.tensors.map((t) => t.as)).toContain('int8-per-row');
    const drift = await driftOnSamples(dir, 'model.onnx', 'model.int8.onnx');
    expect(drift!.top10Overlap).toBeGreaterThanOrEqual(0.9);
    expect(drift!.termOverlap).toBeGreaterThanOrEqual(0.9);
    expect(drift!.relativeScoreError).toBeLessThan(0.05);
  });

  it('4-bit uses MatMulNBits, is smaller than int8, and still keeps most top terms', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm' });
    const int8 = await quantizeModel(join(dir, 'model.onnx'), { bits: 8 });
    const int4 = await quantizeModel(join(dir, 'model.onnx'), { bits: 4 });
    expect(int4.bytesAfter).toBeLessThan(int8.bytesAfter);
    const graph = await loadModelFile(int4.saved.path);
    expect(
      graph.graph!.node!.filter((n) => n.opType === 'MatMulNBits' && n.domain === 'com.microsoft').length,
    ).toBeGreaterThan(0);
    // The LM head (output width = vocabulary) stays int8 by default: SPLADE weights are its logits.
    expect(int4.tensors.find((t) => t.name === 'lm_head')?.as).toBe('int8-per-column');
    const drift = await driftOnSamples(dir, 'model.onnx', 'model.int4.onnx');
    expect(drift!.termOverlap).toBeGreaterThanOrEqual(0.75);
  });

  it('a model saved with external data goes through quantize then prepare intact', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm', externalData: true });
    const quantized = await quantizeModel(join(dir, 'model.onnx'), { bits: 8 });
    expect(quantized.saved.externalFiles).toEqual(['model.int8.onnx.data']);
    const prepared = await prepareModel(quantized.saved.path, { k: 64 });
    expect(prepared.saved.externalFiles).toEqual(['model.int8.onnx.data']);
    expect(await readdir(dir)).toEqual(
      expect.arrayContaining(['model.onnx.data', 'model.int8.onnx.data', 'model.int8.prepared.onnx']),
    );
    const drift = await driftOnSamples(dir, 'model.onnx', 'model.int8.onnx');
    expect(drift!.top10Overlap).toBeGreaterThanOrEqual(0.9);
    // The other order too: prepare the external-data model, then quantize the prepared graph.
    const preparedFirst = await prepareModel(join(dir, 'model.onnx'), { k: 64 });
    const preparedThenQuantized = await quantizeModel(preparedFirst.saved.path, { bits: 8 });
    expect(preparedThenQuantized.saved.externalFiles).toEqual(['model.prepared.int8.onnx.data']);
    const head = { k: 64, pooling: 'pooling_mask' } as const;
    const fusedFloat = await OnnxEncoder.open(dir, {
      tokenizerThreads: 0,
      configOverrides: { model: 'model.prepared.onnx', prepared: head, topK: { query: 64, document: 64 } },
    });
    const fusedInt8 = await OnnxEncoder.open(dir, {
      tokenizerThreads: 0,
      configOverrides: {
        model: 'model.prepared.int8.onnx',
        prepared: head,
        topK: { query: 64, document: 64 },
      },
    });
    const viaFused = measureDrift(
      await fusedFloat.encode(SAMPLE_TEXTS, 'document'),
      await fusedInt8.encode(SAMPLE_TEXTS, 'document'),
    );
    await fusedFloat.close();
    await fusedInt8.close();
    expect(viaFused.top10Overlap).toBeGreaterThanOrEqual(0.9);
  });

  it('the CLI verb prints sizes and the drift on sample texts', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const run = await csplade(['model', 'quantize', 'model.onnx', '--bits', '8'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/quantized \d+ weights to 8 bits: [\d.]+ KiB → [\d.]+ KiB/);
    expect(JSON.parse(run.stdout.split('\n')[1]).top10_overlap).toBeGreaterThanOrEqual(0.9);
    // An absolute path is used as it is, not joined to the working directory.
    const absolute = await csplade(['model', 'quantize', join(dir, 'model.onnx'), '--bits', '4'], {
      cwd: '/usr',
    });
    expect(absolute.code, absolute.stderr).toBe(0);
    expect(absolute.stdout).toContain(join(dir, 'model.int4.onnx'));
  });
});
