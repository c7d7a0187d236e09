/**
 * Serves the edge API (`edge/app.ts`) over a real HTTP socket on 127.0.0.1 with an ephemeral port,
 * for end-to-end evaluation: queries then cross a TCP connection, JSON encoding and the API's
 * request validation exactly as a deployed client's do. Uses @hono/node-server, the same adapter the
 * Node entry uses; the caller closes the server when done.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

export interface RunningEdge {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveEdge(store: ObjectStore): Promise<RunningEdge> {
  const app = createApp({ store, encoderFactory: registryEncoderFactory });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    server.once('error', reject);
  });
}
