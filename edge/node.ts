/**
 * Node entry: the same Hono app over @hono/node-server, with a store from `openStore` — a local folder
 * (the embedded default) or s3://bucket/prefix (AWS S3, R2's S3 API, radosgw; S3_ENDPOINT and AWS_* as in
 * shared/store/open.node.ts) — under read deadlines. The process that runs it is
 * compose/node-server.node.ts (`csplade serve`), which adds the batch job's ONNX encoder; settings come
 * from its flags or the environment (the same names and defaults as the Worker's vars in
 * wrangler.jsonc): CSPLADE_STORE, CORS_ORIGINS ("*" or a comma-separated list), API_KEY_HASHES
 * (comma-separated SHA-256 hex), CURRENT_TTL_MS, HEDGE_QUANTILE, SUBREQUEST_BUDGET, STORE_TIMEOUT_MS,
 * REQUEST_TIMEOUT_MS, READY_TIMEOUT_MS, BODY_TIMEOUT_MS, MAX_BODY_BYTES, PUBLIC_URL; it logs one JSON line
 * per request on stdout (LOG_REQUESTS=off: none) and serves Prometheus metrics on /metrics
 * (edge/metrics.node.ts); CSPLADE_NETWORK_MODEL (JSON, benchmarks and tests only) makes store reads pay a
 * modelled network (shared/store/network-model.ts).
 * @example const server = await startNodeServer(nodeDeps({ CSPLADE_STORE: './store' }), { port: 8787 });
 */
import { type AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { DEFAULT_STORE_READ_TIMEOUT_MS, withDeadlines } from '../shared/store/deadline.ts';
import { NetworkModel, type NetworkModelParams } from '../shared/store/network-model.ts';
import { openStore, parseStoreUrl } from '../shared/store/open.node.ts';
import { createApp, type EdgeDeps, type EdgeLimits } from './app.ts';
import { nodeEncoderFactory } from './encoders/node-factory.node.ts';
import { parseKeyHashes } from './http/api-keys.ts';
import { nodeMetrics } from './metrics.node.ts';
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
  /** A positive number of the environment, or undefined when unset; anything else stops the start. */
  const positive = (name: string): number | undefined => {
    const value = env[name]?.trim();
    if (value === undefined || value === '') return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
    return n;
  };
  const readMs = positive('STORE_TIMEOUT_MS') ?? DEFAULT_STORE_READ_TIMEOUT_MS;
  const limits: { -readonly [K in keyof EdgeLimits]?: EdgeLimits[K] } = {};
  for (const [name, key] of [
    ['CURRENT_TTL_MS', 'currentTtlMs'],
    ['SUBREQUEST_BUDGET', 'subrequestBudget'],
    ['REQUEST_TIMEOUT_MS', 'requestTimeoutMs'],
    ['READY_TIMEOUT_MS', 'readyTimeoutMs'],
    ['BODY_TIMEOUT_MS', 'bodyTimeoutMs'],
    ['MAX_BODY_BYTES', 'maxBodyBytes'],
  ] as const) {
    const value = positive(name);
    if (value !== undefined) limits[key] = value;
  }
  const hedge = env.HEDGE_QUANTILE?.trim();
  if (hedge !== undefined && hedge !== '') {
    const q = Number(hedge);
    if (!(Number.isFinite(q) && q >= 0 && q < 1))
      throw new Error(`HEDGE_QUANTILE must be a quantile in [0, 1) (0: no hedged reads), got "${hedge}"`);
    limits.hedgeQuantile = q;
  }
  const publicUrl = (env.PUBLIC_URL ?? '').trim();
  const metrics = nodeMetrics();
  return {
    // Named by kind only: error messages reach callers, server paths and bucket names should not.
    store: withDeadlines(openStore(location, { env, socketTimeoutMs: readMs }), {
      readMs,
      name: `${parseStoreUrl(location).kind} store`,
    }),
    encoderFactory: nodeEncoderFactory,
    apiKeyHashes: parseKeyHashes(env.API_KEY_HASHES),
    corsOrigins: cors === '' ? undefined : cors === '*' ? '*' : cors.split(',').map((o) => o.trim()),
    ...(env.CSPLADE_NETWORK_MODEL ? { network: networkModelOf(env.CSPLADE_NETWORK_MODEL) } : {}),
    ...(publicUrl === '' ? {} : { publicUrl }),
    limits,
    // One JSON line per request on stdout (LOG_REQUESTS=off: none), and the same records as Prometheus
    // metrics on /metrics.
    log: env.LOG_REQUESTS === 'off' ? () => {} : (line) => console.log(line),
    observe: (request) => metrics.observe(request),
    metrics: metrics.endpoint,
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
      server.on('clientError', answerMalformedRequest);
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

/**
 * Requests Node's HTTP parser refuses before the app sees them (an unknown method, a bad header, an
 * oversized head) get the API's JSON error shape too, instead of Node's bare "400 Bad Request".
 */
function answerMalformedRequest(error: Error & { code?: string }, socket: Duplex): void {
  // Node's parser refuses every byte that follows its first error, one clientError each: a socket already
  // ended carries our answer and is lingering (closing it here would cut the linger short).
  if (socket.writableEnded && error.code !== 'ECONNRESET') return;
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, code] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'headers_too_large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request_timeout']
        : [400, 'Bad Request', 'malformed_request'];
  const body = JSON.stringify({
    error: { code, message: `the HTTP request could not be parsed (${error.code ?? 'unknown error'})` },
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  lingerThenClose(socket);
}

/** How long a lingering close waits for the client to go quiet, and at most in all. */
const LINGER_IDLE_MS = 2_000;
const LINGER_MAX_MS = 10_000;

/**
 * Read and drop what the client still sends before closing: closing with unread bytes resets the
 * connection, and a reset that reaches the client before it has read the answer destroys the answer with
 * it (a client still uploading a chunked body, on a loaded machine, lost its 400 that way after a fixed
 * 1 s linger). Closes once the client has sent nothing for LINGER_IDLE_MS, or ends, or after LINGER_MAX_MS.
 */
function lingerThenClose(socket: Duplex): void {
  socket.resume();
  if (socket instanceof Socket) socket.setTimeout(LINGER_IDLE_MS, () => socket.destroy());
  setTimeout(() => socket.destroy(), LINGER_MAX_MS).unref();
}
