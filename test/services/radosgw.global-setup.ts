/**
 * Vitest globalSetup: gives test files named `*.s3.test.ts` a real S3 server. It reuses the one named by
 * S3_ENDPOINT when that answers, else starts a throwaway Ceph radosgw with `radosgw.sh start` (~15 s) and
 * stops it on teardown. Runs that contain no S3 test file start nothing, so unit-test runs stay fast. The
 * endpoint and keys reach tests through `inject('s3')` and through the S3_* / AWS_* environment variables
 * (set before the test workers are forked). Missing Ceph binaries fail the run with the install command:
 * an S3 suite that silently skips would hide exactly the bugs it exists to catch.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

export interface S3TestEnv {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** null when this run contains no `*.s3.test.ts` file. */
    s3: S3TestEnv | null;
  }
}

const run = promisify(execFile);
const script = fileURLToPath(new URL('./radosgw.sh', import.meta.url));
const scratch = fileURLToPath(new URL('../../.tmp/', import.meta.url));
const INSTANCE_PREFIX = 'radosgw-vitest-';
export const INSTALL_COMMAND =
  'apt-get update && apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!(await runIncludesS3Tests(project))) {
    project.provide('s3', null);
    return undefined;
  }
  const existing = envFromVariables(process.env);
  if (existing && (await answers(existing.endpoint))) {
    project.provide('s3', existing);
    return undefined;
  }
  await assertCephInstalled();
  await stopAbandonedInstances();
  // Own folder and ports per vitest process: two people running the suite at once get two clusters
  // instead of one run's start killing the other's server.
  const [monPort, rgwPort] = await freePorts(2);
  const instance = {
    ...process.env,
    RGW_DIR: join(scratch, `${INSTANCE_PREFIX}${process.pid}`),
    RGW_MON_PORT: String(monPort),
    RGW_PORT: String(rgwPort),
  };
  const started = Date.now();
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [script, 'start'], { timeout: 120_000, env: instance }));
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    await run('bash', [script, 'stop'], { env: instance }).catch(() => undefined);
    throw new Error(`radosgw did not start: ${stderr?.trim() || (error as Error).message}`);
  }
  const env = envFromVariables(parseEnvLines(stdout));
  if (!env) throw new Error(`radosgw.sh start printed no S3_ENDPOINT: ${stdout}`);
  Object.assign(process.env, {
    S3_ENDPOINT: env.endpoint,
    AWS_ACCESS_KEY_ID: env.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
    AWS_REGION: env.region,
  });
  project.provide('s3', env);
  console.log(`radosgw started at ${env.endpoint} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return async () => {
    await run('bash', [script, 'stop'], { timeout: 60_000, env: instance });
  };
}

/** Stops clusters left by vitest processes that died before their teardown (their pid is gone). */
async function stopAbandonedInstances(): Promise<void> {
  const entries = await readdir(scratch).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(INSTANCE_PREFIX)) continue;
    const owner = Number(entry.slice(INSTANCE_PREFIX.length));
    if (isAlive(owner)) continue;
    await run('bash', [script, 'stop'], { env: { ...process.env, RGW_DIR: join(scratch, entry) } }).catch(
      () => undefined,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ports the kernel just handed out as free (a tiny race with other processes remains; start then fails loudly). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
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

async function assertCephInstalled(): Promise<void> {
  for (const binary of ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool']) {
    try {
      await run('bash', ['-c', `command -v ${binary}`]);
    } catch {
      throw new Error(
        `S3 tests need Ceph radosgw, but "${binary}" is not installed. Install it with:\n  ${INSTALL_COMMAND}\n` +
          'or point S3_ENDPOINT (with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) at a running S3 server.',
      );
    }
  }
}

function envFromVariables(variables: Record<string, string | undefined>): S3TestEnv | null {
  const { S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION } = variables;
  if (!S3_ENDPOINT || !AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) return null;
  return {
    endpoint: S3_ENDPOINT,
    accessKeyId: AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_SECRET_ACCESS_KEY,
    region: AWS_REGION ?? 'us-east-1',
  };
}

function parseEnvLines(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) variables[match[1]!] = match[2]!;
  }
  return variables;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
    return true; // any HTTP answer, even 403, means a server is there
  } catch {
    return false;
  }
}
