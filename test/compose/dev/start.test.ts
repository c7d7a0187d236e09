/**
 * The dev loop as a user runs it, through npm: `npm start` (the sample index served by `csplade serve` on
 * Node) and `npm run dev` (`wrangler dev` on the Worker, its local R2 seeded with the same index) must
 * answer the same query with the same hits; a port already in use must be a one-line error for
 * `csplade serve`, for `npm run dev` and for the local Worker (workerd via Miniflare), not a stack trace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalWorker } from '../../../edge/local-worker.node.ts';
import { PortInUseError } from '../../../edge/port.node.ts';
import { runCli } from '../../batch/helpers/cli-process.ts';

const QUERY = '/v1/indexes/sample/search?q=how%20do%20plants%20turn%20light%20into%20energy&k=3';
const children: ChildProcess[] = [];
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  busy = createServer().listen(0, '127.0.0.1');
  await once(busy, 'listening');
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  for (const child of children) stop(child, 'SIGKILL');
  busy.close();
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** `npm run <script>` in its own process group (npm → sh → node), output collected. */
function npm(args: string[], env: Record<string, string> = {}) {
  const child = spawn('npm', ['run', '--silent', ...args], {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const waitFor = (pattern: RegExp, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms:\n${output}`)), ms);
      const poll = setInterval(() => {
        if (pattern.test(output)) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
      void exited.then((code) => {
        clearInterval(poll);
        clearTimeout(timer);
        if (!pattern.test(output)) reject(new Error(`exited with ${code} before ${pattern}:\n${output}`));
      });
    });
  return { child, exited, waitFor, output: () => output };
}

function stop(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

describe('npm start and npm run dev', () => {
  let nodeHits: { id: string; score: number }[];

  it('npm start: the sample index served by csplade serve answers with hits', async () => {
    const port = await freePort();
    const start = npm(['start'], { PORT: String(port) });
    await start.waitFor(/Ctrl-C to stop/, 60_000);
    expect(start.output()).toMatch(/sample index: 73 documents/);
    expect(start.output()).toContain(`listening on http://127.0.0.1:${port}`);
    const res = await fetch(`http://127.0.0.1:${port}${QUERY}`);
    expect(res.status).toBe(200);
    nodeHits = ((await res.json()) as { hits: { id: string; score: number }[] }).hits;
    expect(nodeHits[0].id).toBe('doc-001'); // Photosynthesis
    stop(start.child, 'SIGINT');
    await start.exited;
    await expect(fetch(`http://127.0.0.1:${port}${QUERY}`)).rejects.toThrow();
  }, 90_000);

  it('npm run dev: wrangler dev over the seeded local R2 answers the same query with the same hits', async () => {
    const port = await freePort();
    const dev = npm(['dev', '--', '--port', String(port)]);
    await dev.waitFor(/Ready on http/, 90_000);
    expect(dev.output()).toMatch(/seeded wrangler dev's local R2 with sample v\d+/);
    const res = await fetch(`http://127.0.0.1:${port}${QUERY}`);
    expect(res.status).toBe(200);
    const hits = ((await res.json()) as { hits: { id: string; score: number }[] }).hits;
    expect(hits.length).toBe(3);
    expect(hits).toEqual(nodeHits);
    stop(dev.child, 'SIGINT');
    await dev.exited;
  }, 120_000);
});

describe('a port already in use', () => {
  it('csplade serve: one line, exit code 1', async () => {
    const result = await runCli(['serve', '--store', 'test/fixtures', '--port', String(busyPort)]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `csplade serve: port ${busyPort} on 127.0.0.1 is already in use (another server, or an earlier one still running): stop it or pick another port with --port [port_in_use]`,
    ]);
  }, 30_000);

  it('npm run dev: one line, exit code 1, before wrangler starts', async () => {
    const dev = npm(['dev', '--', '--port', String(busyPort)]);
    expect(await dev.exited).toBe(1);
    expect(dev.output().trim().split('\n')).toEqual([
      `npm run dev: port ${busyPort} on 127.0.0.1 is already in use (another server, or an earlier one still running): stop it or pick another port with --port`,
    ]);
  }, 30_000);

  it('the local Worker (workerd) rejects with PortInUseError instead of crashing', async () => {
    await expect(startLocalWorker({ scriptPath: '/nonexistent.js', port: busyPort })).rejects.toBeInstanceOf(
      PortInUseError,
    );
  });
});
