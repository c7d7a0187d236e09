/**
 * `--encoder onnx:<model dir>` through the pipeline with a tiny generated SPLADE model (onnxruntime-node on
 * CPU): the manifest records the onnx encoder and its fingerprint, the index answers exactly as brute force
 * over the encoder's own document vectors, and a rerun takes every vector from the cache (no model call).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encoderInput } from '../../../batch/corpus/document.ts';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { writeTinyModelDir } from '../../../batch/model/tiny-model-dir.node.ts';
import { createOnnxEncoder } from '../../../batch/onnx/onnx-encoder.node.ts';
import { openDocumentEncoder } from '../../../batch/pipeline/open-document-encoder.ts';
import { encodeRun, indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { loadManifest, searchManifest } from '../../../batch/publish/local-search.ts';
import { quantizeQuery, quantizeVector } from '../../../shared/sparse/quantize.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { bruteForceTopK, SAMPLE_CORPUS, sampleRecords, tempDir } from '../helpers/pipeline-fixtures.ts';

const dir = await tempDir('onnx-pipeline');
afterAll(() => dir.remove());

describe('indexing with the onnx encoder', () => {
  it('publishes the model encoder in the manifest and answers exactly, then reruns from the cache', async () => {
    const modelDir = `${dir.path}/model`;
    await writeTinyModelDir(modelDir, { architecture: 'masked-lm', vocabSize: 1000, seed: 7 });
    const store = new MemoryObjectStore();
    const encoder = await openDocumentEncoder({ kind: 'onnx', modelDir });
    try {
      const summary = await indexCorpus({
        store,
        index: 'neural',
        run: 'n1',
        corpus: await openCorpus(SAMPLE_CORPUS),
        encoder,
        shards: 2,
      });
      expect(summary.documents).toMatchObject({ encoded: 73, indexed: 73 });
      expect(summary.tokensEncoded).toBeGreaterThan(73 * 10); // counted by the model's tokenizer
      const manifest = await loadManifest(store, 'neural');
      expect(manifest.encoder.name).toBe('onnx');
      expect(manifest.encoder.fingerprint).toBe(encoder.cacheFingerprint);
      expect(manifest.vocabSize).toBe(1000);

      const model = await createOnnxEncoder(modelDir);
      try {
        const records = await sampleRecords();
        const docs = await model.encode(
          records.map((r) => encoderInput({ title: r.title as string, text: r.text as string })),
          'document',
        );
        const quantized = docs.map((v) => quantizeVector(v, manifest.impact.scale, manifest.impact.bits));
        for (const text of ['volcano lava', 'who wrote hamlet']) {
          const [query] = await model.encode([text], 'query');
          const hits = await searchManifest(store, manifest, query, { k: 10 });
          const expected = bruteForceTopK(quantized, quantizeQuery(query, 8).vector, 10);
          expect(hits.map((h) => [h.id, h.integerScore])).toEqual(
            expected.map((e) => [records[e.doc]._id, e.score]),
          );
          expect(hits.length).toBeGreaterThan(0);
        }
      } finally {
        await model.close?.();
      }

      const again = await encodeRun({
        store,
        index: 'neural',
        run: 'n2',
        corpus: await openCorpus(SAMPLE_CORPUS),
        encoder,
      });
      expect(again.part.counts).toMatchObject({ encoded: 0, reused: 73 });
    } finally {
      await encoder.close();
    }
  });
});
