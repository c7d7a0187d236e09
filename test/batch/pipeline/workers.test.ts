/**
 * An encode run split across N workers (CLI children taking their index from AWS Batch's and Kubernetes'
 * environment variables, plus one in-process worker), then one publish: each worker encodes a disjoint
 * slice, publish refuses while a part is missing, and the published index equals the one-machine index.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { RunIncompleteError } from '../../../batch/pipeline/errors.ts';
import { loadCompleteRun } from '../../../batch/pipeline/load-run.ts';
import { encodeRun, indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../../batch/publish/local-search.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { runCli } from '../helpers/cli-process.ts';
import { sampleRecords, tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';

const dir = await tempDir('workers');
afterAll(() => dir.remove());

/** Two CLI children, each taking its worker index (and one the count) from the environment. */
async function encodeByEnvironment(common: string[]): Promise<void> {
  const [w0, w1] = await Promise.all([
    runCli(['encode', ...common, '--workers', '3', '--rejects', `${dir.path}/rejects.jsonl`], {
      AWS_BATCH_JOB_ARRAY_INDEX: '0',
    }),
    runCli(['encode', ...common, '--rejects', `${dir.path}/rejects-w1.jsonl`], {
      JOB_COMPLETION_INDEX: '1',
      CSPLADE_WORKERS: '3',
    }),
  ]);
  expect(w0.code, w0.stderr).toBe(0);
  expect(w1.code, w1.stderr).toBe(0);
  expect(JSON.parse(w0.stdout)).toMatchObject({ worker: 0, workers: 3, documents: { rejected: 2 } });
  expect(JSON.parse(w1.stdout)).toMatchObject({ worker: 1, workers: 3, documents: { rejected: 0 } });
}

async function expectPublishRefusesIncompleteRun(store: LocalFolderObjectStore, storePath: string) {
  const early = await runCli(['publish', '--index', 'split', '--store', storePath, '--run', 'array1']);
  expect(early.code).toBe(1);
  expect(early.stderr).toMatch(/1 of 3 workers have not finished \(missing: 2\).*run_incomplete/);
  await expect(loadCompleteRun(store, 'split', 'array1')).rejects.toBeInstanceOf(RunIncompleteError);
  expect(await store.head('indexes/split/CURRENT')).toBeNull();
}

/** The last worker in process; then the three parts are disjoint slices covering the corpus. */
async function encodeLastWorker(store: LocalFolderObjectStore, corpus: string): Promise<void> {
  const w2 = await encodeRun({
    store,
    index: 'split',
    run: 'array1',
    worker: 2,
    workers: 3,
    corpus: await openCorpus(corpus),
    encoder: new Bm25DocumentEncoder(),
  });
  const run = await loadCompleteRun(store, 'split', 'array1');
  const slices = run.parts.map((p) => p.docs.ids);
  expect(slices.every((ids) => ids.length > 10)).toBe(true);
  expect(new Set(slices.flat()).size).toBe(73);
  expect(slices.flat()).toHaveLength(73);
  expect(w2.part.counts.encoded).toBe(slices[2].length);
}

async function publishByCli(storePath: string): Promise<void> {
  const published = await runCli([
    'publish',
    '--index',
    'split',
    '--store',
    storePath,
    '--run',
    'array1',
    '--json',
  ]);
  expect(published.code, published.stderr).toBe(0);
  expect(JSON.parse(published.stdout)).toMatchObject({ docs: 73 });
  const rejects = (await readFile(`${dir.path}/rejects.jsonl`, 'utf8')).trim().split('\n');
  expect(rejects.map((l) => JSON.parse(l).reason)).toEqual(['invalid_json', 'duplicate_id']);
}

/** The same corpus on one machine: same documents in the same order, same answers. */
async function expectSameAsOneMachine(store: LocalFolderObjectStore, corpus: string): Promise<void> {
  const single = new MemoryObjectStore();
  await indexCorpus({
    store: single,
    index: 'split',
    run: 'one',
    corpus: await openCorpus(corpus),
    encoder: new Bm25DocumentEncoder(),
  });
  const [a, b] = await Promise.all([loadManifest(store, 'split'), loadManifest(single, 'split')]);
  expect(a.docs).toBe(b.docs);
  expect(a.impact).toEqual(b.impact);
  expect(a.stats.rejected).toBe(2);
  for (const text of ['photosynthesis oxygen', 'computer programmer', 'world cup football']) {
    const query = await encodeQueryText(single, b, text);
    const hitsA = await searchManifest(store, a, query, { k: 10 });
    const hitsB = await searchManifest(single, b, query, { k: 10 });
    expect(hitsA.map((h) => [h.id, h.doc, h.integerScore])).toEqual(
      hitsB.map((h) => [h.id, h.doc, h.integerScore]),
    );
    expect(hitsA.length).toBeGreaterThan(0);
  }
}

describe('three encode workers and one publish', () => {
  it('splits the corpus, refuses an incomplete run, and publishes the same index as one machine', async () => {
    const records: unknown[] = await sampleRecords();
    records.splice(10, 0, '{"_id": "broken"', '{"_id":"doc-001","text":"duplicate"}');
    const corpus = await writeJsonl(`${dir.path}/corpus.jsonl`, records);
    const storePath = `${dir.path}/store`;
    const store = new LocalFolderObjectStore(storePath);
    const common = [
      '--corpus',
      corpus,
      '--index',
      'split',
      '--store',
      storePath,
      '--run',
      'array1',
      '--json',
    ];
    await encodeByEnvironment(common);
    await expectPublishRefusesIncompleteRun(store, storePath);
    await encodeLastWorker(store, corpus);
    await publishByCli(storePath);
    await expectSameAsOneMachine(store, corpus);
  });
});
