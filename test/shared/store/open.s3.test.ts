/** openStore('s3://bucket/prefix') against radosgw, configured only through environment variables. */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../shared/store/open.node.ts';
import { S3ObjectStore } from '../../../shared/store/s3.ts';
import { createTestBucket, s3TestClient, s3TestEnv } from '../../services/s3-test-env.ts';

describe('openStore s3://', () => {
  it('writes under the prefix of the URL with endpoint and keys from the environment', async () => {
    const env = s3TestEnv();
    const client = s3TestClient(env);
    const bucket = await createTestBucket(client, 'open');
    const store = openStore(`s3://${bucket}/indexes/demo`, {
      env: {
        S3_ENDPOINT: env.endpoint,
        AWS_ACCESS_KEY_ID: env.accessKeyId,
        AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
        AWS_REGION: env.region,
      },
    });
    const info = await store.put('v1/manifest.json', new TextEncoder().encode('{"v":1}'), {
      ifNoneMatch: '*',
    });
    expect(info.key).toBe('v1/manifest.json');
    expect((await store.list('')).map((o) => o.key)).toEqual(['v1/manifest.json']);

    const raw = new S3ObjectStore({ client, bucket });
    expect((await raw.head('indexes/demo/v1/manifest.json'))?.etag).toBe(info.etag);
  });

  it('reads the environment of the process by default (set by the radosgw globalSetup)', async () => {
    const bucket = await createTestBucket(s3TestClient(), 'open-env');
    const store = openStore(`s3://${bucket}`);
    await store.put('k', new Uint8Array([1, 2, 3]));
    expect(await store.getRange('k', 1, 2)).toEqual(new Uint8Array([2, 3]));
  });
});
