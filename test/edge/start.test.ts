/**
 * `npm start` as a user runs it: the script indexes the sample corpus, serves it from workerd, prints a
 * URL and curl commands; the printed GET command must answer with hits, and Ctrl-C (SIGINT) must stop it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

let child: ChildProcess | undefined;
let dir: string | undefined;
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('npm start serves the sample index from workerd and prints a curl that works', async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-start-'));
  child = spawn('node_modules/.bin/tsx', ['edge/start.node.ts'], {
    env: { ...process.env, PORT: '0', START_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${output}`)), 90_000);
    const poll = setInterval(() => {
      if (output.includes('Ctrl-C to stop')) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    child!.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  expect(output).toMatch(/indexed 73 documents of the sample corpus/);
  const curl = /curl -s '(http:\/\/127\.0\.0\.1:\d+\/v1\/indexes\/sample\/search\?[^']+)'/.exec(output);
  expect(curl, output).not.toBeNull();
  const res = await fetch(curl![1]);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { hits: { id: string }[] };
  expect(body.hits[0].id).toBe('doc-001'); // Photosynthesis
  const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));
  child.kill('SIGINT');
  // tsx reports a Ctrl-C'd child as 130 (128 + SIGINT) even when it exits cleanly; what matters is that
  // it stops and the port closes.
  expect([0, 130]).toContain(await exited);
  await expect(fetch(curl![1])).rejects.toThrow();
}, 120_000);
