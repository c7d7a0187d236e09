/**
 * Rollback: moves CURRENT to an older published version with the same conditional write as publish (so a
 * rollback racing a publish also has exactly one winner). The target is named by its full id or by its
 * sequence number ("3" or "v00000003").
 */

import { currentKey, manifestKey } from '../../shared/index/layout.ts';
import type { CurrentPointer } from '../../shared/index/manifest.ts';
import { encodeCurrentPointer } from '../../shared/index/manifest-codec.ts';
import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { PublishConflictError, UnknownVersionError } from './errors.ts';
import { assertIndexName, listVersions, readCurrent } from './versions.ts';

export async function rollback(
  store: ObjectStore,
  index: string,
  target: string,
): Promise<{ from: string | null; to: string }> {
  assertIndexName(index);
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
  const current = await readCurrent(store, index);
  const pointer: CurrentPointer = {
    version: found.version,
    manifestKey: manifestKey(index, found.version),
    updatedAt: new Date().toISOString(),
  };
  try {
    await store.put(
      currentKey(index),
      encodeCurrentPointer(pointer),
      current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
    );
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      throw new PublishConflictError(
        index,
        found.version,
        'CURRENT moved during the rollback; check and retry',
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  return { from: current?.pointer.version ?? null, to: found.version };
}
