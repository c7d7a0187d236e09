/**
 * `openStore(url)`: the one place Node code turns a user-given location into an ObjectStore.
 *   /data/indexes, ./out, file:///data/indexes  → local folder (the embedded default)
 *   s3://bucket/some/prefix                     → S3 API, retried, viewed under the prefix
 *   memory:                                     → in-memory (dry runs, tests)
 * S3 settings come from the environment: S3_ENDPOINT (any S3-compatible server, path-style; for Cloudflare
 * R2 https://<account>.r2.cloudflarestorage.com with AWS_REGION=auto), AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION; without keys the SDK's default chain (profiles,
 * instance roles) applies. Workers get their store from an R2 binding instead (r2-binding.ts).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { StoreConfigError } from './errors.ts';
import { LocalFolderObjectStore } from './local-folder.node.ts';
import { MemoryObjectStore } from './memory.ts';
import type { ObjectStore } from './object-store.ts';
import { prefixed } from './prefixed.ts';
import { type RetryPolicy, retrying } from './retrying.ts';
import { S3ObjectStore, type S3StoreOptions, s3ClientConfig } from './s3.ts';

export interface OpenStoreOptions {
  /** Where S3 settings are read from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Retry policy for remote stores, or false for none. */
  readonly retry?: RetryPolicy | false;
  /** Multipart settings for S3. */
  readonly s3?: Pick<S3StoreOptions, 'multipartThresholdBytes' | 'partSizeBytes' | 'multipartConcurrency'>;
  /**
   * S3: a connection attempt or an idle socket is given up after this many ms (default: never). Servers
   * that read with deadlines (edge/node.ts) set it so that the sockets of abandoned reads are reclaimed.
   */
  readonly socketTimeoutMs?: number;
}

/** What a store URL names, before anything is opened (also useful to print or validate). */
export type StoreLocation =
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'memory' };

export function parseStoreUrl(url: string): StoreLocation {
  if (url === '')
    throw new StoreConfigError(
      'empty store location: give a folder, file://..., s3://bucket/prefix or memory:',
    );
  if (url === 'memory:' || url === 'memory://') return { kind: 'memory' };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'folder', path: resolve(url) };
  if (scheme === 'file') return { kind: 'folder', path: fileURLToPath(url) };
  if (scheme === 's3') {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new StoreConfigError(`store URL "${url}": "${bucket}" is not a valid S3 bucket name`);
    }
    return { kind: 's3', bucket, prefix };
  }
  throw new StoreConfigError(
    `store URL "${url}": unknown scheme "${scheme}://" (use a folder path, file://, s3://bucket/prefix or memory:)`,
  );
}

export function openStore(url: string, options: OpenStoreOptions = {}): ObjectStore {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'memory':
      return new MemoryObjectStore();
    case 'folder':
      return new LocalFolderObjectStore(location.path);
    case 's3': {
      const env = options.env ?? process.env;
      const client = new S3Client({
        ...s3ClientConfig({
          endpoint: env.S3_ENDPOINT || undefined,
          region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
          accessKeyId: env.AWS_ACCESS_KEY_ID || undefined,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY || undefined,
          sessionToken: env.AWS_SESSION_TOKEN || undefined,
        }),
        ...(options.socketTimeoutMs
          ? {
              requestHandler: {
                connectionTimeout: options.socketTimeoutMs,
                socketTimeout: options.socketTimeoutMs,
              },
            }
          : {}),
      });
      const backend = new S3ObjectStore({ client, bucket: location.bucket, ...options.s3 });
      const retried = options.retry === false ? backend : retrying(backend, options.retry);
      return prefixed(retried, location.prefix);
    }
  }
}
