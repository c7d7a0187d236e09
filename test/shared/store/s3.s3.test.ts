/**
 * The S3 backend against a real S3 server (Ceph radosgw started by test/services/radosgw.global-setup.ts):
 * the conformance suite with a large object above the multipart threshold, and the error mapping that
 * only a real server shows.
 */

import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  PreconditionFailedError,
  StoreRequestError,
  StoreUnavailableError,
} from '../../../shared/store/errors.ts';
import { prefixed } from '../../../shared/store/prefixed.ts';
import { S3ObjectStore, s3ClientConfig } from '../../../shared/store/s3.ts';
import { createTestBucket, s3TestClient, s3TestEnv } from '../../services/s3-test-env.ts';
import { describeObjectStoreConformance, patternBytes } from './conformance.ts';

const client = s3TestClient();
const bucket = await createTestBucket(client, 'conformance');
const multipartThresholdBytes = 6 * 1024 * 1024;
const store = new S3ObjectStore({ client, bucket, multipartThresholdBytes, partSizeBytes: 5 * 1024 * 1024 });
let testNumber = 0;

describeObjectStoreConformance('S3 on radosgw', () => prefixed(store, `test-${++testNumber}`), {
  largeObjectBytes: 13 * 1024 * 1024 + 5, // three parts of 5 MiB
});

describe('S3 multipart', () => {
  it('uploads objects above the threshold in parts (the etag names the part count) and below in one PUT', async () => {
    const big = await store.put('multipart/big', patternBytes(multipartThresholdBytes + 1, 3));
    expect(big.etag).toMatch(/^[0-9a-f]{32}-2$/);
    expect(await store.head('multipart/big')).toEqual(big);
    const small = await store.put('multipart/small', patternBytes(multipartThresholdBytes - 1, 3));
    expect(small.etag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sends conditional puts above the threshold as one PUT, so the condition holds', async () => {
    const bytes = patternBytes(multipartThresholdBytes + 1, 4);
    const created = await store.put('multipart/conditional', bytes, { ifNoneMatch: '*' });
    expect(created.etag).toMatch(/^[0-9a-f]{32}$/);
    await expect(store.put('multipart/conditional', bytes, { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });
});

describe('S3 backend errors', () => {
  it('reports a missing bucket as a permanent StoreRequestError naming the bucket', async () => {
    const missing = new S3ObjectStore({ client, bucket: 'no-such-bucket-csplade' });
    const failure = missing.put('k', new Uint8Array([1]));
    await expect(failure).rejects.toBeInstanceOf(StoreRequestError);
    await expect(failure).rejects.toThrow(/no-such-bucket-csplade/);
  });

  it('reports a server that does not answer as StoreUnavailableError (retryable)', async () => {
    const env = s3TestEnv();
    const unreachable = new S3Client(s3ClientConfig({ ...env, endpoint: 'http://127.0.0.1:9' }));
    const offline = new S3ObjectStore({ client: unreachable, bucket });
    await expect(offline.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('reports wrong credentials as a permanent error', async () => {
    const env = s3TestEnv();
    const wrongKeys = new S3Client(s3ClientConfig({ ...env, secretAccessKey: 'wrong-secret' }));
    const denied = new S3ObjectStore({ client: wrongKeys, bucket });
    await expect(denied.put('k', patternBytes(10))).rejects.toBeInstanceOf(StoreRequestError);
  });
});
