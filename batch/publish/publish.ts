/**
 * Publishing one built version, in the order that keeps readers safe:
 *   1. shards (already written by the build) are read back and verified: size and checksum;
 *   2. the manifest is written create-only (If-None-Match: *) — it is immutable from then on;
 *   3. CURRENT moves with a conditional write: If-Match the etag read when this publish began, or
 *      If-None-Match: * for the first version. Of two concurrent publishers exactly one wins; the other
 *      gets PublishConflictError, deletes its own (never live) version folder, and nothing it wrote was
 *      ever visible through CURRENT.
 * A reader either sees the old CURRENT (whose files are untouched) or the new one (whose files were all
 * verified before the flip), never half a version.
 */

import { currentKey, manifestKey, versionPrefix } from '../../shared/index/layout.ts';
import {
  type CurrentPointer,
  type IndexManifest,
  MANIFEST_FORMAT_VERSION,
} from '../../shared/index/manifest.ts';
import { decodeManifest, encodeCurrentPointer, encodeManifest } from '../../shared/index/manifest-codec.ts';
import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { BuiltVersion } from '../pipeline/build-stage.ts';
import { verifyShards } from '../pipeline/build-stage.ts';
import { PublishConflictError } from './errors.ts';
import { type CurrentState, nextVersionId, readCurrent } from './versions.ts';

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
  readonly pointer: CurrentPointer;
}

export async function publishVersion(
  store: ObjectStore,
  built: BuiltVersion,
  expected: CurrentState | null,
  extraStats: Record<string, unknown> = {},
  hooks: { onVerified?: (done: number, total: number) => void } = {},
): Promise<PublishResult> {
  const { index, version } = built;
  await verifyShards(store, built.shards, hooks.onVerified, built.approximate);
  const manifest: IndexManifest = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    index,
    version,
    createdAt: new Date().toISOString(),
    encoder: built.encoder,
    impact: built.impact,
    vocabSize: built.vocabSize,
    docs: built.docs,
    postings: built.postings,
    shards: built.shards,
    ...(built.approximate ? { approximate: built.approximate } : {}),
    stats: {
      ...built.stats,
      ...extraStats,
      run: built.run,
      previousVersion: expected?.pointer.version ?? null,
    },
  };
  const key = manifestKey(index, version);
  let written = manifest;
  try {
    await store.put(key, encodeManifest(manifest), {
      ifNoneMatch: '*',
      contentType: 'application/x-msgpack',
    });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    // A retried publish of the same run finds its own manifest from the attempt that died: keep it.
    const existing = await store.get(key);
    const previous = existing ? decodeManifest(existing.bytes, key) : null;
    if (previous?.stats.run !== built.run) {
      throw new PublishConflictError(
        index,
        version,
        `its manifest ${key} already exists and belongs to another run`,
        {
          cause: error,
        },
      );
    }
    written = previous;
  }
  const pointer: CurrentPointer = { version, manifestKey: key, updatedAt: new Date().toISOString() };
  try {
    await store.put(
      currentKey(index),
      encodeCurrentPointer(pointer),
      expected
        ? { ifMatch: expected.etag, contentType: 'application/json' }
        : { ifNoneMatch: '*', contentType: 'application/json' },
    );
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const now = await readCurrent(store, index).catch(() => null);
    // CURRENT moved because an earlier attempt of this very publish moved it: done, and live — keep it.
    if (now?.pointer.version === version)
      return { manifest: written, manifestKey: key, pointer: now.pointer };
    await deleteVersionFiles(store, index, version);
    const was = expected ? `version ${expected.pointer.version}` : 'no version';
    throw new PublishConflictError(
      index,
      version,
      `CURRENT changed while it was built (it pointed to ${was}, another publisher moved it to ${now?.pointer.version ?? 'an unreadable value'}); its files were removed, rerun to publish on top of the new version`,
      { cause: error },
    );
  }
  return { manifest: written, manifestKey: key, pointer };
}

/** Deletes every object of one version folder (manifest first, so the version is gone before its shards). */
export async function deleteVersionFiles(
  store: ObjectStore,
  index: string,
  version: string,
): Promise<number> {
  const objects = await store.list(versionPrefix(index, version));
  const manifest = manifestKey(index, version);
  const keys = objects.map((o) => o.key).sort((a, b) => (a === manifest ? -1 : b === manifest ? 1 : 0));
  for (const key of keys) await store.delete(key);
  return keys.length;
}
