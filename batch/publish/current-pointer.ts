/**
 * The CURRENT pointer as the version lifecycle reads and writes it. Besides what readers need (`version`,
 * `manifestKey`, `updatedAt` — shared/index/manifest.ts), the pointer carries the lifecycle's own state,
 * so that one conditional write moves CURRENT and updates that state together, with no second object
 * that could disagree with it:
 *
 *   generation    bumped by every move of `version`; bookkeeping writes keep it, so "CURRENT moved since
 *                 I read it" is a comparison of (version, generation, updatedAt), whatever the etag says
 *   history       the versions CURRENT named before, newest first, each with the time it stopped naming
 *                 it (`until`): gc's grace period protects every version named within it
 *   historySince  history lists every version named at any time after this instant; entries dropped to
 *                 bound the pointer's size move it forward, and a pointer without history (written by an
 *                 older csplade, or rebuilt by `verify --fix` from garbage) starts it at "now"
 *   tombstones    versions gc (or a publisher that lost its race) is deleting: no move may name them, and
 *                 every writer carries them forward
 *
 * The JSON stays readable by people and by readers that know only the three reader fields.
 */
import type { CurrentPointer } from '../../shared/index/manifest.ts';
import {
  decodeCurrentPointer,
  encodeCurrentPointer,
  ManifestFormatError,
} from '../../shared/index/manifest-codec.ts';

export interface HistoryEntry {
  readonly version: string;
  /** ISO time at which CURRENT stopped naming `version`. */
  readonly until: string;
}

export interface Tombstone {
  readonly version: string;
  /** ISO time of the write that condemned the version. */
  readonly at: string;
}

export interface LifecyclePointer extends CurrentPointer {
  readonly generation: number;
  readonly history: readonly HistoryEntry[];
  readonly historySince: string;
  readonly tombstones: readonly Tombstone[];
}

/** History entries kept at most; older ones are dropped first (and historySince moves past them). */
export const MAX_HISTORY = 64;
/** History entries older than this are dropped: far beyond any sensible grace period. */
export const HISTORY_HORIZON_MS = 30 * 24 * 3_600_000;
const EPOCH = new Date(0).toISOString();

const iso = (ms: number) => new Date(ms).toISOString();
const isIsoTime = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

/**
 * Decodes CURRENT; throws ManifestFormatError when the reader fields or the lifecycle fields are wrong.
 * A pointer without lifecycle fields (an older csplade wrote it) gets an empty history that starts at
 * its `updatedAt`: what it named before is unknown, so gc treats every version as possibly named then.
 */
export function decodeLifecyclePointer(bytes: Uint8Array, what = 'CURRENT'): LifecyclePointer {
  const base = decodeCurrentPointer(bytes, what) as unknown as Record<string, unknown>;
  const fail = (detail: string): never => {
    throw new ManifestFormatError(what, detail);
  };
  if (!isIsoTime(base.updatedAt)) fail('"updatedAt" must be an ISO time');
  const pointer = {
    version: base.version as string,
    manifestKey: base.manifestKey as string,
    updatedAt: base.updatedAt as string,
  };
  if (base.generation === undefined && base.history === undefined && base.tombstones === undefined) {
    return { ...pointer, generation: 0, history: [], historySince: pointer.updatedAt, tombstones: [] };
  }
  if (!Number.isSafeInteger(base.generation) || (base.generation as number) < 0)
    fail('"generation" must be a non-negative integer');
  if (!isIsoTime(base.historySince)) fail('"historySince" must be an ISO time');
  const history = base.history;
  if (!Array.isArray(history)) fail('"history" must be a list');
  for (const entry of history as Record<string, unknown>[]) {
    if (typeof entry?.version !== 'string' || !isIsoTime(entry.until))
      fail('every "history" entry needs a string "version" and an ISO "until"');
  }
  const tombstones = base.tombstones;
  if (!Array.isArray(tombstones)) fail('"tombstones" must be a list');
  for (const entry of tombstones as Record<string, unknown>[]) {
    if (typeof entry?.version !== 'string' || !isIsoTime(entry.at))
      fail('every "tombstones" entry needs a string "version" and an ISO "at"');
  }
  return {
    ...pointer,
    generation: base.generation as number,
    history: (history as HistoryEntry[]).map((h) => ({ version: h.version, until: h.until })),
    historySince: base.historySince as string,
    tombstones: (tombstones as Tombstone[]).map((t) => ({ version: t.version, at: t.at })),
  };
}

