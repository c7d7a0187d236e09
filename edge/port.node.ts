/**
 * A port that is already taken, said in one line: `csplade serve` (Node), `npm run dev` (wrangler dev)
 * and the local Worker (Miniflare) check before they start, instead of a stack trace from Node or a
 * workerd crash dump.
 */
import { createServer } from 'node:net';
import { CspladeError } from '../shared/errors.ts';

export class PortInUseError extends CspladeError {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      'port_in_use',
      `port ${port} on ${host} is already in use (another server, or an earlier one still running): stop it or pick another port with --port`,
    );
  }
}

/** Resolves when `port` on `host` can be listened on (port 0 always can); rejects with PortInUseError. */
export function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
