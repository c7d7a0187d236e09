/**
 * The Node server (compose/node-server.node.ts, over edge/node.ts) as its own process, configured by
 * environment as in production, so a test or a benchmark can measure that process alone (its RSS from /proc) and kill it without killing itself;
 * and the RSS of the workerd process Miniflare started for this process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface EdgeProcess {
  readonly url: string;
  readonly pid: number;
  /** Output so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Whether the process still runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

const REPO = resolve(import.meta.dirname, '../../..');

/** Starts `node --import tsx compose/node-server.node.ts` with `env` on a free port; resolves once it listens. */
export async function startNodeEdgeProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<EdgeProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', 'compose/node-server.node.ts'],
    {
      cwd: REPO,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`compose/node-server.node.ts did not start:\n${output}`)),
      60_000,
    );
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`compose/node-server.node.ts exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in bytes (Linux /proc), or undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process runs (Linux /proc). */
export function processAlive(pid: number): boolean {
  return rssBytes(pid) !== undefined;
}

/** Pids of this process's children whose command name is `name` (e.g. the workerd Miniflare started). */
export function childPids(name: string, parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces, so split after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && comm === name) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
