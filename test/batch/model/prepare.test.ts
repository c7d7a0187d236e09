import { copyFile, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { externalDataFiles, loadModelFile } from '../../../batch/model/model-file.node.ts';
import { addSpladeHead, prepareModel, prepareModelDir } from '../../../batch/model/prepare.ts';
import { bfloat16ToFloat32 } from '../../../shared/encoders/onnx/half-float.ts';
import { spladePoolDense, topKDense } from '../../../shared/encoders/onnx/pooling.ts';
import type { ModelSequence } from '../../../shared/encoders/onnx/sequences.ts';
import { removeTempDirs, runSequences, tempDir, tinyModelDir } from './fixtures.ts';

afterAll(removeTempDirs);

const sequences: ModelSequence[] = [
  { ids: Uint32Array.from([5, 100, 200, 300, 400, 6]), poolStart: 0, poolEnd: 6 },
  { ids: Uint32Array.from([5, 150, 250, 6]), poolStart: 0, poolEnd: 4 },
  // echo-like: pool only positions 3..5
  { ids: Uint32Array.from([5, 120, 130, 120, 130, 6]), poolStart: 3, poolEnd: 5 },
];

/** Asserts the prepared head's (ids, weights) equal JS SPLADE pooling of the raw logits. */
async function expectHeadMatchesJsPooling(
  rawPath: string,
  preparedPath: string,
  k: number,
  usePoolRange: boolean,
): Promise<void> {
  const raw = await runSequences(rawPath, sequences);
  const head = await runSequences(preparedPath, sequences);
  expect(head.k).toBe(k);
  sequences.forEach((s, b) => {
    const [start, end] = usePoolRange ? [s.poolStart, s.poolEnd] : [0, s.ids.length];
    const expected = topKDense(spladePoolDense(raw.logits!, raw.dims!, b, start, end), k);
    const got = new Map<number, number>();
    for (let i = 0; i < k; i++)
      if (head.termWeights![b * k + i] > 0)
        got.set(Number(head.termIds![b * k + i]), head.termWeights![b * k + i]);
    expect(got.size).toBe(expected.terms.length);
    expected.terms.forEach((term, i) => {
      expect(got.has(term)).toBe(true);
      expect(Math.abs(got.get(term)! - expected.weights[i])).toBeLessThan(1e-5);
    });
  });
}

describe('prepare: fused SPLADE head over each logits type', () => {
  it('masked-lm with a pooling_mask input equals JS pooling of the logits (ids, weights within 1e-5)', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const result = await prepareModel(join(dir, 'model.onnx'), { k: 40 });
    expect(result.pooling).toBe('pooling_mask');
    await expectHeadMatchesJsPooling(join(dir, 'model.onnx'), result.saved.path, 40, true);
  });

  it('causal-lm pooling over attention_mask equals JS pooling over all real tokens', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm' });
    const result = await prepareModel(join(dir, 'model.onnx'), { k: 25, pooling: 'attention_mask' });
    const session = await ort.InferenceSession.create(result.saved.path);
    expect(session.inputNames).not.toContain('pooling_mask');
    expect([...session.outputNames].sort()).toEqual(['term_ids', 'term_weights']);
    await session.release();
    await expectHeadMatchesJsPooling(join(dir, 'model.onnx'), result.saved.path, 25, false);
  });

  it('handles float16 logits: masks and max-pools in fp16, casts to float after the max', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm', logitsType: 'float16' });
    const result = await prepareModel(join(dir, 'model.onnx'), { k: 30 });
    expect(result.logitsType).toBe('float16');
    const graph = (await loadModelFile(result.saved.path)).graph!;
    expect(graph.node!.filter((n) => n.input!.includes('logits')).map((n) => n.opType)).toEqual(['Where']);
    // onnxruntime's CPU provider has no fp16 kernels here, inserts casts to float and then drops the
    // model's own float→fp16→float round trip, so on CPU the head sees the unrounded float logits:
    // it matches the float32 twin (same seed) exactly, and the fp16 logits to fp16 precision.
    const floatTwin = await tinyModelDir({ architecture: 'causal-lm' });
    await expectHeadMatchesJsPooling(join(floatTwin, 'model.onnx'), result.saved.path, 30, true);
    const half = await runSequences(join(dir, 'model.onnx'), sequences);
    const head = await runSequences(result.saved.path, sequences);
    sequences.forEach((s, b) => {
      const dense = spladePoolDense(half.logits!, half.dims!, b, s.poolStart, s.poolEnd);
      for (let i = 0; i < 30; i++) {
        const term = Number(head.termIds![b * 30 + i]);
        expect(Math.abs(head.termWeights![b * 30 + i] - dense[term])).toBeLessThan(2e-3);
      }
    });
  });

  it('handles bfloat16 logits (which onnxruntime-node cannot even return to JavaScript)', async () => {
    // Reference: the float32 twin (same seed) with its logits rounded to bfloat16 in JS.
    const floatDir = await tinyModelDir({ architecture: 'masked-lm' });
    const dir = await tinyModelDir({ architecture: 'masked-lm', logitsType: 'bfloat16' });
    await expect(runSequences(join(dir, 'model.onnx'), sequences)).rejects.toThrow(/Unsupported data type/);
    const result = await prepareModel(join(dir, 'model.onnx'), { k: 30 });
    expect(result.logitsType).toBe('bfloat16');
    const raw = await runSequences(join(floatDir, 'model.onnx'), sequences);
    const rounded = bfloat16ToFloat32(float32ToBfloat16(raw.logits!));
    const head = await runSequences(result.saved.path, sequences);
    sequences.forEach((s, b) => {
      const expected = topKDense(spladePoolDense(rounded, raw.dims!, b, s.poolStart, s.poolEnd), 30);
      const got = new Map<number, number>();
      for (let i = 0; i < 30; i++) got.set(Number(head.termIds![b * 30 + i]), head.termWeights![b * 30 + i]);
      expected.terms.forEach((term, i) => {
        expect(Math.abs((got.get(term) ?? -1) - expected.weights[i])).toBeLessThan(1e-5);
      });
    });
  });

  it('clamps k to the vocabulary', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm', vocabSize: 300 });
    const result = await prepareModel(join(dir, 'model.onnx'), { k: 5000 });
    expect(result.k).toBe(300);
  });
});

