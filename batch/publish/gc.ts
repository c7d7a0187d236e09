/**
 * Garbage collection of an index: old versions, then abandoned runs and unused encoding cache
 * (reclaim.ts). Which versions stay (docs/lifecycle.md has the whole lifecycle):
 *
 *   current      the version CURRENT names — always, whatever the options say;
 *   grace        every version CURRENT named within `graceMs` (its history, current-pointer.ts): a reader
 *                that resolved CURRENT a moment ago may still be reading it; when the history does not
 *                reach back that far, every published version stays;
 *   newest       the newest `keep` published versions (retention by count);
 *   age          published versions younger than `keepForMs` (retention by age);
 *   in_progress  folders without a manifest whose publisher may still win: it began after CURRENT last
 *                moved (give or take `clockSkewMs`) and not longer ago than `staleBuildMs`.
 *
 * Everything else is tombstoned in CURRENT with one conditional write against the CURRENT the decision
 * was made on, confirmed by reading CURRENT back, and only then deleted, re-checking CURRENT before each
 * version (tombstones.ts). If CURRENT moved in between, the decision is made again on the new CURRENT.
 * gc never deletes anything while CURRENT is missing or unreadable.
 */

import { manifestKey } from '../../shared/index/layout.ts';
import { decodeManifest } from '../../shared/index/manifest-codec.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { PipelineConfigError } from '../pipeline/errors.ts';
import { type LifecyclePointer, namedWithin } from './current-pointer.ts';
import { type ReclaimResult, reclaimCache, reclaimRuns } from './reclaim.ts';
import { deleteTombstoned, writeTombstones } from './tombstones.ts';
import { assertIndexName, listVersions, readCurrent, timeOf, type VersionListing } from './versions.ts';

export const DEFAULT_KEEP = 3;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
export const DEFAULT_GRACE_MS = 60 * MINUTE;
export const DEFAULT_RUN_MAX_AGE_MS = 7 * DAY;
export const DEFAULT_CACHE_MAX_AGE_MS = 30 * DAY;
export const DEFAULT_CLOCK_SKEW_MS = 5 * MINUTE;
/** A tombstone whose folder is gone is forgotten after this long (or when more than MAX_TOMBSTONES pile up). */
export const TOMBSTONE_TTL_MS = DAY;
export const MAX_TOMBSTONES = 100;
/** Conditional writes of CURRENT tried before gc gives up for this pass. */
const MAX_ATTEMPTS = 8;

export interface GcOptions {
  /** Newest published versions kept (≥ 1; default 3). */
  readonly keep?: number;
  /** Published versions younger than this are kept too (default 0: off). */
  readonly keepForMs?: number;
  /** Versions CURRENT named within this are kept (default 1 h). */
  readonly graceMs?: number;
  /** Unreferenced run folders unchanged this long are deleted (default 7 days; null: never). */
  readonly runMaxAgeMs?: number | null;
  /** Unused cache fingerprints unchanged this long are deleted (default 30 days; null: never). */
  readonly cacheMaxAgeMs?: number | null;
  /** Tolerated difference between the clocks of the machines that publish (default 5 min). */
  readonly clockSkewMs?: number;
  /** Milliseconds since the epoch (default Date.now). */
  readonly now?: () => number;
}

export type KeepReason = 'current' | 'grace' | 'newest' | 'age' | 'in_progress' | 'no_current';

export interface GcResult {
  readonly kept: string[];
  readonly deleted: string[];
  readonly deletedObjects: number;
  /** Why each kept version was kept. */
  readonly reasons: Record<string, KeepReason>;
  readonly runs: ReclaimResult;
  readonly cache: ReclaimResult;
  /** Things gc did not do and why (a CURRENT that kept moving, a reclaim step that failed…). */
  readonly warnings: string[];
}

/** The result of a gc that had nothing to do (a publish retried after it succeeded). */
export const NO_GARBAGE_COLLECTED: GcResult = {
  kept: [],
  deleted: [],
  deletedObjects: 0,
  reasons: {},
  runs: { deleted: [], deletedObjects: 0, waiting: [] },
  cache: { deleted: [], deletedObjects: 0, waiting: [] },
  warnings: [],
};

interface Plan {
  readonly condemn: string[];
  readonly reasons: Map<string, KeepReason>;
}

