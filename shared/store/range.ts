/**
 * Range arguments shared by every backend's `getRange`: non-negative integers, checked before any request
 * so a bad offset fails the same way everywhere (and never turns into an open-ended HTTP range).
 */
import { InvalidRangeError, NotFoundError } from './errors.ts';
import { assertValidKey } from './keys.ts';
import type { ObjectInfo } from './object-store.ts';

/** Throws InvalidRangeError unless offset and length are non-negative safe integers. */
export function assertRangeArguments(backend: string, key: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new InvalidRangeError(backend, key, offset, length, undefined);
  }
}

/** Throws InvalidRangeError when `offset + length` runs past an object of `size` bytes. */
export function assertRangeWithin(
  backend: string,
  key: string,
  offset: number,
  length: number,
  size: number,
): void {
  if (offset + length > size) throw new InvalidRangeError(backend, key, offset, length, size);
}

/**
 * What a remote backend's getRange (S3, R2) checks before its request: the key and the range arguments.
 * It also answers a read of zero bytes, which a ranged request cannot ask for: a HEAD still tells an
 * absent key and an offset past the end apart. Resolves to the empty answer when `length` is 0, to
 * undefined when the bytes must be read.
 */
export async function checkRangeRequest(
  backend: string,
  key: string,
  offset: number,
  length: number,
  head: (key: string) => Promise<ObjectInfo | null>,
): Promise<Uint8Array | undefined> {
  assertValidKey(backend, key);
  assertRangeArguments(backend, key, offset, length);
  if (length !== 0) return undefined;
  const info = await head(key);
  if (!info) throw new NotFoundError(backend, key);
  assertRangeWithin(backend, key, offset, length, info.size);
  return new Uint8Array(0);
}
