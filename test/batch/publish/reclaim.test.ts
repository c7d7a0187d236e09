/**
 * Issue 14, case 10: runs killed and never resumed (one worker of two finished; a build staged and never
 * published) are reclaimed by gc once they have stayed unreferenced and unchanged for the configured age —
 * not before, and a run that changes starts its clock again. A run a retained version was built from keeps
 * its folder (its rejects). Encoding-cache fingerprints no version or run uses are reclaimed the same way;
 * the one in use stays; with a version that records no fingerprint, the cache is left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../batch/corpus/sources.node.ts';
import { Bm25DocumentEncoder } from '../../../batch/pipeline/document-encoder.ts';
import { buildRun, encodeRun } from '../../../batch/pipeline/pipeline.ts';
import { collectGarbage } from '../../../batch/publish/gc.ts';
import { loadManifest } from '../../../batch/publish/local-search.ts';
import { listVersions } from '../../../batch/publish/versions.ts';
import { main } from '../../../compose/cli/main.ts';
import { CACHE_GC_LEDGER_KEY, gcLedgerKey, manifestKey } from '../../../shared/index/layout.ts';
import { encodeManifest } from '../../../shared/index/manifest-codec.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { publishCorpus, writeTinyCorpus } from '../helpers/lifecycle.ts';
import { tempDir } from '../helpers/pipeline-fixtures.ts';

const INDEX = 'runs';
const MIN = 60_000;
const HOUR = 60 * MIN;
const dir = await tempDir('reclaim');
afterAll(() => dir.remove());
let corpus: string;
beforeAll(async () => {
  corpus = await writeTinyCorpus(dir.path, 31);
});

const encoder = new Bm25DocumentEncoder();
const at = (ms: number) => () => ms;
const runsOf = async (store: ObjectStore) =>
  [...new Set((await store.list(`indexes/${INDEX}/runs/`)).map((o) => o.key.split('/')[3]))].sort();

/** Worker `worker` of a two-worker encode run. */
async function encodeHalf(store: ObjectStore, run: string, worker: number) {
  await encodeRun({
    store,
    index: INDEX,
    run,
    worker,
    workers: 2,
    corpus: await openCorpus(corpus),
    encoder,
  });
}

async function killedRuns(store: ObjectStore) {
  // One worker of two finished, the other was killed and never resumed.
  await encodeHalf(store, 'half', 0);
  // A build staged for a separate publish that never came.
  await encodeRun({ store, index: INDEX, run: 'staged', corpus: await openCorpus(corpus), encoder });
  return buildRun({ store, index: INDEX, run: 'staged' });
}

describe('abandoned runs', () => {
  it('are reclaimed once unchanged for the configured age, counted from when gc first saw them', async () => {
    const store = new MemoryObjectStore();
    const live = await publishCorpus(store, INDEX, 'live', corpus);
    const staged = await killedRuns(store);
    expect(await runsOf(store)).toEqual(['half', 'staged']);
    const t = Date.now();
    const options = { keep: 3, graceMs: 0, runMaxAgeMs: HOUR, cacheMaxAgeMs: null };

    const first = await collectGarbage(store, INDEX, { ...options, now: at(t) });
    expect(first.runs.deleted).toEqual([]);
    expect(first.runs.waiting.map((w) => [w.name, w.remainingMs])).toEqual([
      ['half', HOUR],
      ['staged', HOUR],
    ]);
    expect(await store.head(gcLedgerKey(INDEX))).not.toBeNull();
    const half = await collectGarbage(store, INDEX, { ...options, now: at(t + 30 * MIN) });
    expect(half.runs.waiting.map((w) => w.remainingMs)).toEqual([30 * MIN, 30 * MIN]);

    const due = await collectGarbage(store, INDEX, { ...options, now: at(t + HOUR + MIN) });
    expect(due.runs.deleted).toEqual(['half', 'staged']);
    expect(due.runs.deletedObjects).toBe(3); // half's part; staged's part and staged build
    expect(await runsOf(store)).toEqual([]);
    // The staged build's version folder (no manifest) stalled for longer than the age too.
    expect(due.deleted).toEqual([staged.built.version]);
    expect((await listVersions(store, INDEX)).map((v) => v.version)).toEqual([live]);
  });

  it('restarts the clock of a run that changed, and keeps the run of a retained version', async () => {
    const store = new MemoryObjectStore();
    await encodeHalf(store, 'slow', 0);
    // A published run whose rejects file stays with its version.
    await publishCorpus(store, INDEX, 'published', corpus);
    await store.put(
      `indexes/${INDEX}/runs/published/rejects/worker-00000.jsonl`,
      new TextEncoder().encode('{}\n'),
    );
    const t = Date.now();
    const options = { keep: 3, graceMs: 0, runMaxAgeMs: HOUR, cacheMaxAgeMs: null };
    await collectGarbage(store, INDEX, { ...options, now: at(t) });
    // The second worker finishes 50 minutes later: the run is at work again.
    await encodeHalf(store, 'slow', 1);
    const later = await collectGarbage(store, INDEX, { ...options, now: at(t + HOUR + MIN) });
    expect(later.runs.deleted).toEqual([]);
    expect(later.runs.waiting).toEqual([{ name: 'slow', remainingMs: HOUR }]);
    expect(await runsOf(store)).toEqual(['published', 'slow']);
    const much = await collectGarbage(store, INDEX, { ...options, now: at(t + 3 * HOUR) });
    expect(much.runs.deleted).toEqual(['slow']);
    expect(await runsOf(store)).toEqual(['published']);
  });
});

