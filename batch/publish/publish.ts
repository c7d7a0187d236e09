/**
 * Publishing one built version, in the order that keeps readers safe:
 *   1. shards (already written by the build) are read back and verified: size and checksum; assets exist;
 *   2. the manifest is written create-only (If-None-Match: *) and read back — it is immutable from then on;
 *   3. CURRENT moves with a conditional write: If-Match the etag read when this publish began, or
 *      If-None-Match: * for the first version. Of two concurrent publishers exactly one wins. When the
 *      condition fails only because gc wrote tombstones into CURRENT (the version it names did not move),
 *      the publish checks its files are still there and tries again on the new etag; when CURRENT really
 *      moved, the publish lost: it tombstones its own version and deletes it (tombstones.ts), and nothing
 *      it wrote was ever visible through CURRENT.
 * A reader either sees the old CURRENT (whose files are untouched) or the new one (whose files were all
 * verified before the flip), never half a version. The new pointer records the version it replaces in
 * its history (current-pointer.ts), which is what gc's grace period reads.
 */

import { currentKey, manifestKey } from '../../shared/index/layout.ts';
import { type IndexManifest, MANIFEST_FORMAT_VERSION } from '../../shared/index/manifest.ts';
import { decodeManifest, encodeManifest } from '../../shared/index/manifest-codec.ts';
import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { BuiltVersion } from '../pipeline/build-stage.ts';
import { ShardVerificationError } from '../pipeline/errors.ts';
import {
  encodeLifecyclePointer,
  firstPointer,
  isTombstoned,
  type LifecyclePointer,
  movedPointer,
  sameMove,
} from './current-pointer.ts';
import { PublishConflictError } from './errors.ts';
import { deleteTombstoned, writeTombstones } from './tombstones.ts';
import { verifyBuiltFiles } from './verify-built.ts';
import { verifyVersion } from './verify-version.ts';
import { type CurrentState, nextVersionId, readCurrent } from './versions.ts';

/** Conditional writes of CURRENT tried before a publish gives up on a CURRENT that keeps being rewritten. */
const MAX_MOVE_ATTEMPTS = 8;

export interface PublishStart {
  readonly version: string;
  /** CURRENT as it was when this publish began (null: the index has no version yet). */
  readonly expected: CurrentState | null;
}

/** Reads CURRENT (and its etag) and picks the new version id; call before building the version's files. */
export async function beginPublish(store: ObjectStore, index: string, tag: string): Promise<PublishStart> {
  const expected = await readCurrent(store, index);
  const random = Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return { version: await nextVersionId(store, index, `${tag.slice(-8)}${random}`), expected };
}

export interface PublishResult {
  readonly manifest: IndexManifest;
  readonly manifestKey: string;
  readonly pointer: LifecyclePointer;
}

export async function publishVersion(
  store: ObjectStore,
  built: BuiltVersion,
  expected: CurrentState | null,
  extraStats: Record<string, unknown> = {},
  hooks: { onVerified?: (done: number, total: number) => void; now?: () => number } = {},
): Promise<PublishResult> {
  await verifyBuiltFiles(store, built, hooks.onVerified);
  const key = manifestKey(built.index, built.version);
  const written = await writeManifestOnce(store, key, built, manifestOf(built, expected, extraStats));
  await checkManifestReadsBack(store, key, built);
  return moveCurrent(store, built.index, built.version, key, written, expected, hooks.now ?? Date.now);
}

function manifestOf(
  built: BuiltVersion,
  expected: CurrentState | null,
  extraStats: Record<string, unknown>,
): IndexManifest {
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    index: built.index,
    version: built.version,
    createdAt: new Date().toISOString(),
    encoder: built.encoder,
    impact: built.impact,
    vocabSize: built.vocabSize,
    docs: built.docs,
    postings: built.postings,
    shards: built.shards,
    ...(built.approximate ? { approximate: built.approximate } : {}),
    ...(built.filterable ? { filterable: built.filterable } : {}),
    ...(built.storedText ? { storedText: true } : {}),
    stats: {
      ...built.stats,
      ...extraStats,
      run: built.run,
      previousVersion: expected?.pointer.version ?? null,
    },
  };
}

/**
 * Writes the manifest create-only; returns the manifest that is in the store now. A retried publish of the
 * same run finds its own manifest from the attempt that died, and keeps it.
 */
