/**
 * What an `*.s3.test.ts` file calls to reach the S3 server the globalSetup started: the endpoint and keys,
 * a client configured like production code configures one, and a fresh bucket per test file.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, inject } from 'vitest';
import { s3ClientConfig } from '../../shared/store/s3.ts';
import type { S3TestEnv } from './radosgw.global-setup.ts';

export function s3TestEnv(): S3TestEnv {
  const env = inject('s3');
  if (!env) {
    throw new Error(
      'No S3 server was provided: only files named *.s3.test.ts get one from radosgw.global-setup.ts',
    );
  }
  return env;
}

export function s3TestClient(env: S3TestEnv = s3TestEnv()): S3Client {
  return new S3Client(s3ClientConfig(env));
}

/**
 * Creates a bucket with a unique name (3–63 lowercase letters, digits, hyphens) and removes it with its
 * objects after the file's tests, which matters when S3_ENDPOINT names a longer-lived server.
 */
export async function createTestBucket(client: S3Client, label: string): Promise<string> {
  const bucket =
    `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  afterAll(() => deleteTestBucket(client, bucket));
  return bucket;
}

export async function deleteTestBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
    if (keys.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}
