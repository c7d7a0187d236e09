/**
 * The bounded chaos subset over S3 (the radosgw of test/services): the same schedules as chaos.test.ts,
 * each in its own prefix of one bucket, with one schedule's operations through the CLI. Zero violations.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../batch/helpers/pipeline-fixtures.ts';
import { createTestBucket, s3TestClient, s3TestEnv } from '../services/s3-test-env.ts';
import { runSuite } from './suite.ts';
import { radosgwTarget } from './targets.ts';

const dir = await tempDir('chaos-s3');
afterAll(() => dir.remove());
const bucket = await createTestBucket(s3TestClient(), 'chaos');

describe('chaos over radosgw (bounded)', () => {
  it('keeps CURRENT on a complete version that answers like brute force, in every schedule', async () => {
    const summary = await runSuite(radosgwTarget(s3TestEnv(), bucket, 'vitest'), {
      seeds: Array.from({ length: 10 }, (_, i) => i + 1),
      cliEvery: 10,
      concurrency: 3,
      workDir: dir.path,
    });
    const replay = summary.failing.map(
      (f) => `npm run test:chaos -- --seed ${f.seed} --target radosgw: ${f.violations.join(' / ')}`,
    );
    expect(replay).toEqual([]);
    expect(summary.schedules).toBe(10);
    expect(summary.unexpectedErrors).toEqual([]);
    expect(summary.outcomes.publish?.ok ?? 0).toBeGreaterThan(0);
    expect(summary.cliProcesses).toBeGreaterThan(0);
  }, 180_000);
});
