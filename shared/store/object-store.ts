/**
 * The ObjectStore seam: the things csplade asks of S3, R2 or a folder.
 * Retries, caching and request counting are decorators over this interface, not code in backends.
 * A backend knows nothing of the shard format.
 */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Opaque version tag for conditional writes (an S3/R2 ETag, a content hash for folders). */
  readonly etag: string;
}

export interface PutOptions {
  /** Write only if the key does not exist (If-None-Match: *). */
  readonly ifNoneMatch?: '*';
  /** Write only if the current object has this etag (If-Match). */
  readonly ifMatch?: string;
  readonly contentType?: string;
}

export interface ObjectStore {
  /** Whole object, or null when absent. */
  get(key: string): Promise<{ bytes: Uint8Array; info: ObjectInfo } | null>;
  /** `length` bytes at `offset`; throws NotFoundError when absent. */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Throws PreconditionFailedError when a condition does not hold. */
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<ObjectInfo>;
  /** All keys under a prefix, in lexicographic order (backends page internally). */
  list(prefix: string): Promise<ObjectInfo[]>;
  /**
   * The "folders" one level below a prefix: every distinct `prefix + name + "/"` that some key
   * starts with, in lexicographic order (an S3/R2 listing with delimiter "/"), so finding the
   * indexes of a store costs one short listing instead of listing every version's every file.
   */
  listPrefixes(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}
