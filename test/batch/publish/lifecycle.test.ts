/**
 * Retention and the grace period, driven through the real publish / rollback / gc code with gc's clock
 * injected: gc keeps CURRENT's version, every version CURRENT named within the grace period (all of them when
 * the pointer's history does not reach back that far), the newest K and those younger than keep-for; folders
 * without a manifest stay while their publisher may still win; gc tombstones before it deletes, finishes
 * what a killed gc began, forgets tombstones a day after their folders are gone, and deletes nothing while
 * CURRENT is missing or unreadable. A publish whose CURRENT changed only by gc's bookkeeping still goes live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { buildRun, encodeRun } from '../../../batch/pipeline/pipeline.ts';
import { decodeLifecyclePointer, isTombstoned } from '../../../batch/publish/current-pointer.ts';
import { CurrentUnreadableError, VersionCondemnedError } from '../../../batch/publish/errors.ts';
import { collectGarbage, planVersions, TOMBSTONE_TTL_MS } from '../../../batch/publish/gc.ts';
import { publishVersion } from '../../../batch/publish/publish.ts';
import { rollback } from '../../../batch/publish/rollback.ts';
import { writeTombstones } from '../../../batch/publish/tombstones.ts';
import { listVersions, makeVersionId, readCurrent } from '../../../batch/publish/versions.ts';
import { currentKey, manifestKey, versionPrefix } from '../../../shared/index/layout.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { currentVerdict, publishCorpus, writeTinyCorpus } from '../helpers/lifecycle.ts';
import { tempDir } from '../helpers/pipeline-fixtures.ts';

const INDEX = 'life';
const MIN = 60_000;
const HOUR = 60 * MIN;
const dir = await tempDir('lifecycle');
afterAll(() => dir.remove());
const corpora: string[] = [];
beforeAll(async () => {
  for (let seed = 1; seed <= 5; seed++) corpora.push(await writeTinyCorpus(dir.path, seed));
});

async function publishMany(store: ObjectStore, n: number): Promise<string[]> {
  const versions: string[] = [];
  for (let i = 0; i < n; i++) versions.push(await publishCorpus(store, INDEX, `run${i + 1}`, corpora[i]));
  return versions;
}

const at = (ms: number) => () => ms;
const noReclaim = { runMaxAgeMs: null, cacheMaxAgeMs: null } as const;

describe('retention and the grace period', () => {
  it('keeps every version CURRENT named within the grace period, then only CURRENT and the newest K', async () => {
    const store = new MemoryObjectStore();
    const v = await publishMany(store, 5);
    const t = Date.now();
    const soon = await collectGarbage(store, INDEX, {
      keep: 1,
      graceMs: HOUR,
      now: at(t + 30 * MIN),
      ...noReclaim,
    });
    expect(soon.deleted).toEqual([]);
    expect(soon.reasons).toMatchObject({ [v[0]]: 'grace', [v[3]]: 'grace', [v[4]]: 'current' });

    const later = await collectGarbage(store, INDEX, {
      keep: 2,
      graceMs: HOUR,
      now: at(t + 2 * HOUR),
      ...noReclaim,
    });
    expect(later.deleted).toEqual(v.slice(0, 3));
    expect(later.reasons).toEqual({ [v[3]]: 'newest', [v[4]]: 'current' });
    expect((await listVersions(store, INDEX)).map((x) => x.version)).toEqual(v.slice(3));
    expect(await currentVerdict(store, INDEX)).toMatchObject({ ok: true, version: v[4] });
  });

  it('keeps versions younger than keep-for, and the one a rollback left for the grace period', async () => {
    const store = new MemoryObjectStore();
    const v = await publishMany(store, 4);
    const t = Date.now();
    const young = await collectGarbage(store, INDEX, {
      keep: 1,
      graceMs: 0,
      keepForMs: 3 * HOUR,
      now: at(t + 2 * HOUR),
      ...noReclaim,
    });
    expect(young.deleted).toEqual([]);
    expect(young.reasons[v[0]]).toBe('age');

    await new Promise((r) => setTimeout(r, 5));
    await rollback(store, INDEX, v[1]);
    const t2 = Date.now();
    // Half an hour after the rollback every version was named within the hour: all stay. Two hours after,
    // only CURRENT (v2) and the newest (v4) do.
    const gc = await collectGarbage(store, INDEX, {
      keep: 1,
      graceMs: HOUR,
      now: at(t2 + 30 * MIN),
      ...noReclaim,
    });
    expect(gc.reasons).toMatchObject({ [v[1]]: 'current', [v[3]]: 'grace' });
    expect(gc.deleted.sort()).toEqual([]);
    const after = await collectGarbage(store, INDEX, {
      keep: 1,
      graceMs: HOUR,
      now: at(t2 + 2 * HOUR),
      ...noReclaim,
    });
    expect(after.deleted.sort()).toEqual([v[0], v[2]].sort());
    expect(after.reasons).toEqual({ [v[1]]: 'current', [v[3]]: 'newest' });
    expect(await currentVerdict(store, INDEX)).toMatchObject({ ok: true, version: v[1] });
  });
});

describe('retention and the grace period of an older pointer', () => {
  it('keeps every published version while the history does not cover the grace period (an older pointer)', async () => {
    const store = new MemoryObjectStore();
    const v = await publishMany(store, 3);
    const t = Date.now();
    const legacy = {
      version: v[2],
      manifestKey: manifestKey(INDEX, v[2]),
      updatedAt: new Date(t).toISOString(),
    };
    await store.put(currentKey(INDEX), new TextEncoder().encode(`${JSON.stringify(legacy)}\n`));
    const soon = await collectGarbage(store, INDEX, {
      keep: 1,
      graceMs: HOUR,
      now: at(t + 10 * MIN),
      ...noReclaim,
    });
    expect(soon.deleted).toEqual([]);
    expect(soon.reasons).toEqual({ [v[0]]: 'grace', [v[1]]: 'grace', [v[2]]: 'current' });
    const later = await collectGarbage(store, INDEX, {
      keep: 1,
      graceMs: HOUR,
      now: at(t + 2 * HOUR),
      ...noReclaim,
    });
    expect(later.deleted).toEqual([v[0], v[1]]);
    // The pointer gc rewrote (tombstones) is a lifecycle pointer now, still naming v3.
    const pointer = decodeLifecyclePointer((await store.get(currentKey(INDEX)))!.bytes);
    expect(pointer).toMatchObject({ version: v[2], generation: 0 });
  });
});

describe('folders without a manifest', () => {
  it('stay while their publisher may still win; go once CURRENT moved after they began, or they stalled', async () => {
    const store = new MemoryObjectStore();
    const [v1] = await publishMany(store, 1);
    const t = Date.now();
    const pending = makeVersionId(7, 'busy', new Date(t));
    const doomed = makeVersionId(8, 'late', new Date(t - 2 * HOUR)); // began before v1 went live
    for (const version of [pending, doomed])
      await store.put(`${versionPrefix(INDEX, version)}shard-0000.csp`, new Uint8Array(9));
    const first = await collectGarbage(store, INDEX, { keep: 1, graceMs: 0, now: at(t + MIN), ...noReclaim });
    expect(first.deleted).toEqual([doomed]);
    expect(first.reasons[pending]).toBe('in_progress');
    const stalled = await collectGarbage(store, INDEX, {
      keep: 1,
      graceMs: 0,
      runMaxAgeMs: HOUR,
      cacheMaxAgeMs: null,
      now: at(t + 2 * HOUR),
    });
    expect(stalled.deleted).toEqual([pending]);
    expect((await listVersions(store, INDEX)).map((x) => x.version)).toEqual([v1]);
  });

  it('checks a folder that looks unpublished on its own before deleting it (a listing may omit the manifest)', async () => {
    const store = new MemoryObjectStore();
    await publishMany(store, 1);
    // A published version whose id says it began two hours ago, before CURRENT's last move.
    const old = makeVersionId(9, 'old', new Date(Date.now() - 2 * HOUR));
    await store.put(`${versionPrefix(INDEX, old)}shard-0000.csp`, new Uint8Array(9));
    await store.put(manifestKey(INDEX, old), new Uint8Array(9));
    const hiding: ObjectStore = {
      get: (k) => store.get(k),
      getRange: (k, o, l) => store.getRange(k, o, l),
      head: (k) => store.head(k),
      put: (k, b, o) => store.put(k, b, o),
      delete: (k) => store.delete(k),
      listPrefixes: (p) => store.listPrefixes(p),
      list: async (p) => (await store.list(p)).filter((o) => o.key !== manifestKey(INDEX, old)),
    };
    // With its manifest hidden it looks like a publish that can no longer win; the head says otherwise.
    const gc = await collectGarbage(hiding, INDEX, {
      keep: 5,
      graceMs: 0,
      now: at(Date.now()),
      ...noReclaim,
    });
    expect(gc.deleted).toEqual([]);
    expect(gc.reasons[old]).toBe('in_progress');
    expect(await store.head(manifestKey(INDEX, old))).not.toBeNull();
    // Listed truthfully, it is an old published version beyond nothing: kept by keep 5.
    expect((await collectGarbage(store, INDEX, { keep: 5, graceMs: 0, ...noReclaim })).reasons[old]).toBe(
      'newest',
    );
  });
});

describe('tombstones', () => {
  it('refuses to roll back to a tombstoned version, finishes what a killed gc began, forgets it a day later', async () => {
    const store = new MemoryObjectStore();
    const v = await publishMany(store, 3);
    const state = (await readCurrent(store, INDEX))!;
    // A gc that tombstoned v1 and was killed before deleting anything.
    const written = await writeTombstones(store, INDEX, state, [v[0]], [], Date.now());
    expect(written.written).toBe(true);
    await expect(rollback(store, INDEX, v[0])).rejects.toBeInstanceOf(VersionCondemnedError);
    expect((await readCurrent(store, INDEX))?.pointer.version).toBe(v[2]);

    const t = Date.now();
    const next = await collectGarbage(store, INDEX, { keep: 10, graceMs: HOUR, now: at(t), ...noReclaim });
    expect(next.deleted).toEqual([v[0]]); // kept by keep 10 and grace, but tombstoned: finished
    expect(await store.list(versionPrefix(INDEX, v[0]))).toEqual([]);
    let pointer = (await readCurrent(store, INDEX))!.pointer;
    expect(isTombstoned(pointer, v[0])).toBe(true);
    await collectGarbage(store, INDEX, { keep: 10, now: at(t + TOMBSTONE_TTL_MS + MIN), ...noReclaim });
    pointer = (await readCurrent(store, INDEX))!.pointer;
    expect(isTombstoned(pointer, v[0])).toBe(false);
    expect(pointer.version).toBe(v[2]);
  });

  it('never plans to delete CURRENT, whatever the options', () => {
    const pointer = decodeLifecyclePointer(
      new TextEncoder().encode(
        JSON.stringify({
          version: 'v00000001-20260101T000000Z-a',
          manifestKey: 'k',
          updatedAt: '2026-01-01T00:00:00Z',
          generation: 1,
          history: [],
          historySince: '1970-01-01T00:00:00.000Z',
          tombstones: [],
        }),
      ),
    );
    const listing = ['v00000001-20260101T000000Z-a', 'v00000002-20260102T000000Z-b'].map((version, i) => ({
      version,
      sequence: i + 1,
      hasManifest: i === 1,
      keys: [],
    }));
    const plan = planVersions(
      pointer,
      listing,
      { keep: 1, keepForMs: 0, graceMs: 0, clockSkewMs: 0, runMaxAgeMs: 0 },
      Date.parse('2027-01-01T00:00:00Z'),
    );
    expect(plan.condemn).toEqual([]);
    expect(plan.reasons.get('v00000001-20260101T000000Z-a')).toBe('current');
  });
});

describe('gc and a broken or missing CURRENT', () => {
  it('refuses to run against a CURRENT that does not decode, and deletes nothing without a CURRENT', async () => {
    const store = new MemoryObjectStore();
    const v = await publishMany(store, 3);
    await store.put(currentKey(INDEX), new TextEncoder().encode('garbage!'));
    await expect(collectGarbage(store, INDEX, { keep: 1, graceMs: 0 })).rejects.toBeInstanceOf(
      CurrentUnreadableError,
    );
    await store.delete(currentKey(INDEX));
    const none = await collectGarbage(store, INDEX, { keep: 1, graceMs: 0, ...noReclaim });
    expect(none.deleted).toEqual([]);
    expect(none.warnings).toEqual(['the index has no CURRENT: no version is deleted']);
    expect((await listVersions(store, INDEX)).map((x) => x.version)).toEqual(v);
  });
});

describe('a publish and gc bookkeeping', () => {
  it('goes live when CURRENT changed only by tombstones written after the publish began', async () => {
    const store = new MemoryObjectStore();
    const v = await publishMany(store, 3);
    await encodeRun({
      store,
      index: INDEX,
      run: 'late',
      corpus: await openCorpus(corpora[4]),
      encoder: new Bm25DocumentEncoder(),
    });
    const staged = await buildRun({ store, index: INDEX, run: 'late' });
    const gc = await collectGarbage(store, INDEX, { keep: 1, graceMs: 0, ...noReclaim });
    expect(gc.deleted).toEqual([v[0], v[1]]);
    expect((await readCurrent(store, INDEX))!.etag).not.toBe(staged.expected!.etag);
    const published = await publishVersion(store, staged.built, staged.expected);
    expect(published.pointer.version).toBe(staged.built.version);
    expect(published.pointer.history[0].version).toBe(v[2]);
    expect(isTombstoned(published.pointer, v[0])).toBe(true); // carried forward
    expect(await currentVerdict(store, INDEX)).toMatchObject({ ok: true, version: staged.built.version });
  });
});
