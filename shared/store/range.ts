/**
 * Range arguments shared by every backend's `getRange`: non-negative integers, checked before any request
 * so a bad offset fails the same way everywhere (and never turns into an open-ended HTTP range).
 */
import { InvalidRangeError } from './errors.ts';

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
