/**
 * Garbage collection of old versions: keeps CURRENT's version and the newest `keep` published versions,
 * deletes every other published version, and deletes folders without a manifest (publishes that lost or
 * died) whose sequence number is below the newest published one — a publisher still at work always holds
 * a higher number, so its folder is never touched. CURRENT's version is never deleted, whatever `keep` is.
 */
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { PipelineConfigError } from '../pipeline/errors.ts';
import { deleteVersionFiles } from './publish.ts';
import { assertIndexName, listVersions, readCurrent } from './versions.ts';

export interface GcResult {
  readonly kept: string[];
  readonly deleted: string[];
  readonly deletedObjects: number;
}

export const DEFAULT_KEEP = 3;

export async function collectGarbage(
  store: ObjectStore,
  index: string,
  keep = DEFAULT_KEEP,
): Promise<GcResult> {
  assertIndexName(index);
  if (!Number.isInteger(keep) || keep < 1)
    throw new PipelineConfigError(`--keep must be an integer ≥ 1, got ${keep}`);
  const current = await readCurrent(store, index);
  const versions = await listVersions(store, index);
  const published = versions.filter((v) => v.hasManifest);
  const newestPublished = published.length ? published[published.length - 1].sequence : 0;
  const keepSet = new Set(published.slice(-keep).map((v) => v.version));
  if (current) keepSet.add(current.pointer.version);
  const kept: string[] = [];
  const deleted: string[] = [];
  let deletedObjects = 0;
  for (const v of versions) {
    const abandoned = !v.hasManifest && v.sequence < newestPublished;
    if (keepSet.has(v.version) || (!v.hasManifest && !abandoned)) {
      kept.push(v.version);
      continue;
    }
    deletedObjects += await deleteVersionFiles(store, index, v.version);
    deleted.push(v.version);
  }
  return { kept, deleted, deletedObjects };
}
