/**
 * Vitest globalSetup: gives test files named `*.s3.test.ts` a real S3 server. It reuses the one named by
 * S3_ENDPOINT when that answers, else starts a throwaway Ceph radosgw with `radosgw.sh start` (~15 s) and
 * stops it on teardown (radosgw-instance.node.ts). Runs that contain no S3 test file start nothing, so
 * unit-test runs stay fast. The endpoint and keys reach tests through `inject('s3')` and through the S3_* /
 * AWS_* environment variables (set before the test workers are forked). Missing Ceph binaries fail the run
 * with the install command: an S3 suite that silently skips would hide exactly the bugs it exists to catch.
 */
import type { TestProject } from 'vitest/node';
import { type S3TestEnv, s3Variables, startRadosgw } from './radosgw-instance.node.ts';

export type { S3TestEnv } from './radosgw-instance.node.ts';
export { INSTALL_COMMAND } from './radosgw-instance.node.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** null when this run contains no `*.s3.test.ts` file. */
    s3: S3TestEnv | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!(await runIncludesS3Tests(project))) {
    project.provide('s3', null);
    return undefined;
  }
  const instance = await startRadosgw();
  project.provide('s3', instance.env);
  if (!instance.started) return undefined;
  Object.assign(process.env, s3Variables(instance.env));
  console.log(`radosgw started at ${instance.env.endpoint} in ${instance.seconds.toFixed(1)} s`);
  return () => instance.stop();
}

/** Whether the files this run will execute include an S3 suite (unknown: assume yes). */
async function runIncludesS3Tests(project: TestProject): Promise<boolean> {
  try {
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
    const specs = await project.vitest.globTestSpecifications(filters);
    return specs.some((spec) => spec.moduleId.endsWith('.s3.test.ts'));
  } catch {
    return true;
  }
}
