/**
 * Opens the object store an evaluation reads a published index from: a local folder (the embedded
 * default) or `s3://bucket[/prefix]` with the usual AWS environment (AWS_ENDPOINT_URL for R2 or
 * radosgw, AWS_REGION, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). Kept here, small, until the batch
 * pipeline exposes one shared opener for `--store`.
 */
import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { EvalInputError } from '../../shared/eval/errors.ts';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { prefixed } from '../../shared/store/prefixed.ts';
import { S3ObjectStore, s3ClientConfig } from '../../shared/store/s3.ts';

export function openEvalStore(spec: string, cwd: string, env: NodeJS.ProcessEnv): ObjectStore {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(spec);
  if (s3) {
    const client = new S3Client(
      s3ClientConfig({
        endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
        region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        sessionToken: env.AWS_SESSION_TOKEN,
      }),
    );
    return prefixed(new S3ObjectStore({ client, bucket: s3[1] }), s3[2]);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new EvalInputError(`--store "${spec}": expected a folder or s3://bucket[/prefix]`);
  }
  return new LocalFolderObjectStore(resolve(cwd, spec));
}
