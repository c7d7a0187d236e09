/**
 * ByteSource: what a shard reader reads from. Readers take byte ranges, never file paths or
 * storage clients, so the same reader runs in Node (file, S3) and in Workers (R2 binding).
 */
export interface ByteSource {
  /** A name for error messages (e.g. the object key of a shard). */
  readonly name: string;
  /** Total size in bytes, when known without a read. */
  readonly size?: number;
  /** Reads `length` bytes at `offset`. Must return exactly `length` bytes or throw. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteSource over bytes already in memory (tests, benchmarks, freshly written shards). */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new RangeError(`${name}: range ${offset}+${length} outside 0..${bytes.length}`);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}