describe('prepare: external data, model directories, refusals', () => {
  it('keeps external data: the prepared graph references the same data file and loads intact', async () => {
    const dir = await tinyModelDir({ architecture: 'causal-lm', externalData: true });
    const before = await readdir(dir);
    expect(before).toContain('model.onnx.data');
    const graphBytes = (await stat(join(dir, 'model.onnx'))).size;
    expect(graphBytes).toBeLessThan(20_000); // weights are outside the protobuf
    const result = await prepareModel(join(dir, 'model.onnx'), { k: 20 });
    expect(result.saved.externalFiles).toEqual(['model.onnx.data']);
    expect(result.saved.bytes).toBeLessThan(20_000);
    await expectHeadMatchesJsPooling(join(dir, 'model.onnx'), result.saved.path, 20, true);
  });

  it('writing into another folder copies the external data file next to the output', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm', externalData: true });
    const out = await tempDir();
    const result = await prepareModel(join(dir, 'model.onnx'), { k: 20, output: join(out, 'prepared.onnx') });
    expect(await readdir(out)).toEqual(expect.arrayContaining(['prepared.onnx', 'model.onnx.data']));
    expect(await readFile(join(out, 'model.onnx.data'))).toEqual(
      await readFile(join(dir, 'model.onnx.data')),
    );
    await expectHeadMatchesJsPooling(join(dir, 'model.onnx'), result.saved.path, 20, true);
  });

  it('prepareModelDir points csplade-model.json at the prepared graph', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    await prepareModelDir(dir, { k: 64 });
    const config = JSON.parse(await readFile(join(dir, 'csplade-model.json'), 'utf8'));
    expect(config.model).toBe('model.prepared.onnx');
    expect(config.prepared).toEqual({ k: 64, pooling: 'pooling_mask' });
    await expect(prepareModelDir(dir)).rejects.toThrow(/already prepared/);
  });

  it('refuses graphs that are already prepared or have no logits output, naming the problem', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const result = await prepareModel(join(dir, 'model.onnx'), { k: 10 });
    await expect(prepareModel(result.saved.path, { k: 10 })).rejects.toThrow(/already prepared/);
    const model = await loadModelFile(join(dir, 'model.onnx'));
    expect(() => addSpladeHead(model, { k: 10, logitsName: 'scores' })).toThrow(
      /no "scores" output \(outputs: logits\)/,
    );
  });

  it('loadModelFile lists no external files for an inline model', async () => {
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    await copyFile(join(dir, 'model.onnx'), join(dir, 'copy.onnx'));
    expect(externalDataFiles(await loadModelFile(join(dir, 'copy.onnx')))).toEqual([]);
  });
});

/** float32 → bfloat16 bits, round to nearest even (as onnxruntime's Cast). */
function float32ToBfloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return Uint16Array.from(bits, (x) => (x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
}

describe('csplade model prepare (CLI verb)', () => {
  it('prepares a model directory in place and prints what it did; bad flags are usage errors', async () => {
    const { csplade } = await import('../helpers/cli.ts');
    const dir = await tinyModelDir({ architecture: 'causal-lm', variant: 'echo' });
    const run = await csplade(['model', 'prepare', '.', '--k', '32'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /prepared .*model\.prepared\.onnx: top-32 per sequence, pooling by pooling_mask, logits float32/,
    );
    const config = JSON.parse(await readFile(join(dir, 'csplade-model.json'), 'utf8'));
    expect(config.prepared).toEqual({ k: 32, pooling: 'pooling_mask' });
    const bad = await csplade(['model', 'prepare', '.', '--k', 'many'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--k <n>' argument 'many' is invalid\. must be an integer ≥ 1/);
  });

  it('takes an absolute model path as it is, whatever the working directory', async () => {
    const { csplade } = await import('../helpers/cli.ts');
    const dir = await tinyModelDir({ architecture: 'masked-lm' });
    const run = await csplade(['model', 'prepare', join(dir, 'model.onnx'), '--k', '16'], { cwd: '/usr' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`prepared ${join(dir, 'model.prepared.onnx')}`);
  });
});
