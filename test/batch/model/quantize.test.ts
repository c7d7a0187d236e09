import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { driftOnSamples, modelQuantizeCommand } from '../../../batch/model/commands.ts';
import { loadModelFile } from '../../../batch/model/model-file.node.ts';
import { prepareModel } from '../../../batch/model/prepare.ts';
import { quantizeInt8, quantizeModel, quantizeNBits } from '../../../batch/model/quantize.ts';
import { SeededRandom } from '../../../batch/model/seeded-random.ts';
import { removeTempDirs, tinyModelDir } from './fixtures.ts';

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
  });

  it('the CLI verb prints sizes and the drift on sample texts', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk) => {
      printed += String(chunk);
    });
    const code = await modelQuantizeCommand.run(['model.onnx', '--bits', '8'], {
      stdout,
      stderr: new PassThrough(),
      env: {},
      cwd: dir,
    });
    expect(code).toBe(0);
    expect(printed).toMatch(/quantized \d+ weights to 8 bits: 0\.\d+ MiB → 0\.\d+ MiB/);
    expect(JSON.parse(printed.split('\n')[1]).top10Overlap).toBeGreaterThanOrEqual(0.9);
  });
});
