/**
 * Version ids and the listing of an index's versions. An id is `v<seq:8>-<UTC time>-<tag>`: the sequence
 * number makes ids sort in publish order, the time is for people, and the tag (from the run id) keeps two
 * concurrent publishers that picked the same sequence number out of each other's folder — their shards
 * never mix, and the CURRENT race decides which one goes live.
 */

import { currentKey, isValidIndexName, manifestKey, versionPrefix } from '../../shared/index/layout.ts';
import { ManifestFormatError } from '../../shared/index/manifest-codec.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { decodeLifecyclePointer, type LifecyclePointer } from './current-pointer.ts';
import { CurrentUnreadableError, InvalidIndexNameError } from './errors.ts';

const VERSION_ID = /^v(\d{8})-(\d{8}T\d{6}Z)-([a-z0-9]+)$/;

export interface VersionListing {
  readonly version: string;
  readonly sequence: number;
  readonly hasManifest: boolean;
  readonly keys: string[];
}

export interface CurrentState {
  readonly pointer: LifecyclePointer;
  readonly etag: string;
}

export function assertIndexName(index: string): void {
  if (!isValidIndexName(index)) throw new InvalidIndexNameError(index);
}

export function sequenceOf(version: string): number | undefined {
  const match = VERSION_ID.exec(version);
  return match ? Number(match[1]) : undefined;
}

/** The UTC time written into a version id (when its publish began, to the second), in ms. */
export function timeOf(version: string): number | undefined {
  const match = VERSION_ID.exec(version);
  if (!match) return undefined;
  const t = match[2];
  return Date.UTC(
    +t.slice(0, 4),
    +t.slice(4, 6) - 1,
    +t.slice(6, 8),
    +t.slice(9, 11),
    +t.slice(11, 13),
    +t.slice(13, 15),
  );
}

export function makeVersionId(sequence: number, tag: string, now = new Date()): string {
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const safeTag =
    tag
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(-12) || 'x';
  return `v${String(sequence).padStart(8, '0')}-${time}-${safeTag}`;
}

/** Every version folder of an index with its keys, oldest first. */
export async function listVersions(store: ObjectStore, index: string): Promise<VersionListing[]> {
  const prefix = `indexes/${index}/versions/`;
  const byVersion = new Map<string, string[]>();
  for (const object of await store.list(prefix)) {
    const version = object.key.slice(prefix.length).split('/')[0];
    const keys = byVersion.get(version);
    if (keys) keys.push(object.key);
    else byVersion.set(version, [object.key]);
  }
  const listings: VersionListing[] = [];
  for (const [version, keys] of byVersion) {
    const sequence = sequenceOf(version);
    if (sequence === undefined) continue; // not ours: never touched
    listings.push({ version, sequence, hasManifest: keys.includes(manifestKey(index, version)), keys });
  }
  return listings.sort((a, b) => a.sequence - b.sequence || (a.version < b.version ? -1 : 1));
}

/**
 * CURRENT with the etag a conditional move must match, or null before the first publish. A CURRENT that
 * does not decode throws CurrentUnreadableError: nothing may move or collect against a pointer whose
 * history and tombstones are unknown (`csplade verify --fix` repairs it).
 */
export async function readCurrent(store: ObjectStore, index: string): Promise<CurrentState | null> {
  const object = await store.get(currentKey(index));
  if (!object) return null;
  try {
    return { pointer: decodeLifecyclePointer(object.bytes, currentKey(index)), etag: object.info.etag };
  } catch (error) {
    if (error instanceof ManifestFormatError)
      throw new CurrentUnreadableError(index, error.message, { cause: error });
    throw error;
  }
}

/** The id the next version of `index` gets: one past the highest sequence number in use. */
export async function nextVersionId(store: ObjectStore, index: string, tag: string): Promise<string> {
  const versions = await listVersions(store, index);
  const highest = versions.reduce((max, v) => Math.max(max, v.sequence), 0);
  return makeVersionId(highest + 1, tag);
}

/**
 * Deletes every object of one version folder, manifest first (the version is gone for readers before its
 * shards are). Only for folders nothing can name: unpublished ones, or ones tombstoned in CURRENT.
 */
export async function deleteVersionFiles(
  store: ObjectStore,
  index: string,
  version: string,
): Promise<number> {
  const objects = await store.list(versionPrefix(index, version));
  const manifest = manifestKey(index, version);
  const keys = objects.map((o) => o.key).filter((k) => k !== manifest);
  await store.delete(manifest);
  for (const key of keys) await store.delete(key);
  return keys.length + (objects.length > keys.length ? 1 : 0);
}
