/**
 * SIGKILL-and-resume against S3 on radosgw: the CLI child gets `--store s3://<bucket>/<prefix>` and the
 * server's endpoint and keys through the environment, exactly as a batch job would.
 */
import { afterAll, describe } from 'vitest';
import { prefixed } from '../../../shared/store/prefixed.ts';
import { S3ObjectStore } from '../../../shared/store/s3.ts';
import { createTestBucket, s3TestClient, s3TestEnv } from '../../services/s3-test-env.ts';
import { tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';
import { syntheticDocs } from '../helpers/synthetic-text.ts';
import { itResumesAfterSigkill } from './kill-suite.ts';

const env = s3TestEnv();
const client = s3TestClient(env);
const bucket = await createTestBucket(client, 'kill');
const dir = await tempDir('kill-s3');
afterAll(() => dir.remove());
const DOCS = 8000;

describe('a killed run on S3 (radosgw)', () => {
  itResumesAfterSigkill(async () => ({
    storeArg: `s3://${bucket}/resume`,
    store: prefixed(new S3ObjectStore({ client, bucket }), 'resume'),
    corpusPath: await writeJsonl(`${dir.path}/corpus.jsonl`, syntheticDocs(DOCS, 100)),
    documents: DOCS,
    env: {
      S3_ENDPOINT: env.endpoint,
      AWS_ACCESS_KEY_ID: env.accessKeyId,
      AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
      AWS_REGION: env.region,
    },
  }));
});
