/**
 * Node entry: the same Hono app over @hono/node-server, with a store from `openStore` — a local folder
 * (the embedded default) or s3://bucket/prefix (AWS S3, R2's S3 API, radosgw; S3_ENDPOINT and AWS_* as in
 * shared/store/open.node.ts). `csplade serve` is the command that runs it; settings come from its flags or
 * the environment: CSPLADE_STORE, CORS_ORIGINS ("*" or a comma-separated list), API_KEY_HASHES
 * (comma-separated SHA-256 hex), CURRENT_TTL_MS, SUBREQUEST_BUDGET; CSPLADE_NETWORK_MODEL (JSON, benchmarks and
 * tests only) makes store reads pay a modelled network (shared/store/network-model.ts).
 * @example const server = await startNodeServer(nodeDeps({ CSPLADE_STORE: './store' }), { port: 8787 });
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { NetworkModel, type NetworkModelParams } from '../shared/store/network-model.ts';
import { openStore } from '../shared/store/open.node.ts';
import { createApp, type EdgeDeps } from './app.ts';
import { nodeEncoderFactory } from './encoders/node-factory.node.ts';
import { parseKeyHashes } from './http/api-keys.ts';
import { PortInUseError } from './port.node.ts';

export { nodeEncoderFactory } from './encoders/node-factory.node.ts';
export { PortInUseError } from './port.node.ts';

export interface NodeServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Builds the app's dependencies from `env` (process.env by default). */
export function nodeDeps(env: Readonly<Record<string, string | undefined>> = process.env): EdgeDeps {
  const location = env.CSPLADE_STORE;
  if (!location)
    throw new Error('CSPLADE_STORE is not set: give a folder or s3://bucket/prefix holding indexes/');
  const cors = (env.CORS_ORIGINS ?? '').trim();
  const number = (name: string) => (env[name] ? Number(env[name]) : undefined);
  return {
    store: openStore(location, { env }),
    encoderFactory: nodeEncoderFactory,
    apiKeyHashes: parseKeyHashes(env.API_KEY_HASHES),
    corsOrigins: cors === '' ? undefined : cors === '*' ? '*' : cors.split(',').map((o) => o.trim()),
    ...(env.CSPLADE_NETWORK_MODEL ? { network: networkModelOf(env.CSPLADE_NETWORK_MODEL) } : {}),
    limits: {
      ...(number('CURRENT_TTL_MS') ? { currentTtlMs: number('CURRENT_TTL_MS') } : {}),
      ...(number('SUBREQUEST_BUDGET') ? { subrequestBudget: number('SUBREQUEST_BUDGET') } : {}),
    },
  };
}

function networkModelOf(json: string): NetworkModel {
  const { seed, ...params } = JSON.parse(json) as Partial<NetworkModelParams> & { seed?: number };
  return new NetworkModel(params, seed ?? 1);
}

/** Serves the app; port 0 picks a free one. Rejects with PortInUseError when the port is taken. */
export function startNodeServer(
  deps: EdgeDeps,
  options: { port?: number; host?: string } = {},
): Promise<NodeServer> {
  const app = createApp(deps);
  const port = options.port ?? 8787;
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      server.off('error', onError);
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shown}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))),
      });
    });
    const onError = (error: NodeJS.ErrnoException) => {
      server.close();
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error);
    };
    server.once('error', onError);
  });
}