export async function collectGarbage(
  store: ObjectStore,
  index: string,
  options: GcOptions = {},
): Promise<GcResult> {
  assertIndexName(index);
  const o = resolveOptions(options);
  const warnings: string[] = [];
  const versions = await collectVersions(store, index, o, warnings);
  const skipped = (what: string, maxAge: number | null) =>
    maxAge === null
      ? { deleted: [], deletedObjects: 0, waiting: [], skipped: `${what} reclamation is off` }
      : null;
  const runs =
    skipped('run', o.runMaxAgeMs) ??
    (await guarded('run reclamation', warnings, async () =>
      reclaimRuns(store, index, await referencedRuns(store, index), {
        maxAgeMs: o.runMaxAgeMs!,
        now: o.now(),
      }),
    ));
  const cache =
    skipped('cache', o.cacheMaxAgeMs) ??
    (await guarded('cache reclamation', warnings, () =>
      reclaimCache(store, { maxAgeMs: o.cacheMaxAgeMs!, now: o.now() }),
    ));
  if (cache.skipped && o.cacheMaxAgeMs !== null) warnings.push(`cache reclamation skipped: ${cache.skipped}`);
  return { ...versions, runs, cache, warnings };
}

type Resolved = Required<Omit<GcOptions, 'runMaxAgeMs' | 'cacheMaxAgeMs'>> & {
  runMaxAgeMs: number | null;
  cacheMaxAgeMs: number | null;
};

function resolveOptions(options: GcOptions): Resolved {
  const keep = options.keep ?? DEFAULT_KEEP;
  if (!Number.isInteger(keep) || keep < 1)
    throw new PipelineConfigError(`--keep must be an integer ≥ 1, got ${keep}`);
  const ms = (name: string, value: number | null | undefined, fallback: number | null) => {
    if (value === undefined) return fallback;
    if (value !== null && !(Number.isFinite(value) && value >= 0))
      throw new PipelineConfigError(`${name} must be a duration ≥ 0, got ${value}`);
    return value;
  };
  return {
    keep,
    keepForMs: ms('--keep-for', options.keepForMs, 0) ?? 0,
    graceMs: ms('--grace', options.graceMs, DEFAULT_GRACE_MS) ?? DEFAULT_GRACE_MS,
    runMaxAgeMs: ms('--run-max-age', options.runMaxAgeMs, DEFAULT_RUN_MAX_AGE_MS),
    cacheMaxAgeMs: ms('--cache-max-age', options.cacheMaxAgeMs, DEFAULT_CACHE_MAX_AGE_MS),
    clockSkewMs: ms('clockSkewMs', options.clockSkewMs, DEFAULT_CLOCK_SKEW_MS) ?? DEFAULT_CLOCK_SKEW_MS,
    now: options.now ?? Date.now,
  };
}

async function guarded(
  what: string,
  warnings: string[],
  step: () => Promise<ReclaimResult>,
): Promise<ReclaimResult> {
  try {
    return await step();
  } catch (error) {
    warnings.push(`${what} failed: ${(error as Error).message}`);
    return { deleted: [], deletedObjects: 0, waiting: [], skipped: `failed: ${(error as Error).message}` };
  }
}

async function collectVersions(
  store: ObjectStore,
  index: string,
  o: Resolved,
  warnings: string[],
): Promise<Pick<GcResult, 'kept' | 'deleted' | 'deletedObjects' | 'reasons'>> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const state = await readCurrent(store, index);
    const versions = await listVersions(store, index);
    if (!state) {
      if (versions.length > 0) warnings.push('the index has no CURRENT: no version is deleted');
      return summary(versions, [], 0, new Map(versions.map((v) => [v.version, 'no_current' as const])));
    }
    const now = o.now();
    const plan = planVersions(state.pointer, versions, o, now);
    // A listing may leave a manifest out: a folder that looks unpublished is checked on its own.
    for (const version of [...plan.condemn]) {
      const listing = versions.find((v) => v.version === version);
      if (listing && !listing.hasManifest && (await store.head(manifestKey(index, version)))) {
        plan.condemn.splice(plan.condemn.indexOf(version), 1);
        plan.reasons.set(version, 'in_progress');
      }
    }
    const listed = new Set(versions.map((v) => v.version));
    const unfinished = state.pointer.tombstones.filter((t) => listed.has(t.version)).map((t) => t.version);
    const forget = forgettable(state.pointer, listed, now);
    let current = state;
    if (plan.condemn.length > 0 || forget.length > 0) {
      const outcome = await writeTombstones(store, index, state, plan.condemn, forget, now);
      if (!outcome.written) {
        if (outcome.reason === 'moved') continue;
        warnings.push('CURRENT did not show the tombstones just written: nothing was deleted');
        return summary(versions, [], 0, plan.reasons);
      }
      current = outcome.state;
    }
    const toDelete = [...new Set([...unfinished, ...plan.condemn])].filter((v) =>
      current.pointer.tombstones.some((t) => t.version === v),
    );
    const outcome = await deleteTombstoned(store, index, toDelete);
    if (outcome.stopped) warnings.push(`deleting stopped: ${outcome.stopped}`);
    return summary(versions, outcome.deleted, outcome.objects, plan.reasons);
  }
  warnings.push('CURRENT kept changing while gc ran: nothing was deleted this time');
  return { kept: [], deleted: [], deletedObjects: 0, reasons: {} };
}

