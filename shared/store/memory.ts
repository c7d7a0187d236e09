/**
 * In-memory ObjectStore for unit tests and dry runs. It behaves like the real backends in everything the
 * conformance suite checks (conditional puts, range errors, ordering), so a test that passes here fails
 * elsewhere only for reasons of the network. Stored bytes are copied in and out: a caller mutating a
 * buffer after `put` must not change the object, as it could not with S3.
 */
import { NotFoundError, PreconditionFailedError } from './errors.ts';
import { assertValidKey, commonPrefixes, compareKeys } from './keys.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';
import { assertRangeArguments, assertRangeWithin } from './range.ts';

const BACKEND = 'memory';

interface StoredObject {
  readonly bytes: Uint8Array;
  readonly info: ObjectInfo;
}

export class MemoryObjectStore implements ObjectStore {
  readonly #objects = new Map<string, StoredObject>();
  #version = 0;

  async get(key: string): Promise<{ bytes: Uint8Array; info: ObjectInfo } | null> {
    assertValidKey(BACKEND, key);
    const object = this.#objects.get(key);
    return object ? { bytes: object.bytes.slice(), info: object.info } : null;
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    assertValidKey(BACKEND, key);
    assertRangeArguments(BACKEND, key, offset, length);
    const object = this.#objects.get(key);
    if (!object) throw new NotFoundError(BACKEND, key);
    assertRangeWithin(BACKEND, key, offset, length, object.bytes.length);
    return object.bytes.slice(offset, offset + length);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(BACKEND, key);
    return this.#objects.get(key)?.info ?? null;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<ObjectInfo> {
    assertValidKey(BACKEND, key);
    // Check and write without an await in between: JavaScript's run-to-completion makes this atomic.
    const current = this.#objects.get(key);
    if (options.ifNoneMatch === '*' && current) {
      throw new PreconditionFailedError(BACKEND, key, 'If-None-Match: * but the key exists');
    }
    if (options.ifMatch !== undefined && current?.info.etag !== options.ifMatch) {
      const actual = current ? `etag is ${current.info.etag}` : 'key is absent';
      throw new PreconditionFailedError(BACKEND, key, `If-Match ${options.ifMatch} but ${actual}`);
    }
    // A version counter, not a content hash: cheap, and unique per write like S3 versions.
    const etag = `m${(++this.#version).toString(16)}-${bytes.length.toString(16)}`;
    const info: ObjectInfo = { key, size: bytes.length, etag };
    this.#objects.set(key, { bytes: bytes.slice(), info });
    return info;
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    for (const [key, object] of this.#objects) if (key.startsWith(prefix)) found.push(object.info);
    return found.sort((a, b) => compareKeys(a.key, b.key));
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    return commonPrefixes(
      (await this.list(prefix)).map((o) => o.key),
      prefix,
    );
  }

  async delete(key: string): Promise<void> {
    assertValidKey(BACKEND, key);
    this.#objects.delete(key);
  }
}
