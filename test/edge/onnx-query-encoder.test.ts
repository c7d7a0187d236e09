/**
 * The runtime-neutral ONNX query encoder (edge/encoders/onnx-query-encoder.ts) over onnxruntime-web
 * (its wasm build, in Node here) against the batch job's encoder over onnxruntime-node, on tiny
 * generated model directories: the same fingerprint (so the registry accepts it for an index built by
 * the batch job) and the same query vectors.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModelDir } from '../../batch/model/tiny-model-dir.node.ts';
import { createOnnxEncoder } from '../../batch/onnx/onnx-encoder.node.ts';
import { type OrtRuntime, onnxQueryEncoderFactory } from '../../edge/encoders/onnx-query-encoder.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-onnx-web-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const loadOrtWeb = async () => {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  return ort as unknown as OrtRuntime;
};

describe.each([
  ['masked-lm', { architecture: 'masked-lm' as const }],
  ['causal-lm echo', { architecture: 'causal-lm' as const, variant: 'echo' as const }],
])('%s', (name, options) => {
  it('has the Node encoder fingerprint and encodes queries to the same vectors', async () => {
    const modelDir = join(dir, name.replace(' ', '-'));
    const config = await writeTinyModelDir(modelDir, { ...options, seed: 11 });
    const node = await createOnnxEncoder(modelDir, { tokenizerThreads: 0 });
    const description = node.describe();
    const web = await onnxQueryEncoderFactory(loadOrtWeb)(description.config, {
      assets: {
        [config.model]: new Uint8Array(await readFile(join(modelDir, config.model))),
        'tokenizer.json': new Uint8Array(await readFile(join(modelDir, 'tokenizer.json'))),
      },
    });
    try {
      expect(web.fingerprint).toBe(node.fingerprint);
      const queries = [
        'photosynthesis in plants',
        'a much longer query about the roman empire and its roads',
        'x',
      ];
      const [fromNode, fromWeb] = await Promise.all([
        node.encode(queries, 'query'),
        web.encode(queries, 'query'),
      ]);
      fromWeb.forEach((v, i) => {
        expect(v.terms.length).toBeGreaterThan(0);
        expect(Array.from(v.terms)).toEqual(Array.from(fromNode[i].terms));
        v.weights.forEach((w, j) => {
          expect(w).toBeCloseTo(fromNode[i].weights[j], 5);
        });
      });
    } finally {
      await node.close();
      await web.close?.();
    }
  });
});

it('names the missing assets of a manifest that only points at a local model directory', async () => {
  const modelDir = join(dir, 'no-assets');
  await writeTinyModelDir(modelDir, { architecture: 'masked-lm' });
  const node = await createOnnxEncoder(modelDir, { tokenizerThreads: 0 });
  await node.close();
  await expect(onnxQueryEncoderFactory(loadOrtWeb)(node.describe().config, {})).rejects.toMatchObject({
    code: 'missing_asset',
    message: expect.stringContaining('model.onnx'),
  });
});
