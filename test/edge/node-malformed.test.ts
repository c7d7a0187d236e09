/**
 * Requests Node's HTTP parser refuses before the app runs (an unknown method, a malformed header block)
 * are answered in the API's JSON error shape too, not with Node's bare "400 Bad Request", and the
 * server goes on serving.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type NodeServer, nodeDeps, startNodeServer } from '../../edge/node.ts';
import { sendRaw } from './helpers/raw-http.ts';

let dir: string;
let server: NodeServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csplade-malformed-'));
  server = await startNodeServer(nodeDeps({ CSPLADE_STORE: dir }), { port: 0 });
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Sends raw bytes and returns what comes back before the server closes. */
function rawExchange(text: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

it('an unknown method is a JSON 400, with a body sent along or not', async () => {
  for (const body of [undefined, new Uint8Array(300_000).fill(0x20)]) {
    const res = await sendRaw(server.url, { method: 'FOO', path: '/healthz', ...(body ? { body } : {}) });
    expect(res.status, res.error).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'malformed_request' } });
  }
});

it('a malformed request head is a JSON 400; the server answers the next request', async () => {
  const answer = await rawExchange('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
  expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  expect(answer).toMatch(/content-type: application\/json/);
  expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
    error: { code: 'malformed_request' },
  });
  expect((await sendRaw(server.url, { path: '/healthz' })).status).toBe(200);
});
