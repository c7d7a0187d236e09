/**
 * `--encoder precomputed`: corpus lines are JsonVectorCollection records carrying their vectors. The index
 * holds exactly those weights (brute force over the given vectors agrees), lines without a vector and
 * documents the encoder refuses (unknown tokens) go to the rejects and nowhere else, and a rerun is served
 * from the cache.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RejectedLine } from '../../../batch/corpus/read-corpus.ts';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { openDocumentEncoder } from '../../../batch/pipeline/open-document-encoder.ts';
import { encodeRun, indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../../batch/publish/local-search.ts';
import { quantizeQuery, quantizeVector } from '../../../shared/sparse/quantize.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { createTokenizer } from '../../../shared/tokenizers/registry.ts';
import { bruteForceTopK, tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';

const dir = await tempDir('precomputed');
afterAll(() => dir.remove());

const WORDS = ['whale', 'ocean', 'fish', 'mountain', 'snow', 'river', 'coffee', 'bean', 'music', 'piano'];

describe('indexing precomputed vectors', () => {
  it('indexes the given weights exactly and rejects what cannot be indexed', async () => {
    const vectors = Array.from({ length: 40 }, (_, i) => {
      const vector: Record<string, number> = {};
      for (let j = 0; j < 4; j++)
        vector[WORDS[(i * 3 + j * 7) % WORDS.length]] = 0.25 + ((i * 13 + j * 5) % 17) / 4;
      return { id: `v${i}`, contents: `document ${i}`, vector };
    });
    const lines: unknown[] = [...vectors];
    lines.splice(5, 0, { id: 'novector', contents: 'text only' });
    lines.splice(9, 0, { id: 'unknown', contents: 'x', vector: { 'zz-not-a-bert-token-zz': 1 } });
    const corpus = await writeJsonl(`${dir.path}/vectors.jsonl`, lines);
    const store = new MemoryObjectStore();
    const rejects: RejectedLine[] = [];
    const summary = await indexCorpus({
      store,
      index: 'pre',
      run: 'p1',
      corpus: await openCorpus(corpus),
      encoder: await openDocumentEncoder({ kind: 'precomputed', vocabulary: 'bert-base-uncased' }),
      rejects: { add: async (r: RejectedLine) => void rejects.push(r), path: 'memory' } as never,
      batchSize: 8,
    });
    expect(rejects.map((r) => [r.reason, r.id])).toEqual([
      ['missing_vector', 'novector'],
      ['encoder_error', 'unknown'],
    ]);
    expect(summary.documents).toMatchObject({ read: 42, rejected: 2, encoded: 40, indexed: 40 });

    const manifest = await loadManifest(store, 'pre');
    expect(manifest.encoder.name).toBe('precomputed');
    const tokenizer = createTokenizer('bert-base-uncased');
    const quantized = vectors.map((v) => {
      const entries = Object.entries(v.vector)
        .map(([token, weight]) => [tokenizer.idOf(token)!, weight] as const)
        .sort((a, b) => a[0] - b[0]);
      return quantizeVector(
        {
          terms: Uint32Array.from(entries.map((e) => e[0])),
          weights: Float32Array.from(entries.map((e) => e[1])),
        },
        manifest.impact.scale,
        manifest.impact.bits,
      );
    });
    for (const query of ['{"whale": 1, "fish": 0.5}', '{"piano": 2, "snow": 1}']) {
      const vector = await encodeQueryText(store, manifest, query);
      const hits = await searchManifest(store, manifest, vector, { k: 5 });
      const expected = bruteForceTopK(quantized, quantizeQuery(vector, 8).vector, 5);
      expect(hits.map((h) => [h.id, h.integerScore])).toEqual(
        expected.map((e) => [vectors[e.doc].id, e.score]),
      );
      expect(hits.length).toBeGreaterThan(0);
    }

    const again = await encodeRun({
      store,
      index: 'pre',
      run: 'p2',
      corpus: await openCorpus(corpus),
      encoder: await openDocumentEncoder({ kind: 'precomputed', vocabulary: 'bert-base-uncased' }),
    });
    expect(again.part.counts).toMatchObject({ encoded: 0, reused: 40 });
  });
});