function summary(
  versions: readonly VersionListing[],
  deleted: readonly string[],
  deletedObjects: number,
  reasons: ReadonlyMap<string, KeepReason>,
) {
  const gone = new Set(deleted);
  return {
    kept: versions.map((v) => v.version).filter((v) => !gone.has(v)),
    deleted: [...deleted],
    deletedObjects,
    reasons: Object.fromEntries([...reasons].filter(([v]) => !gone.has(v))),
  };
}

/** Which versions to tombstone now, and why every other one stays. Pure: the tests drive it directly. */
export function planVersions(
  pointer: LifecyclePointer,
  versions: readonly VersionListing[],
  o: Pick<Resolved, 'keep' | 'keepForMs' | 'graceMs' | 'clockSkewMs' | 'runMaxAgeMs'>,
  now: number,
): Plan {
  const named = namedWithin(pointer, o.graceMs, now);
  const tombstoned = new Set(pointer.tombstones.map((t) => t.version));
  const published = versions.filter((v) => v.hasManifest && !tombstoned.has(v.version));
  const newest = new Set(published.slice(-o.keep).map((v) => v.version));
  const movedAt = Date.parse(pointer.updatedAt);
  const condemn: string[] = [];
  const reasons = new Map<string, KeepReason>();
  for (const v of versions) {
    if (tombstoned.has(v.version)) continue;
    const born = timeOf(v.version);
    let reason: KeepReason | null = null;
    if (v.version === pointer.version) reason = 'current';
    else if (named.versions.has(v.version) || (v.hasManifest && !named.complete)) reason = 'grace';
    else if (v.hasManifest) {
      if (newest.has(v.version)) reason = 'newest';
      else if (born !== undefined && born > now - o.keepForMs) reason = 'age';
    } else if (born === undefined) reason = 'in_progress';
    else {
      // Its publisher read CURRENT before CURRENT's last move (ids carry whole seconds): its conditional
      // write can no longer succeed. Or it stalled for longer than any build should take.
      const doomed = born + 1000 + o.clockSkewMs < movedAt;
      const stalled = o.runMaxAgeMs !== null && born < now - o.runMaxAgeMs;
      if (!doomed && !stalled) reason = 'in_progress';
    }
    if (reason) reasons.set(v.version, reason);
    else condemn.push(v.version);
  }
  return { condemn, reasons };
}

/** Tombstones whose folders are gone and that are old enough (or too many) to be dropped. */
function forgettable(pointer: LifecyclePointer, listed: ReadonlySet<string>, now: number): string[] {
  const empty = pointer.tombstones.filter((t) => !listed.has(t.version));
  const excess = pointer.tombstones.length - MAX_TOMBSTONES;
  return empty
    .filter((t, i) => Date.parse(t.at) < now - TOMBSTONE_TTL_MS || i < excess)
    .map((t) => t.version);
}

/** Runs named by the index's remaining published versions: their folders (rejects) stay with them. */
async function referencedRuns(store: ObjectStore, index: string): Promise<Set<string>> {
  const runs = new Set<string>();
  for (const v of await listVersions(store, index)) {
    if (!v.hasManifest) continue;
    const object = await store.get(manifestKey(index, v.version));
    if (!object) continue;
    const run = decodeManifest(object.bytes, manifestKey(index, v.version)).stats.run;
    if (typeof run === 'string') runs.add(run);
  }
  return runs;
}
