/**
 * The deadline decorator: it passes every answer through (the conformance suite), and a read that never
 * answers fails with StoreTimeoutError within its deadline instead of hanging — shown with real parts that
 * hang: an S3 client against a server that accepts connections and never answers, a folder store reading
 * a FIFO nobody writes (a dead mount behaves so), and inside workerd with a binding that never answers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDeadlines } from '../../../shared/store/deadline.ts';
import { isTransientStoreError, StoreTimeoutError } from '../../../shared/store/errors.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { openStore } from '../../../shared/store/open.node.ts';
import { retrying } from '../../../shared/store/retrying.ts';
import { startWorkerdScript } from '../../helpers/workerd-script.ts';
import { describeObjectStoreConformance } from './conformance.ts';

describeObjectStoreConformance('withDeadlines(memory)', () =>
  withDeadlines(new MemoryObjectStore(), { readMs: 5_000 }),
);

/** A store whose every operation waits forever (and counts the calls that reached it). */
function neverAnswering(): ObjectStore & { calls: number } {
  const store = {
    calls: 0,
    wait: () => {
      store.calls++;
      return new Promise<never>(() => {});
    },
    get: () => store.wait(),
    getRange: () => store.wait(),
    head: () => store.wait(),
    put: () => store.wait(),
    list: () => store.wait(),
    listPrefixes: () => store.wait(),
    delete: () => store.wait(),
  };
  return store;
}

async function timing<T>(task: Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await task;
    return { error: undefined, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe('withDeadlines', () => {
  it('fails every kind of read after its deadline with a transient StoreTimeoutError naming it', async () => {
    const store = withDeadlines(neverAnswering(), { readMs: 80, listMs: 120, name: 'hung' });
    const reads: [string, () => Promise<unknown>, number][] = [
      ['get', () => store.get('indexes/demo/CURRENT'), 80],
      ['range read', () => store.getRange('indexes/demo/v1/shard-0000.csp', 0, 10), 80],
      ['head', () => store.head('indexes/demo/CURRENT'), 80],
      ['list', () => store.list('indexes/'), 120],
      ['list prefixes', () => store.listPrefixes('indexes/'), 120],
    ];
    for (const [what, read, ms] of reads) {
      const { error, ms: took } = await timing(read());
      expect(error, what).toBeInstanceOf(StoreTimeoutError);
      expect((error as StoreTimeoutError).code).toBe('store_timeout');
      expect((error as Error).message).toContain(`hung: ${what}`);
      expect((error as Error).message).toContain(`within ${ms} ms`);
      expect(isTransientStoreError(error)).toBe(true);
      expect(took).toBeGreaterThanOrEqual(ms - 5);
      expect(took).toBeLessThan(ms + 1_000);
    }
  });

  it('leaves writes alone: a put that may still land is not reported failed by a timer', async () => {
    const inner = neverAnswering();
    const store = withDeadlines(inner, { readMs: 20 });
    const outcome = await Promise.race([
      store.put('k', new Uint8Array(1)).then(
        () => 'settled',
        () => 'settled',
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 200)),
    ]);
    expect(outcome).toBe('still waiting');
  });

  it('answers and errors of a store that answers in time pass through unchanged', async () => {
    const memory = new MemoryObjectStore();
    const store = withDeadlines(memory, { readMs: 1_000 });
    await store.put('a/b', new Uint8Array([1, 2, 3]));
    expect((await store.get('a/b'))!.bytes).toEqual(new Uint8Array([1, 2, 3]));
    expect(await store.get('a/missing')).toBeNull();
    await expect(store.getRange('a/missing', 0, 1)).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.listPrefixes('')).toEqual(['a/']);
  });

  it('is retried by the retrying decorator like any transient failure', async () => {
    const inner = neverAnswering();
    const store = retrying(withDeadlines(inner, { readMs: 20 }), { maxAttempts: 3, baseDelayMs: 1 });
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreTimeoutError);
    expect(inner.calls).toBe(3);
  });

  it('refuses a deadline that is not a positive number', () => {
    expect(() => withDeadlines(new MemoryObjectStore(), { readMs: 0 })).toThrow(/readMs/);
    expect(() => withDeadlines(new MemoryObjectStore(), { readMs: Number.NaN })).toThrow(/readMs/);
  });
});

describe('real stores that hang', () => {
  let blackHole: Server;
  const sockets: Socket[] = [];
  let port: number;
  beforeAll(async () => {
    blackHole = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    port = (blackHole.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('S3 against a server that accepts connections and never answers: every read times out', async () => {
    const s3 = openStore('s3://hung-bucket/csplade', {
      env: { S3_ENDPOINT: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' },
      socketTimeoutMs: 2_000,
    });
    const store = withDeadlines(s3, { readMs: 300 });
    for (const read of [
      (): Promise<unknown> => store.get('indexes/demo/CURRENT'),
      () => store.listPrefixes('indexes/'),
      () => store.getRange('indexes/demo/v1/shard-0000.csp', 0, 100),
    ]) {
      const { error, ms } = await timing(read());
      expect(error).toBeInstanceOf(StoreTimeoutError);
      expect(ms).toBeLessThan(1_500);
    }
    expect(sockets.length).toBeGreaterThan(0);
  });

  it('a folder store reading a FIFO nobody writes times out, and the read is released afterwards', async () => {
    const root = await mkdtemp(join(tmpdir(), 'csplade-deadline-'));
    try {
      execFileSync('mkfifo', [join(root, 'CURRENT')]);
      const store = withDeadlines(new LocalFolderObjectStore(root), { readMs: 200 });
      const { error, ms } = await timing(store.get('CURRENT'));
      expect(error).toBeInstanceOf(StoreTimeoutError);
      expect(ms).toBeLessThan(1_500);
      // Free the thread the abandoned open() still blocks: a writer opening the FIFO lets it return.
      const writer = await open(join(root, 'CURRENT'), 'w');
      await writer.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('inside workerd', () => {
  it('times out a binding that never answers, with the same error', async () => {
    const miniflare = await startWorkerdScript(
      `
      import { withDeadlines } from '../../../shared/store/deadline.ts';
      import { R2BindingObjectStore } from '../../../shared/store/r2-binding.ts';
      export default {
        async fetch(request, env) {
          const hung = { get: () => new Promise(() => {}), head: () => new Promise(() => {}) };
          const store = withDeadlines(new R2BindingObjectStore(hung, { name: 'BUCKET' }), { readMs: 150 });
          const started = Date.now();
          try {
            await store.get('indexes/demo/CURRENT');
            return Response.json({ code: 'answered' });
          } catch (error) {
            return Response.json({ code: error.code, name: error.name, ms: Date.now() - started });
          }
        },
      };`,
      import.meta.dirname,
    );
    try {
      const result = (await (await miniflare.dispatchFetch('http://store.test/')).json()) as {
        code: string;
        name: string;
        ms: number;
      };
      expect(result).toMatchObject({ code: 'store_timeout', name: 'StoreTimeoutError' });
      expect(result.ms).toBeGreaterThanOrEqual(140);
      expect(result.ms).toBeLessThan(1_500);
    } finally {
      await miniflare.dispose();
    }
  });
});
