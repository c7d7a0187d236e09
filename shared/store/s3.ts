/**
 * ObjectStore over the S3 API with @aws-sdk/client-s3: AWS S3, Cloudflare R2's S3 endpoint, Ceph radosgw
 * or any compatible server (path-style addressing via the client's `forcePathStyle`). Large unconditional
 * puts go through multipart upload (@aws-sdk/lib-storage) above a threshold; conditional puts always use one
 * PUT with If-None-Match / If-Match, because servers differ on conditions for CompleteMultipartUpload and the
 * objects written conditionally (pointers, manifests) are small. Failures become the seam's typed errors:
 * throttling, 5xx and network errors StoreUnavailableError (the retrying decorator's business — build the
 * client with `maxAttempts: 1` so retries are not multiplied), 404 NotFound, 412 PreconditionFailed.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CspladeError } from '../errors.ts';
import { settleAmbiguousPut } from './ambiguous-put.ts';
import {
  InvalidRangeError,
  NotFoundError,
  PreconditionFailedError,
  StoreRequestError,
  StoreUnavailableError,
} from './errors.ts';
import { assertValidKey, compareKeys } from './keys.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';
import { checkRangeRequest } from './range.ts';

export interface S3StoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Puts of at least this many bytes (and without conditions) use multipart upload. Default 16 MiB. */
  readonly multipartThresholdBytes?: number;
  /** Part size of multipart uploads; S3 requires at least 5 MiB. Default 8 MiB. */
  readonly partSizeBytes?: number;
  /** Parts uploaded at once. Default 4. */
  readonly multipartConcurrency?: number;
}

/** Client settings that work for AWS, R2 and radosgw alike; `endpoint` switches to path-style addressing. */
export function s3ClientConfig(settings: {
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}): S3ClientConfig {
  const { endpoint, region, accessKeyId, secretAccessKey, sessionToken } = settings;
  return {
    region: region ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, sessionToken } }
      : {}),
    // The retrying decorator owns retries; SDK retries underneath would multiply attempts and delays.
    maxAttempts: 1,
    // Checksum headers only where S3 requires them: older S3-compatible servers reject the new trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** The bare entity tag: S3 sends `"abc"` (and weak tags as `W/"abc"`); the seam's etags carry no quotes. */
const bareEtag = (etag: string | undefined) => (etag ?? '').replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}
const statusOf = (error: unknown) => (error as SdkError).$metadata?.httpStatusCode;
const nameOf = (error: unknown) => (error as SdkError).name ?? (error as SdkError).code ?? 'Error';