export function encodeLifecyclePointer(pointer: LifecyclePointer): Uint8Array {
  const { version, manifestKey, updatedAt, generation, history, historySince, tombstones } = pointer;
  return encodeCurrentPointer({
    version,
    manifestKey,
    updatedAt,
    generation,
    history,
    historySince,
    tombstones,
  } as CurrentPointer);
}

/** The pointer of an index's first version: nothing was ever named before, so history is complete. */
export function firstPointer(version: string, manifestKey: string, now: number): LifecyclePointer {
  return {
    version,
    manifestKey,
    updatedAt: iso(now),
    generation: 1,
    history: [],
    historySince: EPOCH,
    tombstones: [],
  };
}

/**
 * `previous` moved to `version`: the version it named joins the history, tombstones are carried
 * forward. With no readable previous pointer (repairing garbage) the history starts now, empty.
 */
export function movedPointer(
  previous: LifecyclePointer | null,
  version: string,
  manifestKey: string,
  now: number,
): LifecyclePointer {
  if (!previous) {
    return { ...firstPointer(version, manifestKey, now), historySince: iso(now) };
  }
  const history =
    previous.version === version
      ? previous.history
      : [{ version: previous.version, until: iso(now) }, ...previous.history];
  return trimHistory(
    {
      version,
      manifestKey,
      updatedAt: iso(now),
      generation: previous.generation + 1,
      history,
      historySince: previous.historySince,
      tombstones: previous.tombstones,
    },
    now,
  );
}

function trimHistory(pointer: LifecyclePointer, now: number): LifecyclePointer {
  const horizon = now - HISTORY_HORIZON_MS;
  const kept: HistoryEntry[] = [];
  let since = Date.parse(pointer.historySince);
  for (const entry of pointer.history) {
    const until = Date.parse(entry.until);
    if (kept.length < MAX_HISTORY && until >= horizon) kept.push(entry);
    else since = Math.max(since, until);
  }
  return { ...pointer, history: kept, historySince: iso(since) };
}

/** The same pointer with `versions` tombstoned (a bookkeeping write: the move fields stay as they are). */
export function withTombstones(
  pointer: LifecyclePointer,
  versions: readonly string[],
  now: number,
): LifecyclePointer {
  const known = new Set(pointer.tombstones.map((t) => t.version));
  const added = versions.filter((v) => !known.has(v)).map((version) => ({ version, at: iso(now) }));
  return { ...pointer, tombstones: [...pointer.tombstones, ...added] };
}

/** The same pointer without the tombstones of `versions` (their folders are gone). */
export function withoutTombstones(pointer: LifecyclePointer, versions: readonly string[]): LifecyclePointer {
  const drop = new Set(versions);
  return { ...pointer, tombstones: pointer.tombstones.filter((t) => !drop.has(t.version)) };
}

export function isTombstoned(pointer: LifecyclePointer, version: string): boolean {
  return pointer.tombstones.some((t) => t.version === version);
}

/** Whether `b` is the same move of CURRENT as `a` (only bookkeeping may differ). */
export function sameMove(a: LifecyclePointer | null, b: LifecyclePointer | null): boolean {
  if (!a || !b) return a === b;
  return a.version === b.version && a.generation === b.generation && a.updatedAt === b.updatedAt;
}

/**
 * The versions CURRENT named within `graceMs` of `now` (its own included), and whether the history is
 * complete for that window: when it is not, any published version may have been named and gc must keep
 * them all.
 */
export function namedWithin(
  pointer: LifecyclePointer,
  graceMs: number,
  now: number,
): { versions: Set<string>; complete: boolean } {
  const since = now - graceMs;
  const versions = new Set<string>([pointer.version]);
  for (const entry of pointer.history) if (Date.parse(entry.until) > since) versions.add(entry.version);
  return { versions, complete: Date.parse(pointer.historySince) <= since };
}
