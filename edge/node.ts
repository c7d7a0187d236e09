/**
 * Node entry: the same Hono app over @hono/node-server, with the store named by CSPLADE_STORE — a local
 * folder (the embedded default) or s3://bucket/prefix (AWS S3, R2's S3 API, radosgw; S3_ENDPOINT and
 * AWS_* as in shared/store/open.node.ts) — under read deadlines. Settings come from the environment:
 *   CSPLADE_STORE (required), PORT (default 8787), HOST (default 127.0.0.1), CORS_ORIGINS ("*" or a
 *   comma-separated list), API_KEY_HASHES (comma-separated SHA-256 hex), CURRENT_TTL_MS, SUBREQUEST_BUDGET,
 *   POSTINGS_READS_PER_SHARD, STORE_TIMEOUT_MS, REQUEST_TIMEOUT_MS, READY_TIMEOUT_MS, BODY_TIMEOUT_MS,
 *   MAX_BODY_BYTES, PUBLIC_URL (the same names and defaults as the Worker's vars in wrangler.jsonc).
 * @example CSPLADE_STORE=./.tmp/store npx tsx edge/node.ts
 */
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { registerOnnxEncoder } from '../batch/onnx/register.node.ts';
import { checkFingerprint } from '../shared/encoders/registry.ts';
import { DEFAULT_STORE_READ_TIMEOUT_MS, withDeadlines } from '../shared/store/deadline.ts';
import { openStore, parseStoreUrl } from '../shared/store/open.node.ts';
import { createApp, type EdgeDeps, type EdgeLimits } from './app.ts';
import { type OrtRuntime, onnxQueryEncoderFactory } from './encoders/onnx-query-encoder.ts';
import { parseKeyHashes } from './http/api-keys.ts';
import { type EncoderFactory, registryEncoderFactory } from './search/query-codec.ts';

// On Node an ONNX index is served with the query model its version ships (onnxruntime-node over the asset
// bytes, as the Worker does with onnxruntime-web); versions that ship none fall back to the batch job's
// own encoder over the model directory the manifest names. Either way the fingerprint check guarantees
// queries are encoded with the model the index was published with.
registerOnnxEncoder();

const publishedQueryModel = onnxQueryEncoderFactory(
  async () => (await import('onnxruntime-node')) as unknown as OrtRuntime,
);

/** The registry, with ONNX tokenizing on the calling thread: a query is one short text, not a corpus. */
export const nodeEncoderFactory: EncoderFactory = async (descriptor, assets) => {
  const queryFingerprint = descriptor.config.queryFingerprint;
  if (descriptor.name === 'onnx' && typeof queryFingerprint === 'string') {
    return checkFingerprint(
      await publishedQueryModel({ ...descriptor.config, name: 'onnx' }, { assets }),
      queryFingerprint,
    );
  }
  return registryEncoderFactory(
    descriptor.name === 'onnx'
      ? { ...descriptor, config: { ...descriptor.config, tokenizerThreads: 0 } }
      : descriptor,
    assets,
  );
};

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
    ['REQUEST_TIMEOUT_MS', 'requestTimeoutMs'],
    ['READY_TIMEOUT_MS', 'readyTimeoutMs'],
    ['BODY_TIMEOUT_MS', 'bodyTimeoutMs'],
    ['MAX_BODY_BYTES', 'maxBodyBytes'],
  ] as const) {
    const value = positive(name);
    if (value !== undefined) limits[key] = value;
  }
  const publicUrl = (env.PUBLIC_URL ?? '').trim();
  return {
    // Named by kind only: error messages reach callers, server paths and bucket names should not.
    store: withDeadlines(openStore(location, { env, socketTimeoutMs: readMs }), {
      readMs,
      name: `${parseStoreUrl(location).kind} store`,
    }),
    encoderFactory: nodeEncoderFactory,
    apiKeyHashes: parseKeyHashes(env.API_KEY_HASHES),
    corsOrigins: cors === '' ? undefined : cors === '*' ? '*' : cors.split(',').map((o) => o.trim()),
    ...(number('POSTINGS_READS_PER_SHARD')
      ? { readPlan: { maxReadsPerShard: number('POSTINGS_READS_PER_SHARD') } }
      : {}),
    ...(publicUrl === '' ? {} : { publicUrl }),
    limits: {
      ...(number('CURRENT_TTL_MS') ? { currentTtlMs: number('CURRENT_TTL_MS') } : {}),
      ...(number('SUBREQUEST_BUDGET') ? { subrequestBudget: number('SUBREQUEST_BUDGET') } : {}),
      ...limits,
    },
  };
}

/** Serves the app; port 0 picks a free one. */
export function startNodeServer(
  deps: EdgeDeps,
  options: { port?: number; host?: string } = {},
): Promise<NodeServer> {
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve(
      { fetch: app.fetch, port: options.port ?? 8787, hostname: options.host ?? '127.0.0.1' },
      (info: AddressInfo) => {
        server.on('clientError', answerMalformedRequest);
        resolve({
          url: `http://${info.address}:${info.port}`,
          close: () =>
            new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))),
        });
      },
    );
  });
}

/**
 * Requests Node's HTTP parser refuses before the app sees them (an unknown method, a bad header, an
 * oversized head) get the API's JSON error shape too, instead of Node's bare "400 Bad Request".
 */
function answerMalformedRequest(error: Error & { code?: string }, socket: Duplex): void {
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
  // Read and drop what the client still sends for a moment: closing with unread bytes would reset the
  // connection and lose the answer on its way.
  socket.resume();
  setTimeout(() => socket.destroy(), 1_000).unref();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startNodeServer(nodeDeps(), {
    port: Number(process.env.PORT ?? 8787),
    host: process.env.HOST ?? '127.0.0.1',
  });
  console.log(`csplade edge (Node) listening on ${server.url} — store ${process.env.CSPLADE_STORE}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
