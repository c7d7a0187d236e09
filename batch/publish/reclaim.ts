/**
 * gc's second and third jobs, after versions: abandoned runs and unused encoding-cache fingerprints.
 *
 * A run folder (`indexes/<index>/runs/<run>/`: parts, a staged build, rejects) is work in progress until
 * published; after publishing only its rejects stay, for people to read. It is reclaimed when no retained
 * version of the index was built from it and gc has seen it unchanged for `maxAgeMs` (gc-ledger.ts): a
 * killed run that is never resumed goes, a run that is being worked on keeps changing and stays.
 *
 * A cache fingerprint (`cache/<fingerprint>/`) is shared by every index of the store. It is in use while a
 * published version of any index records it (`stats.cacheFingerprint`) or a run folder of any index wrote
 * segments into it; otherwise it is reclaimed once gc has seen it unchanged for `maxAgeMs`. Deleting cache
 * never touches a version: the worst it costs is encoding those documents again. When some version does
 * not record its fingerprint (built before versions did), the cache is left alone: use cannot be proven.
 */
import {
  CACHE_GC_LEDGER_KEY,
  CACHE_ROOT,
  gcLedgerKey,
  runPrefix,
  runsPrefix,
} from '../../shared/index/layout.ts';
import { decodeManifest } from '../../shared/index/manifest-codec.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { cacheSegmentsPrefix } from '../pipeline/encoding-cache.ts';
import { groupBelow, observe, signatureOf } from './gc-ledger.ts';
import { listVersions } from './versions.ts';

export interface ReclaimResult {
  /** Runs (or cache fingerprints) deleted in this pass. */
  readonly deleted: string[];
  readonly deletedObjects: number;
  /** Candidates seen but not yet idle for long enough, with the time left. */
  readonly waiting: { readonly name: string; readonly remainingMs: number }[];
  /** Why nothing was considered, when so. */
  readonly skipped?: string;
}

const NOTHING: ReclaimResult = { deleted: [], deletedObjects: 0, waiting: [] };

export interface ReclaimOptions {
  readonly maxAgeMs: number;
  readonly now: number;
}

/** Deletes run folders of `index` that no retained version names and that stayed unchanged for the age. */
export async function reclaimRuns(
  store: ObjectStore,
  index: string,
  referenced: ReadonlySet<string>,
  options: ReclaimOptions,
): Promise<ReclaimResult> {
  const prefix = runsPrefix(index);
  const groups = groupBelow(prefix, await store.list(prefix));
  const candidates = new Map<string, string>();
  for (const [run, objects] of groups) if (!referenced.has(run)) candidates.set(run, signatureOf(objects));
  return reclaimDue(store, gcLedgerKey(index), candidates, options, (run) => runPrefix(index, run));
}

/** Deletes cache fingerprints no version or run of any index uses that stayed unchanged for the age. */
export async function reclaimCache(store: ObjectStore, options: ReclaimOptions): Promise<ReclaimResult> {
  const groups = groupBelow(CACHE_ROOT, await store.list(CACHE_ROOT));
  if (groups.size === 0) return NOTHING;
  const used = new Set<string>();
  const runs = new Set<string>();
  for (const folder of await store.listPrefixes('indexes/')) {
    const index = folder.slice('indexes/'.length, -1);
    for (const run of await store.listPrefixes(runsPrefix(index)))
      runs.add(run.slice(runsPrefix(index).length, -1));
    for (const version of await listVersions(store, index)) {
      if (!version.hasManifest) continue;
      const key = `${folder}versions/${version.version}/manifest.msgpack`;
      const object = await store.get(key);
      if (!object) continue; // deleted since the listing
      const fingerprint = decodeManifest(object.bytes, key).stats.cacheFingerprint;
      if (typeof fingerprint !== 'string') {
        return { ...NOTHING, skipped: `${key} records no cache fingerprint, so cache use cannot be proven` };
      }
      used.add(fingerprintFolder(fingerprint));
    }
  }
  const candidates = new Map<string, string>();
  for (const [folder, objects] of groups) {
    if (used.has(folder) || objects.some((o) => runs.has(segmentRun(o.key) ?? ''))) continue;
    candidates.set(folder, signatureOf(objects));
  }
  return reclaimDue(store, CACHE_GC_LEDGER_KEY, candidates, options, (folder) => `${CACHE_ROOT}${folder}/`);
}

/** The folder name under cache/ that a fingerprint's segments live in. */
function fingerprintFolder(fingerprint: string): string {
  return cacheSegmentsPrefix(fingerprint).slice(CACHE_ROOT.length).split('/')[0];
}

/** The run a cache segment was written by (segment names are `<run>-w<worker>-<attempt>-<n>.seg`). */
function segmentRun(key: string): string | undefined {
  return /\/([^/]+)-w\d{5}-[a-z0-9]+-\d{6}\.seg$/.exec(key)?.[1];
}

async function reclaimDue(
  store: ObjectStore,
  ledgerKey: string,
  candidates: ReadonlyMap<string, string>,
  options: ReclaimOptions,
  prefixOf: (name: string) => string,
): Promise<ReclaimResult> {
  const observed = await observe(store, ledgerKey, candidates, options.maxAgeMs, options.now);
  const deleted: string[] = [];
  let deletedObjects = 0;
  for (const name of observed.due) {
    // Listed again right before deleting: a group that changed since it was observed is at work again.
    const objects = await store.list(prefixOf(name));
    if (signatureOf(objects) !== candidates.get(name)) continue;
    for (const object of objects) await store.delete(object.key);
    deleted.push(name);
    deletedObjects += objects.length;
  }
  return { deleted, deletedObjects, waiting: observed.waiting };
}
