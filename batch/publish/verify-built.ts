/**
 * Publish's first step: every file the build wrote is read back before anything refers to it — each
 * shard, its approximate and doc-values files, the routing object and the query-side assets. A file's
 * size must match and its bytes must have the checksum the writer computed; an asset must exist.
 */
import type { ApproximateIndexEntry, ShardEntry } from '../../shared/index/manifest.ts';
import { checksumHex } from '../../shared/index/shard-entry.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { BuiltVersion } from '../pipeline/build-stage.ts';
import { ShardVerificationError } from '../pipeline/errors.ts';

/** Reads back every file of `built`; throws ShardVerificationError on the first one that is not as written. */
export async function verifyBuiltFiles(
  store: ObjectStore,
  built: BuiltVersion,
  onVerified?: (done: number, total: number) => void,
): Promise<void> {
  await verifyShards(store, built.shards, onVerified, built.approximate);
  for (const assetKey of Object.values(built.encoder.assets ?? {})) {
    if (!(await store.head(assetKey))) throw new ShardVerificationError(assetKey, 'is missing after upload');
  }
}

async function verifyShards(
  store: ObjectStore,
  shards: readonly ShardEntry[],
  onVerified?: (done: number, total: number) => void,
  approximate?: ApproximateIndexEntry,
): Promise<void> {
  onVerified?.(0, shards.length);
  for (const [i, shard] of shards.entries()) {
    await verifyFile(store, shard);
    if (shard.approximate) await verifyFile(store, shard.approximate);
    if (shard.docValues) await verifyFile(store, shard.docValues);
    onVerified?.(i + 1, shards.length);
  }
  if (approximate) await verifyFile(store, approximate.routing);
}

async function verifyFile(store: ObjectStore, file: { key: string; size: number; checksum: string }) {
  const info = await store.head(file.key);
  if (!info) throw new ShardVerificationError(file.key, 'is missing after upload');
  if (info.size !== file.size)
    throw new ShardVerificationError(file.key, `is ${info.size} bytes, expected ${file.size}`);
  const object = await store.get(file.key);
  if (!object) throw new ShardVerificationError(file.key, 'is missing after upload');
  const actual = checksumHex(crc32(object.bytes));
  if (actual !== file.checksum) {
    throw new ShardVerificationError(
      file.key,
      `read back with checksum ${actual}, expected ${file.checksum}`,
    );
  }
}
