/**
 * Pruning: per-document top-k and minimum weight (deterministic ties), document-frequency pruning, and
 * the options' validation; then the whole build with pruning and 4-bit impacts on the sample corpus.
 */
import { describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { PipelineConfigError } from '../../../batch/pipeline/errors.ts';
import { indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import {
  checkPruningOptions,
  pruneByDocumentFrequency,
  pruneDocument,
} from '../../../batch/pipeline/prune.ts';
import { loadManifest } from '../../../batch/publish/local-search.ts';
import { openShard } from '../../../shared/shard/reader.ts';
import type { SparseVector } from '../../../shared/sparse/types.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { objectByteSource } from '../../../shared/store/object-source.ts';
import { SAMPLE_CORPUS } from '../helpers/pipeline-fixtures.ts';

const vec = (terms: number[], weights: number[]): SparseVector => ({
  terms: Uint32Array.from(terms),
  weights: Float32Array.from(weights),
});

describe('pruneDocument', () => {
  it('keeps the top-k weights in term order, ties to the lower term id', () => {
    const v = vec([1, 4, 7, 9, 12], [0.5, 2, 1, 2, 0.1]);
    const pruned = pruneDocument(v, { docTopK: 3 });
    expect(Array.from(pruned.terms)).toEqual([4, 7, 9]);
    expect(Array.from(pruneDocument(v, { docTopK: 2 }).terms)).toEqual([4, 9]);
    expect(Array.from(pruneDocument(vec([3, 5, 8], [1, 1, 1]), { docTopK: 2 }).terms)).toEqual([3, 5]);
  });

  it('drops weights below the minimum and returns the input untouched when nothing goes', () => {
    const v = vec([1, 2, 3], [0.2, 0.5, 0.9]);
    expect(Array.from(pruneDocument(v, { minWeight: 0.5 }).terms)).toEqual([2, 3]);
    expect(pruneDocument(v, { docTopK: 5, minWeight: 0.1 })).toBe(v);
  });
});

describe('pruneByDocumentFrequency', () => {
  it('removes terms in more than the ratio of documents', () => {
    const docs = [vec([1, 2], [1, 1]), vec([1, 3], [1, 1]), vec([1, 2, 4], [1, 1, 1]), vec([5], [1])];
    expect(pruneByDocumentFrequency(docs, 10, 0.5)).toBe(1); // term 1: df 3 of 4 > 2
    expect(docs.map((d) => Array.from(d.terms))).toEqual([[2], [3], [2, 4], [5]]);
  });

  it('refuses options it cannot honour, naming them', () => {
    expect(() => checkPruningOptions({ docTopK: 0 })).toThrow(PipelineConfigError);
    expect(() => checkPruningOptions({ maxDfRatio: 1.5 })).toThrow(/max df ratio/);
    expect(() => checkPruningOptions({ minWeight: -1 })).toThrow(/min weight/);
  });
});

describe('a pruned, 4-bit build', () => {
  it('applies top-k, df pruning and the impact width to what lands in the shards', async () => {
    const store = new MemoryObjectStore();
    const full = await indexCorpus({
      store,
      index: 'full',
      run: 'f',
      corpus: await openCorpus(SAMPLE_CORPUS),
      encoder: new Bm25DocumentEncoder(),
    });
    const pruned = await indexCorpus({
      store,
      index: 'pruned',
      run: 'p',
      corpus: await openCorpus(SAMPLE_CORPUS),
      encoder: new Bm25DocumentEncoder(),
      impactBits: 4,
      pruning: { docTopK: 8, maxDfRatio: 0.3 },
    });
    expect(pruned.documents.reused).toBe(73); // the cache is shared across indexes
    expect(pruned.postings).toBeLessThanOrEqual(73 * 8);
    expect(pruned.postings).toBeLessThan(full.postings);
    const manifest = await loadManifest(store, 'pruned');
    expect(manifest.impact.bits).toBe(4);
    const shard = await openShard(objectByteSource(store, manifest.shards[0].key, manifest.shards[0].size));
    expect(shard.stats.maxImpact).toBe(15);
    expect(shard.stats.impactBits).toBe(4);
    expect(manifest.stats.pruning).toEqual({ docTopK: 8, maxDfRatio: 0.3 });
    expect(manifest.stats.removedHighDfTerms).toBeGreaterThan(0);

    // The streaming build (one shard in memory at a time) gives the same index as the one-shard build.
    const streamed = await indexCorpus({
      store,
      index: 'pruned3',
      run: 'p3',
      corpus: await openCorpus(SAMPLE_CORPUS),
      encoder: new Bm25DocumentEncoder(),
      impactBits: 4,
      pruning: { docTopK: 8, maxDfRatio: 0.3 },
      shards: 3,
      memoryBudgetPostings: 100, // past the first shard, the write pass loads and transforms again
    });
    const manifest3 = await loadManifest(store, 'pruned3');
    expect(streamed.postings).toBe(pruned.postings);
    expect(manifest3.impact).toEqual(manifest.impact);
    expect(manifest3.stats.removedHighDfTerms).toBe(manifest.stats.removedHighDfTerms);
    expect(manifest3.shards.map((s) => s.postings).reduce((a, b) => a + b)).toBe(manifest.shards[0].postings);
  });
});
