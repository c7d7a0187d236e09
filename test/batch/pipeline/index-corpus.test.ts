/**
 * End to end on one machine (memory and local-folder stores): the sample corpus indexed with BM25 into
 * shards, published, queried; the published answers equal brute-force scoring of independently computed
 * vectors; reruns reuse the cache and follow corpus changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encoderInput } from '../../../batch/corpus/document.ts';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder, finalizeAll } from '../../../batch/pipeline/document-encoder.ts';
import { EmptyRunError } from '../../../batch/pipeline/errors.ts';
import { indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../../batch/publish/local-search.ts';
import { exhaustive } from '../../../shared/engine/algorithms/exhaustive.ts';
import type { QueryTerm } from '../../../shared/engine/types.ts';
import { currentKey } from '../../../shared/index/layout.ts';
import { decodeManifest } from '../../../shared/index/manifest-codec.ts';
import { openShardSync } from '../../../shared/shard/reader.ts';
import { writeShard } from '../../../shared/shard/writer.ts';
import { quantizeQuery, quantizeVector } from '../../../shared/sparse/quantize.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import {
  bruteForceTopK,
  SAMPLE_CORPUS,
  sampleRecords,
  tempDir,
  writeJsonl,
} from '../helpers/pipeline-fixtures.ts';

const folder = await tempDir('index-corpus');
afterAll(() => folder.remove());

async function index(store: ObjectStore, corpusPath: string, run: string, shards = 3) {
  return indexCorpus({
    store,
    index: 'sample',
    run,
    corpus: await openCorpus(corpusPath),
    encoder: new Bm25DocumentEncoder(),
    shards,
    segmentSize: 16,
  });
}

const QUERIES = [
  'who invented the world wide web',
  'largest animal ever',
  'antibiotic discovered by fleming',
  'inverted index posting list search engine',
  'energy from the sun',
];

/**
 * The published answers equal brute-force scoring of independently computed vectors, and a search of one
 * in-memory shard of them with the engine's exhaustive algorithm.
 */
async function expectAnswersAsReferences(store: ObjectStore): Promise<void> {
  const manifest = await loadManifest(store, 'sample');
  const records = await sampleRecords();
  // Recompute the vectors without the cache, the run parts or the shards.
  const encoder = new Bm25DocumentEncoder();
  const texts = records.map((r) => encoderInput({ title: r.title as string, text: r.text as string }));
  const { vectors: counts } = await encoder.encodeDocuments(texts);
  const { vectors } = await finalizeAll(encoder, counts);
  const quantized = vectors.map((v) => quantizeVector(v, manifest.impact.scale, manifest.impact.bits));
  const inMemory = openShardSync(
    'in-memory',
    writeShard({
      shardName: 'in-memory',
      docBase: 0,
      impactBits: manifest.impact.bits,
      indexScale: manifest.impact.scale,
      vectors: quantized,
      externalIds: records.map((r) => r._id as string),
    }).bytes,
  );
  for (const text of QUERIES) {
    const query = await encodeQueryText(store, manifest, text);
    const hits = await searchManifest(store, manifest, query, { k: 10 });
    const expected = bruteForceTopK(quantized, quantizeQuery(query, 8).vector, 10);
    expect(hits.map((h) => [h.id, h.integerScore])).toEqual(
      expected.map((e) => [records[e.doc]._id, e.score]),
    );
    expect(hits.length).toBeGreaterThan(0);
    // And as one in-memory shard of the same vectors, searched with the engine's exhaustive algorithm.
    const q = quantizeQuery(query, 8).vector;
    const postings = inMemory.postingsSync(q.terms);
    const terms = Array.from(q.terms)
      .map((term, i) => ({ term, weight: q.impacts[i], postings: postings.get(term) }))
      .filter((t): t is QueryTerm => t.postings !== undefined);
    const reference = exhaustive.search({ numDocs: inMemory.numDocs, terms, k: 10 });
    expect(hits.map((h) => [h.id, h.integerScore])).toEqual(
      Array.from(reference.docs).map((d, i) => [inMemory.externalId(d), reference.scores[i]]),
    );
  }
}

