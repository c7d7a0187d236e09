/**
 * Build settings are resolved once, where a verb starts: every default filled in, every value checked —
 * and `index` checks them before it encodes anything, so a bad flag costs no encoding.
 */
import { describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import {
  DEFAULT_MEMORY_BUDGET_POSTINGS,
  resolveBuildSettings,
} from '../../../batch/pipeline/build-settings.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { PipelineConfigError } from '../../../batch/pipeline/errors.ts';
import { indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { DEFAULT_APPROXIMATE_BUILD } from '../../../shared/approximate/format.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { SAMPLE_CORPUS } from '../helpers/pipeline-fixtures.ts';

describe('build settings', () => {
  it('fills in every default', () => {
    expect(resolveBuildSettings({})).toEqual({
      shards: 1,
      impactBits: 8,
      pruning: {},
      memoryBudgetPostings: DEFAULT_MEMORY_BUDGET_POSTINGS,
      docOrder: 'cluster',
      approximate: true,
      approximateSettings: { ...DEFAULT_APPROXIMATE_BUILD },
      defaultMode: 'auto',
      filterable: {},
    });
  });

  it('keeps what was given and refuses what cannot be built, naming it', () => {
    const pruning = { docTopK: 5 };
    const resolved = resolveBuildSettings({ shards: 4, docOrder: 'arrival', pruning, approximate: false });
    expect(resolved).toMatchObject({ shards: 4, docOrder: 'arrival', approximate: false });
    expect(resolved.pruning).toBe(pruning);
    expect(() => resolveBuildSettings({ shards: 0 })).toThrow(/shards must be ≥ 1, got 0/);
    expect(() => resolveBuildSettings({ shards: 1.5 })).toThrow(PipelineConfigError);
    expect(() => resolveBuildSettings({ pruning: { maxDfRatio: 2 } })).toThrow(/max df ratio/);
    expect(() => resolveBuildSettings({ approximateSettings: { blockSize: 0 } })).toThrow(/blockSize 0/);
  });

  it('index refuses a bad setting before it encodes anything', async () => {
    const store = new MemoryObjectStore();
    const run = indexCorpus({
      store,
      index: 'early',
      run: 'r1',
      corpus: await openCorpus(SAMPLE_CORPUS),
      encoder: new Bm25DocumentEncoder(),
      shards: 0,
    });
    await expect(run).rejects.toBeInstanceOf(PipelineConfigError);
    expect(await store.list('')).toEqual([]);
  });
});
