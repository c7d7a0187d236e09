/**
 * Reads a V8 heap through the inspector protocol (Chrome DevTools over a WebSocket): the Node entry
 * started with --inspect, or workerd's isolate of the Worker (Miniflare's `inspectorPort`). A process's
 * RSS also holds what the runtime allocates outside the JavaScript heap (workerd runs Miniflare's R2 and
 * Cache emulators in the same process); the heap says what the app's own code keeps.
 */

/** The part of the ws package's API used here (it ships no types; a devDependency, as autocannon). */
interface Socket {
  once(event: 'open' | 'error', listener: (error?: Error) => void): void;
  on(event: 'message', listener: (data: { toString(): string }) => void): void;
  off(event: 'message', listener: (data: { toString(): string }) => void): void;
  send(data: string): void;
  close(): void;
}
const WebSocket = ((await import('ws' as string)) as { default: new (url: string) => Socket }).default;

export interface HeapSample {
  /** Live objects. */
  readonly usedBytes: number;
  /** What the heap has reserved. */
  readonly totalBytes: number;
  /** ArrayBuffer contents (outside the heap proper: the caches' bytes live here). */
  readonly buffersBytes: number;
}

export interface HeapProbe {
  sample(): Promise<HeapSample>;
  close(): void;
}

/** Connects to the first inspector target of `port` whose title `pick` accepts. */
export async function connectHeapProbe(
  port: number,
  kind: 'node' | 'workerd',
  pick: (title: string) => boolean = () => true,
): Promise<HeapProbe> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    title: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => pick(t.title));
  if (!target)
    throw new Error(`no inspector target on ${port} among ${targets.map((t) => t.title).join(', ')}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (error) => reject(error));
  });
  let next = 0;
  const call = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      const onMessage = (data: { toString(): string }) => {
        const message = JSON.parse(data.toString()) as {
          id?: number;
          result?: T;
          error?: { message: string };
        };
        if (message.id !== id) return;
        ws.off('message', onMessage);
        if (message.error) reject(new Error(message.error.message));
        else resolve(message.result as T);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async sample() {
      if (kind === 'workerd') {
        const h = await call<{ usedSize: number; totalSize: number; backingStorageSize?: number }>(
          'Runtime.getHeapUsage',
        );
        return { usedBytes: h.usedSize, totalBytes: h.totalSize, buffersBytes: h.backingStorageSize ?? 0 };
      }
      const r = await call<{ result: { value: string } }>('Runtime.evaluate', {
        expression: 'JSON.stringify(process.memoryUsage())',
        returnByValue: true,
      });
      const m = JSON.parse(r.result.value) as { heapUsed: number; heapTotal: number; arrayBuffers: number };
      return { usedBytes: m.heapUsed, totalBytes: m.heapTotal, buffersBytes: m.arrayBuffers };
    },
    close: () => ws.close(),
  };
}
