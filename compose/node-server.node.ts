/**
 * The search API as a Node process: the edge's Node entry (edge/node.ts: settings from the environment,
 * @hono/node-server) with the query encoders of node-query-encoders.node.ts, so it serves every index
 * the batch job publishes, ONNX versions without a shipped query model included. `csplade serve` starts
 * it with flags; `node --import tsx compose/node-server.node.ts` starts it from the environment alone
 * (CSPLADE_STORE, PORT, HOST and the variables edge/node.ts lists), as the process tests do.
 */
import { fileURLToPath } from 'node:url';
import type { EdgeDeps } from '../edge/app.ts';
import { nodeDeps as edgeNodeDeps, startNodeServer } from '../edge/node.ts';
import { nodeEncoderFactory } from './node-query-encoders.node.ts';

export { type NodeServer, PortInUseError, startNodeServer } from '../edge/node.ts';
export { nodeEncoderFactory };

/** The Node edge's dependencies from `env` (process.env by default), with these query encoders. */
export function nodeDeps(env: Readonly<Record<string, string | undefined>> = process.env): EdgeDeps {
  return { ...edgeNodeDeps(env), encoderFactory: nodeEncoderFactory };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startNodeServer(nodeDeps(), {
    port: Number(process.env.PORT ?? 8787),
    host: process.env.HOST ?? '127.0.0.1',
  });
  console.log(`csplade edge (Node) listening on ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
