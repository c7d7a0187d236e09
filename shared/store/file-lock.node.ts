/**
 * A lock file shared by every process that writes one local-folder store: created with O_EXCL (`wx`),
 * which the kernel makes atomic even between processes, and removed on release. A lock whose file is older
 * than `staleAfterMs` is taken to be left behind by a crashed writer and broken; writers hold it for
 * milliseconds, so the default of 30 s only ever fires after a crash. Waiting polls with growing sleeps and
 * gives up with StoreUnavailableError, which the retrying decorator may retry.
 */
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StoreUnavailableError } from './errors.ts';

export interface FileLockOptions {
  /** How long to wait for a held lock before giving up. */
  readonly timeoutMs?: number;
  /** Age after which a lock file is assumed abandoned by a crashed process. */
  readonly staleAfterMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `critical` while holding the lock file at `lockPath`; `key` only names the lock in errors. */
export async function withFileLock<T>(
  lockPath: string,
  key: string,
  critical: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let pauseMs = 1;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        await mkdir(dirname(lockPath), { recursive: true }); // first lock in this store
        continue;
      }
      if (code !== 'EEXIST') throw error;
    }
    if (await isStale(lockPath, staleAfterMs)) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new StoreUnavailableError('local-folder', `waiting ${timeoutMs} ms for lock ${lockPath}`, key);
    }
    await sleep(pauseMs + Math.random() * pauseMs);
    pauseMs = Math.min(pauseMs * 2, 50);
  }
  try {
    return await critical();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function isStale(lockPath: string, staleAfterMs: number): Promise<boolean> {
  try {
    const info = await stat(lockPath);
    return Date.now() - info.mtimeMs > staleAfterMs;
  } catch {
    return false; // released meanwhile: simply try again
  }
}