/** A rerun of the unchanged corpus encodes nothing; one of an edited corpus encodes only what changed. */
async function expectRerunsFollowTheCorpus(store: ObjectStore): Promise<void> {
  const unchanged = await index(store, SAMPLE_CORPUS, 'run2');
  expect(unchanged.documents).toMatchObject({ encoded: 0, reused: 73, indexed: 73 });

  const records = await sampleRecords();
  const edited = records
    .filter((r) => r._id !== 'doc-046') // the blue whale is gone
    .map((r) =>
      r._id === 'doc-013' ? { ...r, text: 'Apollo 11 landed on the Moon in 1969 with a zebra.' } : r,
    );
  edited.push({
    _id: 'doc-new',
    title: 'Axolotl',
    text: 'The axolotl is a salamander that keeps its gills as an adult.',
  });
  const path = await writeJsonl(`${folder.path}/edited-${Math.random().toString(36).slice(2)}.jsonl`, edited);
  const changed = await index(store, path, 'run3');
  expect(changed.documents).toMatchObject({ read: 73, encoded: 2, reused: 71, indexed: 73 });

  const manifest = await loadManifest(store, 'sample');
  expect(manifest.version).toBe(changed.version);
  const whale = await searchManifest(
    store,
    manifest,
    await encodeQueryText(store, manifest, 'blue whale krill'),
  );
  expect(whale.map((h) => h.id)).not.toContain('doc-046');
  const zebra = await searchManifest(store, manifest, await encodeQueryText(store, manifest, 'zebra'));
  expect(zebra[0]?.id).toBe('doc-013');
  const axolotl = await searchManifest(
    store,
    manifest,
    await encodeQueryText(store, manifest, 'axolotl gills'),
  );
  expect(axolotl[0]?.id).toBe('doc-new');
}

describe.each([
  ['memory', () => new MemoryObjectStore() as ObjectStore],
  [
    'local folder',
    () => new LocalFolderObjectStore(`${folder.path}/store-${Math.random().toString(36).slice(2)}`),
  ],
])('indexing the sample corpus into the %s store', (_name, makeStore) => {
  const store = makeStore();

  it('publishes one version whose counts add up', async () => {
    const summary = await index(store, SAMPLE_CORPUS, 'run1');
    expect(summary.documents).toEqual({ read: 73, rejected: 0, encoded: 73, reused: 0, indexed: 73 });
    expect(summary.shards).toBe(3);
    expect(summary.postings).toBeGreaterThan(73 * 10);
    const current = await store.get(currentKey('sample'));
    expect(JSON.parse(new TextDecoder().decode(current!.bytes)).version).toBe(summary.version);
    const manifest = await loadManifest(store, 'sample');
    expect(manifest.docs).toBe(73);
    expect(manifest.shards.map((s) => s.numDocs).reduce((a, b) => a + b)).toBe(73);
    expect(manifest.encoder.name).toBe('bm25');
    expect(Object.keys(manifest.encoder.assets ?? {})).toContain('bm25-stats.msgpack');
    // Nothing of the run is left behind but the cache.
    expect((await store.list('indexes/sample/runs/')).length).toBe(0);
  });

  it('answers queries sensibly, rebuilding the query encoder from the manifest alone', async () => {
    const manifest = await loadManifest(store, 'sample');
    const query = await encodeQueryText(store, manifest, 'who invented the world wide web');
    const hits = await searchManifest(store, manifest, query, { k: 3, storedFields: true });
    expect(hits[0].title).toBe('World Wide Web');
    expect(hits[0].url).toBe('https://en.wikipedia.org/wiki/World_Wide_Web');
  });

  it('answers exactly as brute force and as an in-memory index of independently computed vectors', async () => {
    await expectAnswersAsReferences(store);
  });

  it('reruns on an unchanged corpus from the cache, and follows edits, additions and removals', async () => {
    await expectRerunsFollowTheCorpus(store);
  });

  it('keeps at most the configured number of versions after publishing', async () => {
    const versions = new Set((await store.list('indexes/sample/versions/')).map((o) => o.key.split('/')[3]));
    expect(versions.size).toBe(3); // default keep = 3 after three publishes
    const manifests = await Promise.all(
      [...versions].map(async (v) =>
        decodeManifest((await store.get(`indexes/sample/versions/${v}/manifest.msgpack`))!.bytes),
      ),
    );
    expect(manifests.map((m) => m.docs)).toEqual([73, 73, 73]);
  });
});

describe('corner cases', () => {
  it('refuses to publish a corpus without one valid document, and never makes empty shards', async () => {
    const store = new MemoryObjectStore();
    const bad = await writeJsonl(`${folder.path}/all-bad.jsonl`, ['{"_id":"a"}', 'nope']);
    await expect(index(store, bad, 'empty')).rejects.toBeInstanceOf(EmptyRunError);
    expect(await store.head(currentKey('sample'))).toBeNull();

    const two = await writeJsonl(`${folder.path}/two.jsonl`, [
      { _id: 'x', text: 'one small document' },
      { _id: 'y', text: 'another small document' },
    ]);
    const summary = await index(store, two, 'two', 5);
    expect(summary.shards).toBe(2);
    expect((await loadManifest(store, 'sample')).shards.map((s) => s.numDocs)).toEqual([1, 1]);
  });
});
