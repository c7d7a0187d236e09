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

/**
 * A client still uploading when the server refuses it, and reading the answer only once its upload is done
 * (as a loaded client does): the server must not reset the connection while bytes keep coming, or the
 * reset destroys the answer waiting in the client's buffer.
 */
it('a refused request keeps its answer for a client that uploads for 1.5 s before reading', async () => {
  const { hostname, port } = new URL(server.url);
  const answer = await new Promise<{ text: string; error?: string }>((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.pause(); // nothing is read until the upload ends
    let text = '';
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ text, error: error.code }));
    socket.on('close', () => resolve({ text }));
    socket.write('FOO /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    let sent = 0;
    const trickle = setInterval(() => {
      if (socket.destroyed) return clearInterval(trickle);
      if (++sent <= 15) return void socket.write('10\r\n                \r\n');
      clearInterval(trickle);
      socket.end('0\r\n\r\n');
      socket.on('data', (chunk) => {
        text += chunk;
      });
      socket.resume();
    }, 100);
  });
  expect(answer.error).toBeUndefined();
  expect(answer.text).toMatch(/^HTTP\/1\.1 400 /);
  expect(answer.text).toContain('malformed_request');
});
