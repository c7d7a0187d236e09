/**
 * Publishing behaviours every store must support, run against memory, the local folder (publish.test.ts)
 * and S3 on radosgw (publish.s3.test.ts): the conditional-publish race has exactly one winner and a clear
 * loser, a shard that does not read back stops the publish, gc never deletes CURRENT, rollback moves it.
 * `makeStore` must return an empty store for each test.
 */
import { describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { ShardVerificationError } from '../../../batch/pipeline/errors.ts';
import { buildRun, encodeRun, publishRun } from '../../../batch/pipeline/pipeline.ts';
import { PublishConflictError, UnknownVersionError } from '../../../batch/publish/errors.ts';
import { collectGarbage } from '../../../batch/publish/gc.ts';
import { encodeQueryText, loadManifest, searchManifest } from '../../../batch/publish/local-search.ts';
import { publishVersion } from '../../../batch/publish/publish.ts';
import { rollback } from '../../../batch/publish/rollback.ts';
import { listVersions, readCurrent } from '../../../batch/publish/versions.ts';
import { currentKey, versionPrefix } from '../../../shared/index/layout.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { SAMPLE_CORPUS } from '../helpers/pipeline-fixtures.ts';

const INDEX = 'race';

async function encoded(store: ObjectStore, run: string) {
  await encodeRun({
    store,
    index: INDEX,
    run,
    corpus: await openCorpus(SAMPLE_CORPUS),
    encoder: new Bm25DocumentEncoder(),
  });
}

async function publishOne(store: ObjectStore, run: string, keep = 10) {
  await encoded(store, run);
  return publishRun({ store, index: INDEX, run, keep });
}

type MakeStore = () => ObjectStore | Promise<ObjectStore>;

export function describePublishing(name: string, makeStore: MakeStore): void {
  describeRaces(name, makeStore);
  describeRecovery(name, makeStore);
}

/** Concurrent publishers and readers: one winner, a loser that can retry, never half a version seen. */
function describeRaces(name: string, makeStore: MakeStore): void {
  describe(`publishing on ${name}: races`, () => {
    it('lets exactly one of two concurrent publishers move CURRENT, first version and later ones', async () => {
      const store = await makeStore();
      for (const round of [1, 2]) {
        await encoded(store, `a${round}`);
        await encoded(store, `b${round}`);
        // Both read CURRENT and build before either publishes: the race the conditional write decides.
        const [a, b] = await Promise.all([
          buildRun({ store, index: INDEX, run: `a${round}`, shards: 2 }),
          buildRun({ store, index: INDEX, run: `b${round}`, shards: 2 }),
        ]);
        expect(a.built.version).not.toBe(b.built.version);
        const results = await Promise.allSettled([
          publishVersion(store, a.built, a.expected),
          publishVersion(store, b.built, b.expected),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0].reason).toBeInstanceOf(PublishConflictError);
        expect((lost[0].reason as Error).message).toMatch(/was not published: CURRENT changed/);
        const winner = results[0].status === 'fulfilled' ? a.built : b.built;
        const loser = winner === a.built ? b.built : a.built;
        expect((await readCurrent(store, INDEX))?.pointer.version).toBe(winner.version);
        expect(await store.list(versionPrefix(INDEX, loser.version))).toEqual([]);
        const manifest = await loadManifest(store, INDEX);
        expect(manifest.version).toBe(winner.version);
        expect(manifest.docs).toBe(73);
      }
    });

    it('never lets a reader see half a version while publishes go on', async () => {
      const store = await makeStore();
      let publishing = true;
      const observations: string[] = [];
      const reader = (async () => {
        while (publishing) {
          const current = await readCurrent(store, INDEX);
          if (current) {
            // Whatever CURRENT names must be complete: its manifest and every shard at its recorded size.
            const manifest = await loadManifest(store, INDEX, current.pointer.version);
            for (const shard of manifest.shards) expect((await store.head(shard.key))?.size).toBe(shard.size);
            observations.push(manifest.version);
          }
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      const published: string[] = [];
      // keep 10: gc of versions a reader may still hold is what --keep is for, not what this test is about.
      for (const run of ['p1', 'p2', 'p3']) published.push((await publishOne(store, run, 10)).built.version);
      publishing = false;
      await reader;
      expect(new Set(observations).size).toBeGreaterThanOrEqual(1);
      for (const seen of observations) expect(published).toContain(seen);
    });

    it('lets the loser of a race publish on top of the winner when it retries', async () => {
      const store = await makeStore();
      await encoded(store, 'winner');
      await encoded(store, 'loser');
      await buildRun({ store, index: INDEX, run: 'winner' });
      await buildRun({ store, index: INDEX, run: 'loser' }); // staged against the same (empty) CURRENT
      const won = await publishRun({ store, index: INDEX, run: 'winner', keep: 10 });
      await expect(publishRun({ store, index: INDEX, run: 'loser', keep: 10 })).rejects.toBeInstanceOf(
        PublishConflictError,
      );
      const retried = await publishRun({ store, index: INDEX, run: 'loser', keep: 10 });
      expect(retried.published.manifest.stats.previousVersion).toBe(won.built.version);
      expect((await readCurrent(store, INDEX))?.pointer.version).toBe(retried.built.version);
    });
  });
}

/** A broken shard, a retried publish, rollback and gc. */
function describeRecovery(name: string, makeStore: MakeStore): void {
  describe(`publishing on ${name}: failures, retries, rollback and gc`, () => {
    it('does not publish a version whose shard does not read back as written', async () => {
      const store = await makeStore();
      const first = await publishOne(store, 'good');
      await encoded(store, 'bad');
      const staged = await buildRun({ store, index: INDEX, run: 'bad', shards: 2 });
      const shard = staged.built.shards[1];
      const bytes = (await store.get(shard.key))!.bytes;
      bytes[10] ^= 0xff;
      await store.put(shard.key, bytes);
      await expect(publishRun({ store, index: INDEX, run: 'bad' })).rejects.toBeInstanceOf(
        ShardVerificationError,
      );
      expect((await readCurrent(store, INDEX))?.pointer.version).toBe(first.built.version);
      expect(await store.list(versionPrefix(INDEX, staged.built.version))).toEqual([]);
      // A retry rebuilds from the cache and publishes sound shards.
      const retried = await publishRun({ store, index: INDEX, run: 'bad' });
      expect((await readCurrent(store, INDEX))?.pointer.version).toBe(retried.built.version);
    });

    it('is idempotent: a retried publish of a published run changes nothing and deletes nothing', async () => {
      const store = await makeStore();
      // An attempt that died after moving CURRENT but before tidying its run away…
      await encoded(store, 'retry');
      const staged = await buildRun({ store, index: INDEX, run: 'retry' });
      await publishVersion(store, staged.built, staged.expected);
      // …is finished by the retry instead of being rolled back as a lost race.
      const again = await publishRun({ store, index: INDEX, run: 'retry' });
      expect(again.built.version).toBe(staged.built.version);
      expect((await readCurrent(store, INDEX))?.pointer.version).toBe(staged.built.version);
      expect((await loadManifest(store, INDEX)).docs).toBe(73);
      // And a retry after complete success reports the same version.
      const third = await publishRun({ store, index: INDEX, run: 'retry' });
      expect(third.alreadyPublished).toBe(true);
      expect(third.built.version).toBe(staged.built.version);
      expect((await listVersions(store, INDEX)).map((v) => v.version)).toEqual([staged.built.version]);
    });

    it('rolls back, and gc keeps the newest K and CURRENT whatever K is', async () => {
      const store = await makeStore();
      const versions: string[] = [];
      for (const run of ['r1', 'r2', 'r3', 'r4']) versions.push((await publishOne(store, run)).built.version);
      expect((await listVersions(store, INDEX)).map((v) => v.version)).toEqual(versions);

      const moved = await rollback(store, INDEX, '2');
      expect(moved).toEqual({ from: versions[3], to: versions[1] });
      const manifest = await loadManifest(store, INDEX);
      expect(manifest.version).toBe(versions[1]);
      const hits = await searchManifest(
        store,
        manifest,
        await encodeQueryText(store, manifest, 'mona lisa louvre'),
      );
      expect(hits[0].id).toBe('doc-058');

      // An abandoned publish (folder without manifest) below the newest published version is garbage.
      await store.put(
        `${versionPrefix(INDEX, 'v00000003-20260101T000000Z-dead')}shard-0000.csp`,
        new Uint8Array([1]),
      );
      const gc = await collectGarbage(store, INDEX, { keep: 1, graceMs: 0 });
      expect(gc.kept.sort()).toEqual([versions[1], versions[3]].sort());
      expect(gc.deleted.sort()).toEqual([versions[0], versions[2], 'v00000003-20260101T000000Z-dead'].sort());
      expect((await readCurrent(store, INDEX))?.pointer.version).toBe(versions[1]);
      await expect(rollback(store, INDEX, versions[0])).rejects.toBeInstanceOf(UnknownVersionError);
      expect(await store.head(currentKey(INDEX))).not.toBeNull();
    });
  });
}
