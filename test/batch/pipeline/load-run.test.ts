/**
 * What `build`/`publish` refuse to assemble: parts from different corpora, different worker counts, or
 * a worker count other than the one the orchestrator expects — each with a message naming the problem.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { RunIncompleteError } from '../../../batch/pipeline/errors.ts';
import { loadCompleteRun } from '../../../batch/pipeline/load-run.ts';
import { encodeRun } from '../../../batch/pipeline/pipeline.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { SAMPLE_CORPUS, sampleRecords, tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';

const dir = await tempDir('load-run');
afterAll(() => dir.remove());

async function part(store: MemoryObjectStore, run: string, corpus: string, worker: number, workers: number) {
  await encodeRun({
    store,
    index: 'parts',
    run,
    worker,
    workers,
    corpus: await openCorpus(corpus),
    encoder: new Bm25DocumentEncoder(),
  });
}

describe('loadCompleteRun', () => {
  it('refuses parts read from different corpora', async () => {
    const store = new MemoryObjectStore();
    const grown = await writeJsonl(`${dir.path}/grown.jsonl`, [
      ...(await sampleRecords()),
      { _id: 'late', text: 'a document added while the array job ran' },
    ]);
    await part(store, 'mixed', SAMPLE_CORPUS, 0, 2);
    await part(store, 'mixed', grown, 1, 2);
    await expect(loadCompleteRun(store, 'parts', 'mixed')).rejects.toThrow(/read different corpora/);
  });

  it('refuses mixed worker counts and an unexpected worker count', async () => {
    const store = new MemoryObjectStore();
    await part(store, 'counts', SAMPLE_CORPUS, 0, 2);
    await part(store, 'counts', SAMPLE_CORPUS, 1, 3);
    await expect(loadCompleteRun(store, 'parts', 'counts')).rejects.toThrow(/disagree on the worker count/);

    await part(store, 'two', SAMPLE_CORPUS, 0, 2);
    await part(store, 'two', SAMPLE_CORPUS, 1, 2);
    expect((await loadCompleteRun(store, 'parts', 'two')).ids).toHaveLength(73);
    await expect(loadCompleteRun(store, 'parts', 'two', 4)).rejects.toBeInstanceOf(RunIncompleteError);
    await expect(loadCompleteRun(store, 'parts', 'two', 4)).rejects.toThrow(
      /written for 2 workers, not the 4/,
    );
  });
});
