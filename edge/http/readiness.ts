/**
 * Readiness (GET /readyz), as opposed to liveness (/healthz): can this instance serve queries now? It
 * lists the indexes of the store and reads every CURRENT pointer fresh (no cache), all within its own
 * deadline, and is ready only when the listing answered and every CURRENT that exists decodes. A store
 * that hangs, fails or holds a garbage CURRENT makes it not ready (503 `not_ready` naming the keys), so
 * a load balancer stops sending traffic while /healthz still says the process is alive.
 */
import { currentKey, isValidIndexName } from '../../shared/index/layout.ts';
import { decodeCurrentPointer } from '../../shared/index/manifest-codec.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { ApiError } from './api-error.ts';

export const DEFAULT_READY_TIMEOUT_MS = 2_000;
/** CURRENT pointers read per check at most (a Worker has 50 subrequests per request on the free plan). */
export const MAX_READY_INDEXES = 32;

export interface Readiness {
  readonly status: 'ready';
  /** Indexes with a readable CURRENT. */
  readonly indexes: number;
}

/** Resolves when ready; throws a 503 ApiError `not_ready` otherwise. */
export async function checkReadiness(store: ObjectStore, timeoutMs: number): Promise<Readiness> {
  const pending = new Set<string>();
  const track = async <T>(what: string, read: () => Promise<T>): Promise<T> => {
    pending.add(what);
    try {
      return await read();
    } finally {
      pending.delete(what);
    }
  };
  const check = async (): Promise<Readiness> => {
    const names = (await track('the listing of indexes/', () => store.listPrefixes('indexes/')))
      .map((prefix) => prefix.slice('indexes/'.length, -1))
      .filter(isValidIndexName)
      .slice(0, MAX_READY_INDEXES);
    const problems: string[] = [];
    let readable = 0;
    await Promise.all(
      names.map(async (name) => {
        const key = currentKey(name);
        try {
          const object = await track(key, () => store.get(key));
          if (!object) return;
          decodeCurrentPointer(object.bytes, key);
          readable++;
        } catch (error) {
          problems.push(`${key}: ${(error as Error).message}`);
        }
      }),
    );
    if (problems.length > 0) throw notReady(problems.sort().join('; '));
    return { status: 'ready', indexes: readable };
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(notReady(`no answer within ${timeoutMs} ms from ${[...pending].sort().join(', ')}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([check(), expired]);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw notReady(`the index store failed: ${(error as Error).message}`);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function notReady(why: string): ApiError {
  return new ApiError(503, 'not_ready', `not ready to serve: ${why}`);
}