/** `csplade gc --json` on the store folder `path`: its exit code and its report. */
async function gcByCli(path: string, flags: string[]) {
  let out = '';
  const code = await main(['gc', '--store', path, '--index', INDEX, '--json', ...flags], {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    stderr: process.stderr,
    env: {},
    cwd: dir.path,
  });
  return { code, report: JSON.parse(out) };
}

describe('abandoned runs through the CLI', () => {
  it('through the CLI: --run-max-age 0 reclaims an abandoned run at once; never keeps it', async () => {
    const path = `${dir.path}/cli`;
    const store = new LocalFolderObjectStore(path);
    await publishCorpus(store, INDEX, 'live', corpus);
    await encodeHalf(store, 'half', 0);
    const run = (...flags: string[]) => gcByCli(path, flags);
    const never = await run('--run-max-age', 'never');
    expect(never.report.runs).toMatchObject({ deleted: [], skipped: 'run reclamation is off' });
    const now = await run('--run-max-age', '0');
    expect(now.code).toBe(0);
    expect(now.report.runs).toMatchObject({ deleted: ['half'], deleted_objects: 1 });
    expect(await runsOf(store)).toEqual([]);
  });
});

describe('the encoding cache', () => {
  it('reclaims fingerprints no version or run uses, keeps the one in use', async () => {
    const store = new MemoryObjectStore();
    const live = await publishCorpus(store, INDEX, 'live', corpus);
    const used = (await loadManifest(store, INDEX, live)).stats.cacheFingerprint as string;
    expect(used).toMatch(/^fnv1a64:/);
    const usedFolder = (await store.list('cache/'))[0].key.split('/')[1];
    // An old encoder's cache, and one being filled by a run that has a folder (a part) in another index.
    await store.put('cache/fnv1a64_old/segments/gone-w00000-abc-000000.seg', new Uint8Array(16));
    await store.put('cache/fnv1a64_busy/segments/busyrun-w00001-k2-000000.seg', new Uint8Array(16));
    await store.put('indexes/other/runs/busyrun/parts/part-00000-of-00002.msgpack', new Uint8Array(4));
    const t = Date.now();
    const options = { keep: 3, graceMs: 0, runMaxAgeMs: null, cacheMaxAgeMs: 2 * HOUR };
    const first = await collectGarbage(store, INDEX, { ...options, now: at(t) });
    expect(first.cache.waiting).toEqual([{ name: 'fnv1a64_old', remainingMs: 2 * HOUR }]);
    expect(await store.head(CACHE_GC_LEDGER_KEY)).not.toBeNull();
    const due = await collectGarbage(store, INDEX, { ...options, now: at(t + 3 * HOUR) });
    expect(due.cache.deleted).toEqual(['fnv1a64_old']);
    const folders = [...new Set((await store.list('cache/')).map((o) => o.key.split('/')[1]))].sort();
    expect(folders).toEqual(['fnv1a64_busy', usedFolder].sort());
  });

  it('is left alone when a version does not record its fingerprint', async () => {
    const store = new MemoryObjectStore();
    const live = await publishCorpus(store, INDEX, 'live', corpus);
    const manifest = await loadManifest(store, INDEX, live);
    const { cacheFingerprint: _, ...stats } = manifest.stats;
    await store.put(manifestKey(INDEX, live), encodeManifest({ ...manifest, stats }));
    await store.put('cache/fnv1a64_old/segments/gone-w00000-abc-000000.seg', new Uint8Array(16));
    const gc = await collectGarbage(store, INDEX, { graceMs: 0, runMaxAgeMs: null, cacheMaxAgeMs: 0 });
    expect(gc.cache.deleted).toEqual([]);
    expect(gc.cache.skipped).toMatch(/records no cache fingerprint/);
    expect(gc.warnings[0]).toMatch(/cache reclamation skipped/);
    expect(await store.head('cache/fnv1a64_old/segments/gone-w00000-abc-000000.seg')).not.toBeNull();
  });
});
