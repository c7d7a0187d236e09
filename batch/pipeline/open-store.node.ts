/**
 * Opens the store a `--store` or `--corpus` argument names, for the pipeline's CLI verbs: a folder path
 * (or file://) → the local-folder store; `s3://bucket/prefix` → the S3 store (endpoint, region and keys
 * from S3_ENDPOINT / AWS_REGION / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the SDK's default chain
 * otherwise) viewed through the prefix. The storage engineer's `shared/store/open.node.ts` is preferred
 * when it is present, so there is one URL grammar for the whole project; this is the fallback.
 */
import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { StoreConfigError } from '../../shared/store/errors.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { prefixed } from '../../shared/store/prefixed.ts';
import { S3ObjectStore, s3ClientConfig } from '../../shared/store/s3.ts';

type Opener = (
  url: string,
  options?: { env?: Record<string, string | undefined>; cwd?: string },
) => Promise<ObjectStore> | ObjectStore;

let shared: Opener | null | undefined;

async function sharedOpener(): Promise<Opener | null> {
  if (shared !== undefined) return shared;
  const path = '../../shared/store/open.node.ts';
  try {
    const module = (await import(path)) as { openStore?: Opener };
    shared = typeof module.openStore === 'function' ? module.openStore : null;
  } catch {
    shared = null;
  }
  return shared;
}

export async function openStoreUrl(
  url: string,
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Promise<ObjectStore> {
  const opener = await sharedOpener();
  if (opener) return opener(url, { env, cwd });
  if (url.startsWith('s3://')) {
    const [bucket, ...rest] = url.slice('s3://'.length).split('/');
    if (!bucket) throw new StoreConfigError(`store URL "${url}" names no bucket`);
    const client = new S3Client(
      s3ClientConfig({
        endpoint: env.S3_ENDPOINT,
        region: env.AWS_REGION,
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        sessionToken: env.AWS_SESSION_TOKEN,
      }),
    );
    return prefixed(new S3ObjectStore({ client, bucket }), rest.filter(Boolean).join('/'));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://')) {
    throw new StoreConfigError(`store URL "${url}": only folder paths, file:// and s3:// are supported`);
  }
  return new LocalFolderObjectStore(resolve(cwd, url.startsWith('file://') ? new URL(url).pathname : url));
}
