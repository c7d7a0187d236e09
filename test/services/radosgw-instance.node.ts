/**
 * Starting and stopping a throwaway radosgw (test/services/radosgw.sh) from Node, for the vitest global
 * setup and for runners outside vitest (the chaos suite): reuse the server S3_ENDPOINT names when it
 * answers, else start one in its own folder on free ports (two runs at once get two clusters) and stop it
 * afterwards. Clusters left by processes that died before stopping theirs are stopped first.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface S3TestEnv {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

export interface RadosgwInstance {
  readonly env: S3TestEnv;
  /** True when this call started the server (and `stop` will stop it). */
  readonly started: boolean;
  readonly seconds: number;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const script = fileURLToPath(new URL('./radosgw.sh', import.meta.url));
const scratch = fileURLToPath(new URL('../../.tmp/', import.meta.url));
export const INSTANCE_PREFIX = 'radosgw-vitest-';
export const INSTALL_COMMAND =
  'apt-get update && apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common';

/** The server S3_ENDPOINT names when it answers, else a fresh throwaway one. */
export async function startRadosgw(variables: NodeJS.ProcessEnv = process.env): Promise<RadosgwInstance> {
  const existing = envFromVariables(variables);
  if (existing && (await answers(existing.endpoint))) {
    return { env: existing, started: false, seconds: 0, stop: async () => undefined };
  }
  await assertCephInstalled();
  await stopAbandonedInstances();
  const [monPort, rgwPort] = await freePorts(2);
  const instance = {
    ...variables,
    RGW_DIR: join(scratch, `${INSTANCE_PREFIX}${process.pid}`),
    RGW_MON_PORT: String(monPort),
    RGW_PORT: String(rgwPort),
  };
  const began = Date.now();
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
  return {
    env,
    started: true,
    seconds: (Date.now() - began) / 1000,
    stop: async () => {
      await run('bash', [script, 'stop'], { timeout: 60_000, env: instance });
    },
  };
}

/** The variables production code reads to reach `env`. */
export function s3Variables(env: S3TestEnv): Record<string, string> {
  return {
    S3_ENDPOINT: env.endpoint,
    AWS_ACCESS_KEY_ID: env.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.secretAccessKey,
    AWS_REGION: env.region,
  };
}

/** Stops clusters left by processes that died before their teardown (their pid is gone). */
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