export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #backend: string;
  readonly #multipartThreshold: number;
  readonly #partSize: number;
  readonly #concurrency: number;
  /** Whether this server compares If-Match against the unquoted etag (radosgw does); learnt on first use. */
  #ifMatchUnquoted = false;

  constructor(options: S3StoreOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#backend = `s3://${options.bucket}`;
    this.#multipartThreshold = options.multipartThresholdBytes ?? 16 * 1024 * 1024;
    this.#partSize = Math.max(options.partSizeBytes ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
    this.#concurrency = options.multipartConcurrency ?? 4;
  }

  async get(key: string): Promise<{ bytes: Uint8Array; info: ObjectInfo } | null> {
    assertValidKey(this.#backend, key);
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      const bytes = await this.#readBody(response.Body, 'get', key);
      return { bytes, info: { key, size: bytes.length, etag: bareEtag(response.ETag) } };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.#mapError(error, 'get', key);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const empty = await checkRangeRequest(this.#backend, key, offset, length, (k) => this.head(k));
    if (empty) return empty;
    let response: GetObjectCommandOutput;
    try {
      response = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError(this.#backend, key, { cause: error });
      if (statusOf(error) === 416 || nameOf(error) === 'InvalidRange') {
        throw new InvalidRangeError(this.#backend, key, offset, length, undefined);
      }
      throw this.#mapError(error, 'getRange', key);
    }
    let bytes = await this.#readBody(response.Body, 'getRange', key);
    // A server that ignores Range answers 200 with the whole object: cut our range out of it.
    if (response.ContentRange === undefined && bytes.length >= offset + length && bytes.length > length) {
      bytes = bytes.subarray(offset, offset + length);
    }
    // Servers clip a range that runs past the end instead of refusing it.
    if (bytes.length !== length) {
      const total = Number(response.ContentRange?.split('/')[1]);
      throw new InvalidRangeError(
        this.#backend,
        key,
        offset,
        length,
        Number.isFinite(total) ? total : undefined,
      );
    }
    return bytes;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(this.#backend, key);
    try {
      const response = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { key, size: response.ContentLength ?? 0, etag: bareEtag(response.ETag) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.#mapError(error, 'head', key);
    }
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<ObjectInfo> {
    assertValidKey(this.#backend, key);
    const conditional = options.ifNoneMatch === '*' || options.ifMatch !== undefined;
    try {
      if (!conditional && bytes.length >= this.#multipartThreshold)
        return await this.#putMultipart(key, bytes, options);
      if (options.ifMatch !== undefined)
        return await this.#putIfMatch(key, bytes, options.ifMatch, options.contentType);
      const response = await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: options.contentType,
          IfNoneMatch: options.ifNoneMatch,
        }),
      );
      return { key, size: bytes.length, etag: bareEtag(response.ETag) };
    } catch (error) {
      if (error instanceof PreconditionFailedError) throw error;
      if (statusOf(error) === 412) {
        throw new PreconditionFailedError(this.#backend, key, 'If-None-Match: * but the key exists', {
          cause: error,
        });
      }
      const mapped = this.#mapError(error, 'put', key);
      if (conditional && mapped instanceof StoreUnavailableError) {
        // radosgw answers 500 to the losers of concurrent If-Match puts; a timeout may hide a win.
        const outcome = await settleAmbiguousPut(this, key, bytes, options).catch(() => ({
          kind: 'unknown' as const,
        }));
        if (outcome.kind === 'won') return outcome.info;
        if (outcome.kind === 'lost')
          throw new PreconditionFailedError(this.#backend, key, outcome.reason, { cause: error });
      }
      throw mapped;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    for await (const page of this.#listPages(prefix, undefined)) {
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined)
          found.push({ key: object.Key, size: object.Size ?? 0, etag: bareEtag(object.ETag) });
      }
    }
    return found.sort((a, b) => compareKeys(a.key, b.key));
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const found: string[] = [];
    for await (const page of this.#listPages(prefix, '/')) {
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) found.push(common.Prefix);
    }
    return found.sort(compareKeys);
  }

  /** ListObjectsV2 pages under `prefix` (with `delimiter`: common prefixes instead of deeper keys). */
  async *#listPages(
    prefix: string,
    delimiter: string | undefined,
  ): AsyncGenerator<ListObjectsV2CommandOutput> {
    let continuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            Delimiter: delimiter,
            ContinuationToken: continuationToken,
          }),
        );
      } catch (error) {
        throw this.#mapError(error, `list "${prefix}"`, undefined);
      }
      yield page;
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(this.#backend, key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw this.#mapError(error, 'delete', key);
    }
  }

  /**
   * RFC 9110 compares If-Match against the quoted entity tag; radosgw compares the bare one. Sending the
   * other form after a 412 is safe: it can only succeed when the stored etag really is `etag`.
   */
  async #putIfMatch(key: string, bytes: Uint8Array, etag: string, contentType?: string): Promise<ObjectInfo> {
    const forms = this.#ifMatchUnquoted ? [etag, `"${etag}"`] : [`"${etag}"`, etag];
    let lastError: unknown;
    for (const form of forms) {
      try {
        const response = await this.#client.send(
          new PutObjectCommand({
            Bucket: this.#bucket,
            Key: key,
            Body: bytes,
            ContentLength: bytes.length,
            ContentType: contentType,
            IfMatch: form,
          }),
        );
        this.#ifMatchUnquoted = !form.startsWith('"');
        return { key, size: bytes.length, etag: bareEtag(response.ETag) };
      } catch (error) {
        if (statusOf(error) !== 412) throw error;
        lastError = error;
      }
    }
    throw new PreconditionFailedError(this.#backend, key, `If-Match ${etag} does not match`, {
      cause: lastError,
    });
  }

  async #putMultipart(key: string, bytes: Uint8Array, options: PutOptions): Promise<ObjectInfo> {
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: bytes, ContentType: options.contentType },
      partSize: this.#partSize,
      queueSize: this.#concurrency,
      leavePartsOnError: false,
    });
    const response = await upload.done();
    const etag = bareEtag((response as { ETag?: string }).ETag);
    if (etag !== '') return { key, size: bytes.length, etag };
    // Some servers (radosgw) leave the ETag out of the CompleteMultipartUpload answer; HEAD knows it.
    const info = await this.head(key);
    if (!info)
      throw new StoreUnavailableError(this.#backend, 'put (object missing after multipart upload)', key);
    return info;
  }

  async #readBody(body: unknown, what: string, key: string): Promise<Uint8Array> {
    try {
      const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      // Node hands back a Buffer; callers get a plain Uint8Array view like every other backend returns.
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      throw new StoreUnavailableError(this.#backend, `${what} (reading the response body)`, key, {
        cause: error,
      });
    }
  }

  #mapError(error: unknown, what: string, key: string | undefined): Error {
    if (error instanceof CspladeError) return error; // already ours (e.g. a body that broke off mid-read)
    const status = statusOf(error);
    const name = nameOf(error);
    if (isTransient(error, status, name))
      return new StoreUnavailableError(this.#backend, what, key, { cause: error });
    const detail = `${status ?? 'no status'} ${name}: ${(error as Error).message ?? ''}`.trim();
    return new StoreRequestError(this.#backend, what, key, detail, { cause: error });
  }
}

function isNotFound(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(error) === 404 && name !== 'NoSuchBucket');
}

/** Worth retrying: throttling, server errors, conflicts between concurrent conditional writes, no response. */
function isTransient(error: unknown, status: number | undefined, name: string): boolean {
  if (status === undefined) {
    // No HTTP answer at all: a socket error (ECONNRESET, ECONNREFUSED, ETIMEDOUT, ...) or an SDK timeout.
    const code = (error as SdkError).code ?? '';
    return (
      /^E[A-Z_]+$/.test(code) ||
      /Timeout|Networking|socket/i.test(name) ||
      (error as { $retryable?: unknown }).$retryable !== undefined
    );
  }
  if (status === 429 || status >= 500) return true;
  if (status === 409 && name === 'ConditionalRequestConflict') return true;
  return name === 'SlowDown' || name === 'RequestTimeout' || name === 'RequestTimeTooSkewed';
}
