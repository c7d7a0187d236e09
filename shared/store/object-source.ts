/**
 * `objectByteSource(store, key, size?)`: the ByteSource a shard reader reads from, over one object of any
 * ObjectStore (with whatever decorators: a cached, counted, retried S3 or R2 object). Readers stay ignorant
 * of stores, stores of shard formats.
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { ObjectStore } from './object-store.ts';

/** `size`, when known (from the manifest or a list), saves readers a HEAD. */
export function objectByteSource(store: ObjectStore, key: string, size?: number): ByteSource {
  return {
    name: key,
    size,
    read: (offset, length) => store.getRange(key, offset, length),
  };
}
