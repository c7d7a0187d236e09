/**
 * ObjectStore over a Cloudflare Workers R2 binding (`env.BUCKET`): no HTTP signing, no SDK, and reads that
 * count as R2 operations rather than as subrequests' worth of S3 calls. Typed with @cloudflare/workers-types'
 * R2Bucket as a type-only import, so Node code (tests with Miniflare's `getR2Bucket`) imports it as well.
 * Conditional puts map onto `onlyIf` (R2 answers null when a condition fails); range reads onto
 * `get(key, { range })`, checked against the object size R2 reports with the body.
 */
import type { R2Bucket, R2Object } from '@cloudflare/workers-types';
import {
  InvalidRangeError,
  NotFoundError,
  PreconditionFailedError,
  StoreRequestError,
  StoreUnavailableError,
} from './errors.ts';
import { assertValidKey, compareKeys } from './keys.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';
import { assertRangeWithin, checkRangeRequest } from './range.ts';

export interface R2BindingOptions {
  /** Names the bucket in error messages (a binding does not know its bucket's name). */
  readonly name?: string;
}

const infoOf = (object: R2Object): ObjectInfo => ({ key: object.key, size: object.size, etag: object.etag });

export class R2BindingObjectStore implements ObjectStore {
  readonly #bucket: R2Bucket;
  readonly #backend: string;

  constructor(bucket: R2Bucket, options: R2BindingOptions = {}) {
    this.#bucket = bucket;
    this.#backend = `r2:${options.name ?? 'binding'}`;
  }

  async get(key: string): Promise<{ bytes: Uint8Array; info: ObjectInfo } | null> {
    assertValidKey(this.#backend, key);
    const object = await this.#call('get', key, () => this.#bucket.get(key));
    if (!object) return null;
    const bytes = new Uint8Array(await this.#call('get (body)', key, () => object.arrayBuffer()));
    return { bytes, info: infoOf(object) };
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const empty = await checkRangeRequest(this.#backend, key, offset, length, (k) => this.head(k));
    if (empty) return empty;
    let object: Awaited<ReturnType<R2Bucket['get']>>;
    try {
      object = await this.#bucket.get(key, { range: { offset, length } });
    } catch (error) {
      // R2 refuses a range that starts past the end (HTTP 416; Miniflare answers 500) with an exception:
      // the object's size tells a bad range from an outage.
      const info = await this.head(key).catch(() => undefined);
      if (info === null) throw new NotFoundError(this.#backend, key, { cause: error });
      if (info && offset + length > info.size)
        throw new InvalidRangeError(this.#backend, key, offset, length, info.size);
      throw this.#mapError('getRange', key, error);
    }
    if (!object) throw new NotFoundError(this.#backend, key);
    assertRangeWithin(this.#backend, key, offset, length, object.size);
    const bytes = new Uint8Array(
      await this.#call('getRange (body)', key, () => (object as R2ObjectBodyLike).arrayBuffer()),
    );
    if (bytes.length !== length) throw new InvalidRangeError(this.#backend, key, offset, length, object.size);
    return bytes;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(this.#backend, key);
    const object = await this.#call('head', key, () => this.#bucket.head(key));
    return object ? infoOf(object) : null;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<ObjectInfo> {
    assertValidKey(this.#backend, key);
    const onlyIf =
      options.ifNoneMatch === '*'
        ? { etagDoesNotMatch: '*' }
        : options.ifMatch !== undefined
          ? { etagMatches: options.ifMatch }
          : undefined;
    const httpMetadata = options.contentType ? { contentType: options.contentType } : undefined;
    // A Uint8Array subclass (a Node Buffer, often a view into Node's shared pool) fails an assertion
    // in Miniflare's Node-to-workerd proxy; a plain copy of just these bytes is accepted everywhere.
    if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes);
    const object = await this.#call('put', key, () =>
      onlyIf
        ? this.#bucket.put(key, bytes, { onlyIf, httpMetadata })
        : this.#bucket.put(key, bytes, { httpMetadata }),
    );
    if (!object) {
      const condition =
        options.ifNoneMatch === '*'
          ? 'If-None-Match: * but the key exists'
          : `If-Match ${options.ifMatch} does not match`;
      throw new PreconditionFailedError(this.#backend, key, condition);
    }
    return infoOf(object);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    for await (const page of this.#listPages(prefix, undefined)) {
      for (const object of page.objects) found.push(infoOf(object));
    }
    return found.sort((a, b) => compareKeys(a.key, b.key));
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const found: string[] = [];
    for await (const page of this.#listPages(prefix, '/')) found.push(...page.delimitedPrefixes);
    return found.sort(compareKeys);
  }

  /** Listing pages under `prefix` (with `delimiter`: delimited prefixes instead of deeper keys). */
  async *#listPages(prefix: string, delimiter: string | undefined) {
    let cursor: string | undefined;
    for (;;) {
      const page = await this.#call(`list "${prefix}"`, undefined, () =>
        this.#bucket.list({ prefix, delimiter, cursor, limit: 1000 }),
      );
      yield page;
      if (!page.truncated) break;
      cursor = page.cursor;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(this.#backend, key);
    await this.#call('delete', key, () => this.#bucket.delete(key));
  }

  async #call<T>(what: string, key: string | undefined, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.#mapError(what, key, error);
    }
  }

  /**
   * R2 binding errors carry no status, only messages such as "put: We encountered an internal error.
   * Please try again. (10001)". Internal errors and rate limits are worth retrying; the rest is not.
   */
  #mapError(what: string, key: string | undefined, error: unknown): Error {
    const message = String((error as Error)?.message ?? error);
    if (
      /internal error|try again|rate limit|too many|temporar|network|timed? ?out|\((10001|10043|10058)\)/i.test(
        message,
      )
    ) {
      return new StoreUnavailableError(this.#backend, what, key, { cause: error });
    }
    return new StoreRequestError(this.#backend, what, key, message, { cause: error });
  }
}

interface R2ObjectBodyLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}
