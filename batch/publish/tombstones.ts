/**
 * Deleting versions without ever deleting what CURRENT names. The one rule: a version folder is deleted
 * only after a conditional write of CURRENT has tombstoned it — a write that succeeds only against the
 * CURRENT the decision was made on, and that every later move carries forward and refuses to cross (a
 * move never names a tombstoned version). So between "decided" and "deleted" CURRENT cannot come to
 * name the version: a move that read CURRENT before the tombstone fails its own condition, one that read
 * it after sees the tombstone. Before each version's files go, CURRENT is read again, and deleting stops
 * if the tombstone is no longer there (someone rewrote CURRENT outside this protocol). gc and a publisher
 * that lost its race both delete this way.
 */
import { currentKey } from '../../shared/index/layout.ts';
import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import {
  encodeLifecyclePointer,
  isTombstoned,
  type LifecyclePointer,
  withoutTombstones,
  withTombstones,
} from './current-pointer.ts';
import { type CurrentState, deleteVersionFiles, readCurrent } from './versions.ts';

export type TombstoneOutcome =
  | { readonly written: true; readonly state: CurrentState }
  /** CURRENT changed since `state` was read: decide again on the new one. */
  | { readonly written: false; readonly reason: 'moved' }
  /** The write was acknowledged but CURRENT does not show it (lost, or overwritten outside the protocol). */
  | { readonly written: false; readonly reason: 'unconfirmed' };

/**
 * Tombstones `condemn` (and forgets the tombstones of `forget`, whose folders are gone) with a write that
 * must match `state.etag`, then reads CURRENT back to confirm the tombstones are there.
 */
export async function writeTombstones(
  store: ObjectStore,
  index: string,
  state: CurrentState,
  condemn: readonly string[],
  forget: readonly string[],
  now: number,
): Promise<TombstoneOutcome> {
  if (condemn.includes(state.pointer.version))
    throw new Error(`refusing to tombstone CURRENT's ${state.pointer.version}`);
  const next: LifecyclePointer = withoutTombstones(withTombstones(state.pointer, condemn, now), forget);
  try {
    await store.put(currentKey(index), encodeLifecyclePointer(next), {
      ifMatch: state.etag,
      contentType: 'application/json',
    });
  } catch (error) {
    if (error instanceof PreconditionFailedError) return { written: false, reason: 'moved' };
    throw error;
  }
  const confirmed = await readCurrent(store, index);
  if (
    !confirmed ||
    !condemn.every((v) => isTombstoned(confirmed.pointer, v) && confirmed.pointer.version !== v)
  ) {
    return { written: false, reason: 'unconfirmed' };
  }
  return { written: true, state: confirmed };
}

export interface DeleteOutcome {
  readonly deleted: string[];
  readonly objects: number;
  /** Why deleting stopped early, if it did. */
  readonly stopped?: string;
}

/** Deletes tombstoned versions one by one, re-reading CURRENT before each (see the module comment). */
export async function deleteTombstoned(
  store: ObjectStore,
  index: string,
  versions: readonly string[],
): Promise<DeleteOutcome> {
  const deleted: string[] = [];
  let objects = 0;
  for (const version of versions) {
    let check: CurrentState | null;
    try {
      check = await readCurrent(store, index);
    } catch (error) {
      return { deleted, objects, stopped: `CURRENT could not be re-read: ${(error as Error).message}` };
    }
    if (!check || !isTombstoned(check.pointer, version) || check.pointer.version === version) {
      return { deleted, objects, stopped: `CURRENT no longer tombstones ${version}: it was rewritten` };
    }
    objects += await deleteVersionFiles(store, index, version);
    deleted.push(version);
  }
  return { deleted, objects };
}
