/**
 * Doc order: the default build clusters similar documents across the whole index (so each shard holds
 * whole subjects and pruning can skip), 'arrival' keeps corpus order. Reordering must be invisible to readers: the same hits, ids,
 * scores and stored fields, only the order among equal scores may differ.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { PipelineConfigError } from '../../../batch/pipeline/errors.ts';
import { indexCorpus } from '../../../batch/pipeline/pipeline.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../../batch/publish/local-search.ts';
import { mulberry32 } from '../../../shared/random.ts';
import { openShardSync } from '../../../shared/shard/reader.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';

const folder = await tempDir('doc-order');
afterAll(() => folder.remove());

// 3,000 documents about 6 topics, interleaved in arrival order: topic = doc number mod 6.
const TOPICS = [
  'whale ocean krill plankton dolphin',
  'volcano lava magma eruption crater',
  'violin cello orchestra symphony concerto',
  'compiler parser bytecode register allocation',
  'wheat harvest tractor irrigation barley',
  'galaxy nebula telescope quasar pulsar',
];
const COMMON = 'the of and in a to is was for on with as by at from'.split(' ');
const rng = mulberry32(7);
const records = Array.from({ length: 3000 }, (_, i) => {
  const topic = TOPICS[i % TOPICS.length].split(' ');
  const words = Array.from({ length: 30 }, () =>
    rng() < 0.5 ? topic[Math.floor(rng() * topic.length)] : COMMON[Math.floor(rng() * COMMON.length)],
  );
  return { _id: `d${i}`, title: `doc ${i}`, text: words.join(' ') };
});
const topicOf = (id: string) => Number(id.slice(1)) % TOPICS.length;

async function build(docOrder: 'cluster' | 'arrival' | undefined): Promise<ObjectStore> {
  const store = new MemoryObjectStore();
  await indexCorpus({
    store,
    index: 'topics',
    run: 'run1',
    corpus: await openCorpus(await writeJsonl(`${folder.path}/corpus.jsonl`, records)),
    encoder: new Bm25DocumentEncoder(),
    shards: 2,
    docOrder,
  });
  return store;
}

/** External ids in local doc-id order, shard after shard. */
async function idsInDocOrder(store: ObjectStore): Promise<string[]> {
  const manifest = await loadManifest(store, 'topics');
  const ids: string[] = [];
  for (const entry of manifest.shards) {
    const shard = openShardSync(entry.key, (await store.get(entry.key))!.bytes);
    for (let d = 0; d < shard.numDocs; d++) ids.push(shard.externalId(d));
  }
  return ids;
}

const topicChanges = (ids: string[]) =>
  ids.filter((id, i) => i > 0 && topicOf(id) !== topicOf(ids[i - 1])).length;

describe('doc order', () => {
  it('clusters documents by default and keeps corpus order with arrival', async () => {
    const clustered = await idsInDocOrder(await build(undefined));
    const arrival = await idsInDocOrder(await build('arrival'));
    expect(arrival).toEqual(records.map((r) => r._id));
    // The same documents, placed by subject across shards: each topic lives (almost) in one shard…
    expect(new Set(clustered)).toEqual(new Set(arrival));
    for (let topic = 0; topic < TOPICS.length; topic++) {
      const inFirst = clustered.slice(0, 1500).filter((id) => topicOf(id) === topic).length;
      expect(Math.max(inFirst, 500 - inFirst)).toBeGreaterThanOrEqual(450);
    }
    // …and neighbours share topics, where arrival order changes topic at every step.
    expect(topicChanges(arrival)).toBe(2999);
    expect(topicChanges(clustered)).toBeLessThan(60);
  });

  it('answers every query with the same hits, scores and stored fields either way', async () => {
    const [clustered, arrival] = [await build('cluster'), await build('arrival')];
    for (const text of ['whale krill', 'lava crater eruption', 'the compiler of symphony', 'galaxy wheat']) {
      const run = async (store: ObjectStore) => {
        const manifest = await loadManifest(store, 'topics');
        const query = await encodeQueryText(store, manifest, text);
        const hits = await searchManifest(store, manifest, query, { k: 3000, storedFields: true });
        return hits.map((h) => `${h.id} ${h.integerScore} ${h.title}`).sort();
      };
      const expected = await run(arrival);
      expect(expected.length).toBeGreaterThan(100);
      expect(await run(clustered)).toEqual(expected);
    }
  });

  it('rejects an unknown order by name', async () => {
    await expect(build('random' as 'arrival')).rejects.toThrow(PipelineConfigError);
    await expect(build('random' as 'arrival')).rejects.toThrow(/docOrder must be one of cluster, arrival/);
  });
});
