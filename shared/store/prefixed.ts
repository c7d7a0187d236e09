/**
 * `prefixed(store, prefix)`: a view of one "folder" of a store, so an index, a test or a tenant addresses
 * keys relative to its root ("v1/shard-0" instead of "indexes/demo/v1/shard-0"). Keys returned by `list`
 * and in ObjectInfo are relative again; error messages keep the full key, which is what a person looks for
 * in the bucket.
 */
import { assertValidKey } from './keys.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';

/** A prefix without a trailing slash gets one: "indexes/demo" and "indexes/demo/" name the same folder. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  if (trimmed === '') return '';
  const folder = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  assertValidKey('prefixed', folder.slice(0, -1));
  return folder;
}

export function prefixed(store: ObjectStore, prefix: string): ObjectStore {
  const root = normalizePrefix(prefix);
  if (root === '') return store;
  const full = (key: string) => {
    // Validate the relative key: "../x" must not escape the prefix by way of the inner store's rules.
    assertValidKey(`prefixed(${root})`, key);
    return root + key;
  };
  const relative = (info: ObjectInfo): ObjectInfo => ({ ...info, key: info.key.slice(root.length) });
  return {
    async get(key) {
      const found = await store.get(full(key));
      return found && { bytes: found.bytes, info: relative(found.info) };
    },
    getRange: (key, offset, length) => store.getRange(full(key), offset, length),
    async head(key) {
      const info = await store.head(full(key));
      return info && relative(info);
    },
    async put(key: string, bytes: Uint8Array, options?: PutOptions) {
      return relative(await store.put(full(key), bytes, options));
    },
    async list(listPrefix) {
      return (await store.list(root + listPrefix)).map(relative);
    },
    async listPrefixes(listPrefix) {
      return (await store.listPrefixes(root + listPrefix)).map((p) => p.slice(root.length));
    },
    delete: (key) => store.delete(full(key)),
  };
}