async function writeManifestOnce(
  store: ObjectStore,
  key: string,
  built: BuiltVersion,
  manifest: IndexManifest,
): Promise<IndexManifest> {
  try {
    await store.put(key, encodeManifest(manifest), {
      ifNoneMatch: '*',
      contentType: 'application/x-msgpack',
    });
    return manifest;
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const existing = await store.get(key);
    const previous = existing ? decodeManifest(existing.bytes, key) : null;
    if (previous?.stats.run !== built.run) {
      throw new PublishConflictError(
        built.index,
        built.version,
        `its manifest ${key} already exists and belongs to another run`,
        {
          cause: error,
        },
      );
    }
    return previous;
  }
}

/** CURRENT must never name a manifest that a lost or damaged write left unreadable. */
async function checkManifestReadsBack(store: ObjectStore, key: string, built: BuiltVersion): Promise<void> {
  const stored = await store.get(key);
  if (!stored) throw new ShardVerificationError(key, 'is missing after upload');
  let readBack: IndexManifest | null = null;
  try {
    readBack = decodeManifest(stored.bytes, key);
  } catch {}
  if (readBack?.stats.run !== built.run) {
    throw new PublishConflictError(
      built.index,
      built.version,
      `its manifest ${key} did not read back as written; rerun`,
    );
  }
}

async function moveCurrent(
  store: ObjectStore,
  index: string,
  version: string,
  key: string,
  written: IndexManifest,
  expected: CurrentState | null,
  now: () => number,
): Promise<PublishResult> {
  let state = expected;
  for (let attempt = 0; attempt < MAX_MOVE_ATTEMPTS; attempt++) {
    const pointer = state
      ? movedPointer(state.pointer, version, key, now())
      : firstPointer(version, key, now());
    try {
      await store.put(
        currentKey(index),
        encodeLifecyclePointer(pointer),
        state
          ? { ifMatch: state.etag, contentType: 'application/json' }
          : { ifNoneMatch: '*', contentType: 'application/json' },
      );
      return { manifest: written, manifestKey: key, pointer };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
    const latest = await readCurrent(store, index);
    // CURRENT moved because an earlier attempt of this very publish moved it: done, and live — keep it.
    if (latest?.pointer.version === version)
      return { manifest: written, manifestKey: key, pointer: latest.pointer };
    if (
      latest &&
      sameMove(expected?.pointer ?? null, latest.pointer) &&
      !isTombstoned(latest.pointer, version)
    ) {
      // Only bookkeeping changed (gc tombstoned other versions); ours must still be whole to go live.
      const check = await verifyVersion(store, index, version, { depth: 'sizes' });
      if (!check.ok) {
        throw new PublishConflictError(
          index,
          version,
          `its files changed before CURRENT could move (${check.problems.map((p) => p.detail).join('; ')}); rerun to publish`,
        );
      }
      state = latest;
      continue;
    }
    const removed = await abandonVersion(store, index, version, latest, now);
    const was = expected ? `version ${expected.pointer.version}` : 'no version';
    throw new PublishConflictError(
      index,
      version,
      `CURRENT changed while it was built (it pointed to ${was}, another publisher moved it to ${latest?.pointer.version ?? 'nothing'}); ${removed ? 'its files were removed' : 'its files were left to gc'}, rerun to publish on top of the new version`,
    );
  }
  throw new PublishConflictError(
    index,
    version,
    'CURRENT kept being rewritten while it tried to move; rerun to publish',
  );
}

/**
 * The loser of a race removes its version the way gc would: tombstone, then delete. Never when CURRENT
 * names it now or named it before (a rollback may have chosen it meanwhile): then retention decides.
 */
async function abandonVersion(
  store: ObjectStore,
  index: string,
  version: string,
  latest: CurrentState | null,
  now: () => number,
): Promise<boolean> {
  let state = latest;
  for (let attempt = 0; attempt < MAX_MOVE_ATTEMPTS && state; attempt++) {
    if (state.pointer.version === version || state.pointer.history.some((h) => h.version === version))
      return false;
    const outcome = await writeTombstones(store, index, state, [version], [], now());
    if (outcome.written) {
      const deleted = await deleteTombstoned(store, index, [version]);
      return deleted.deleted.length === 1;
    }
    if (outcome.reason === 'unconfirmed') return false;
    state = await readCurrent(store, index);
  }
  return false;
}
