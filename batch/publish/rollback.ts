/**
 * Rollback: moves CURRENT to an older published version. The target is verified first — its manifest
 * decodes, every shard exists with the recorded size, checksum and footer, every asset exists
 * (verify-version.ts) — and a target with anything missing is refused with the list of what is missing.
 * The move is the same conditional write as publish: a rollback racing a publish has exactly one winner,
 * and a target that gc tombstoned (is deleting) is refused. When the write fails only because gc wrote
 * tombstones into CURRENT, the rollback tries again on the new etag: the target cannot have lost files
 * meanwhile without a tombstone, which the retry would see. The target is named by its full id or by its
 * sequence number ("3" or "v00000003").
 */

import { currentKey, manifestKey } from '../../shared/index/layout.ts';
import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { encodeLifecyclePointer, isTombstoned, movedPointer, sameMove } from './current-pointer.ts';
import {
  PublishConflictError,
  UnknownVersionError,
  VersionCondemnedError,
  VersionIncompleteError,
} from './errors.ts';
import { describeProblem, verifyVersion } from './verify-version.ts';
import { assertIndexName, listVersions, readCurrent } from './versions.ts';

const MAX_ATTEMPTS = 8;

export interface RollbackOptions {
  readonly now?: () => number;
}

export async function rollback(
  store: ObjectStore,
  index: string,
  target: string,
  options: RollbackOptions = {},
): Promise<{ from: string | null; to: string }> {
  assertIndexName(index);
  const now = options.now ?? Date.now;
  const published = (await listVersions(store, index)).filter((v) => v.hasManifest);
  const wanted = /^v?\d+$/.test(target) ? Number(target.replace(/^v/, '')) : undefined;
  const found = published.find(
    (v) => v.version === target || (wanted !== undefined && v.sequence === wanted),
  );
  if (!found)
    throw new UnknownVersionError(
      index,
      target,
      published.map((v) => v.version),
    );
  const version = found.version;
  const first = await readCurrent(store, index);
  if (first?.pointer.version === version) return { from: version, to: version };
  if (first && isTombstoned(first.pointer, version)) throw new VersionCondemnedError(index, version);
  const check = await verifyVersion(store, index, version);
  if (!check.ok) throw new VersionIncompleteError(index, version, check.problems.map(describeProblem));

  let state = first;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pointer = movedPointer(state?.pointer ?? null, version, manifestKey(index, version), now());
    try {
      await store.put(
        currentKey(index),
        encodeLifecyclePointer(pointer),
        state
          ? { ifMatch: state.etag, contentType: 'application/json' }
          : { ifNoneMatch: '*', contentType: 'application/json' },
      );
      return { from: first?.pointer.version ?? null, to: version };
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
    const latest = await readCurrent(store, index);
    if (latest && isTombstoned(latest.pointer, version)) throw new VersionCondemnedError(index, version);
    if (!sameMove(first?.pointer ?? null, latest?.pointer ?? null)) {
      throw new PublishConflictError(
        index,
        version,
        `CURRENT moved to ${latest?.pointer.version ?? 'nothing'} during the rollback; check and retry`,
      );
    }
    state = latest;
  }
  throw new PublishConflictError(index, version, 'CURRENT kept being rewritten during the rollback; retry');
}
