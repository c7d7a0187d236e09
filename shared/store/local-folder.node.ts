/**
 * The embedded default ObjectStore: a folder where key "a/b/c" is the file "<root>/a/b/c", readable by
 * people and ordinary tools. Writes go to a staging file that is renamed into place, so readers see the
 * old or the new object, never half of one. Conditional puts are safe between processes: every write or
 * delete of a key holds that key's lock file (O_EXCL), and If-None-Match additionally lands with `link()`,
 * which fails atomically when the key exists. The etag is the SHA-256 of the content; it is remembered in
 * a sidecar next to the file's identity (inode, size, mtime), so `head` and `list` hash nothing unless a
 * file was changed behind the store's back. Bookkeeping lives in "<root>/.csplade/", a reserved key prefix.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  InvalidKeyError,
  InvalidRangeError,
  NotFoundError,
  PreconditionFailedError,
  StoreRequestError,
} from './errors.ts';
import { type FileLockOptions, withFileLock } from './file-lock.node.ts';
import { assertValidKey, commonPrefixes, compareKeys } from './keys.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';
import { assertRangeArguments, assertRangeWithin } from './range.ts';

const BACKEND = 'local-folder';
const RESERVED = '.csplade';

export interface LocalFolderOptions {
  /** fsync each written file before it becomes visible (default true: a crash never leaves an empty object). */
  readonly durable?: boolean;
  readonly lock?: FileLockOptions;
}

type Errno = NodeJS.ErrnoException;
const errno = (error: unknown) => (error as Errno).code;
const isAbsent = (error: unknown) => errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR';

/** Files other tools left with names no key can have (e.g. a backslash) are not objects of this store. */
const isValidKey = (key: string) => {
  try {
    assertValidKey(BACKEND, key);
    return true;
  } catch {
    return false;
  }
};
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const keyDigest = (key: string) => createHash('sha256').update(key).digest('hex');
/** What identifies one written version of a file: renames keep all three, a rewrite changes at least one. */
const identityOf = (info: BigIntStats) => `${info.ino}:${info.size}:${info.mtimeNs}`;

export class LocalFolderObjectStore implements ObjectStore {
  readonly root: string;
  readonly #durable: boolean;
  readonly #lockOptions: FileLockOptions;

  constructor(root: string, options: LocalFolderOptions = {}) {
    this.root = root;
    this.#durable = options.durable ?? true;
    this.#lockOptions = options.lock ?? {};
  }

  async get(key: string): Promise<{ bytes: Uint8Array; info: ObjectInfo } | null> {
    const path = this.#pathOf(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isAbsent(error) || errno(error) === 'EISDIR') return null;
      throw this.#requestError('get', key, error);
    }
    try {
      const stats = await handle.stat({ bigint: true });
      if (!stats.isFile()) return null;
      const buffer = await handle.readFile();
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const etag = await this.#etagOf(key, stats, () => sha256(bytes));
      return { bytes, info: { key, size: bytes.length, etag } };
    } finally {
      await handle.close();
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    assertRangeArguments(BACKEND, key, offset, length);
    const path = this.#pathOf(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isAbsent(error) || errno(error) === 'EISDIR') throw new NotFoundError(BACKEND, key);
      throw this.#requestError('getRange', key, error);
    }
    try {
      // No fstat on the way: open + read + close is the whole cost of a hot range read. A short read
      // means the range runs past the end (the size is looked up only then, for the message).
      const bytes = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(bytes, filled, length - filled, offset + filled));
        } catch (error) {
          if (errno(error) === 'EISDIR') throw new NotFoundError(BACKEND, key);
          throw this.#requestError('getRange', key, error);
        }
        if (bytesRead === 0) {
          const stats = await handle.stat();
          if (!stats.isFile()) throw new NotFoundError(BACKEND, key);
          throw new InvalidRangeError(BACKEND, key, offset, length, stats.size);
        }
        filled += bytesRead;
      }
      if (length === 0) {
        const stats = await handle.stat(); // reading nothing says nothing about the size
        if (!stats.isFile()) throw new NotFoundError(BACKEND, key);
        assertRangeWithin(BACKEND, key, offset, length, stats.size);
      }
      return bytes;
    } finally {
      await handle.close();
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const path = this.#pathOf(key);
    const stats = await this.#statFile(path, key);
    if (!stats) return null;
    let etag: string;
    try {
      etag = await this.#etagOf(key, stats, async () => sha256(await readFile(path)));
    } catch (error) {
      // Deleted between the stat and the hash (head takes no lock): absent, as a later stat would say.
      if (isAbsent(error)) return null;
      throw error instanceof StoreRequestError ? error : this.#requestError('head', key, error);
    }
    return { key, size: Number(stats.size), etag };
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<ObjectInfo> {
    const path = this.#pathOf(key);
    const etag = sha256(bytes);
    const staged = await this.#stage(bytes);
    try {
      const stagedIdentity = identityOf(await stat(staged, { bigint: true }));
      await withFileLock(
        this.#lockPathOf(key),
        key,
        async () => {
          await this.#checkConditions(key, path, options);
          // The sidecar first: a reader that sees the new file before it will only hash it once more.
          await this.#writeSidecar(key, `${stagedIdentity} ${etag}\n`);
          await this.#land(key, staged, path, options.ifNoneMatch === '*');
        },
        this.#lockOptions,
      );
    } finally {
      await unlink(staged).catch(() => undefined);
    }
    return { key, size: bytes.length, etag };
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // Walk only the deepest folder the prefix names fully ("a/b/c" starts in "a/b").
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const files: string[] = [];
    await this.#walk(folder === '' ? this.root : join(this.root, ...folder.split('/')), files);
    const keys = files
      .map((file) => relative(this.root, file).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix) && key.split('/')[0] !== RESERVED && isValidKey(key));
    const infos = await Promise.all(keys.map((key) => this.head(key)));
    return infos
      .filter((info): info is ObjectInfo => info !== null)
      .sort((a, b) => compareKeys(a.key, b.key));
  }

  /** Derived from the walk `list` makes: an emptied folder is no prefix, as in S3. */
  async listPrefixes(prefix: string): Promise<string[]> {
    return commonPrefixes(
      (await this.list(prefix)).map((o) => o.key),
      prefix,
    );
  }

  async delete(key: string): Promise<void> {
    const path = this.#pathOf(key);
    await withFileLock(
      this.#lockPathOf(key),
      key,
      async () => {
        try {
          await unlink(path);
        } catch (error) {
          if (isAbsent(error)) return;
          if (errno(error) === 'EISDIR' || errno(error) === 'EPERM') return; // a folder is no object
          throw this.#requestError('delete', key, error);
        }
        await unlink(this.#sidecarPathOf(key)).catch(() => undefined);
        await this.#removeEmptyFolders(dirname(path));
      },
      this.#lockOptions,
    );
  }

  #pathOf(key: string): string {
    assertValidKey(BACKEND, key);
    if (key.split('/')[0] === RESERVED) throw new InvalidKeyError(BACKEND, key, `"${RESERVED}/" is reserved`);
    return join(this.root, ...key.split('/'));
  }

  #lockPathOf(key: string): string {
    return join(this.root, RESERVED, 'locks', `${keyDigest(key)}.lock`);
  }

  #sidecarPathOf(key: string): string {
    return join(this.root, RESERVED, 'etags', keyDigest(key));
  }

  async #statFile(path: string, key: string): Promise<BigIntStats | null> {
    try {
      const stats = await stat(path, { bigint: true });
      return stats.isFile() ? stats : null;
    } catch (error) {
      if (isAbsent(error)) return null;
      throw this.#requestError('head', key, error);
    }
  }

  /** The content hash from the sidecar when it describes this very file, else computed and remembered. */
  async #etagOf(key: string, stats: BigIntStats, hash: () => string | Promise<string>): Promise<string> {
    const identity = identityOf(stats);
    try {
      const [recorded, etag] = (await readFile(this.#sidecarPathOf(key), 'utf8')).trim().split(' ');
      if (recorded === identity && etag) return etag;
    } catch (error) {
      if (!isAbsent(error)) throw this.#requestError('head', key, error);
    }
    const etag = await hash();
    await this.#writeSidecar(key, `${identity} ${etag}\n`).catch(() => undefined); // only a cache
    return etag;
  }

  async #writeSidecar(key: string, content: string): Promise<void> {
    const staged = await this.#stage(new TextEncoder().encode(content), false);
    try {
      await this.#ensureFolder(join(this.root, RESERVED, 'etags'));
      await rename(staged, this.#sidecarPathOf(key));
    } finally {
      await unlink(staged).catch(() => undefined);
    }
  }

  /** Writes bytes to a fresh file in the staging folder (same file system as the keys, so rename is atomic). */
  async #stage(bytes: Uint8Array, durable = this.#durable): Promise<string> {
    const folder = join(this.root, RESERVED, 'staging');
    await this.#ensureFolder(folder);
    const path = join(folder, randomUUID());
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(bytes);
      if (durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    return path;
  }

  async #checkConditions(key: string, path: string, options: PutOptions): Promise<void> {
    if (options.ifNoneMatch !== '*' && options.ifMatch === undefined) return;
    const current = await this.#statFile(path, key);
    if (options.ifNoneMatch === '*' && current) {
      throw new PreconditionFailedError(BACKEND, key, 'If-None-Match: * but the key exists');
    }
    if (options.ifMatch !== undefined) {
      if (!current)
        throw new PreconditionFailedError(BACKEND, key, `If-Match ${options.ifMatch} but key is absent`);
      const etag = await this.#etagOf(key, current, async () => sha256(await readFile(path)));
      if (etag !== options.ifMatch) {
        throw new PreconditionFailedError(BACKEND, key, `If-Match ${options.ifMatch} but etag is ${etag}`);
      }
    }
  }

  /**
   * Moves the staged file to the key's path. A concurrent delete may remove the (empty) parent folder
   * between our mkdir and rename, hence the few retries on ENOENT.
   */
  async #land(key: string, staged: string, path: string, createOnly: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#ensureFolder(dirname(path));
        // link() fails with EEXIST if the key appeared, even from a writer that ignores our locks.
        if (createOnly) await link(staged, path);
        else await rename(staged, path);
        return;
      } catch (error) {
        if (createOnly && errno(error) === 'EEXIST') {
          throw new PreconditionFailedError(BACKEND, key, 'If-None-Match: * but the key exists');
        }
        if (errno(error) === 'ENOENT' && attempt < 5) continue;
        if (errno(error) === 'EISDIR' || errno(error) === 'ENOTDIR' || errno(error) === 'EEXIST') {
          throw new StoreRequestError(
            BACKEND,
            'put',
            key,
            'the key or one of its folders collides with another key',
          );
        }
        throw this.#requestError('put', key, error);
      }
    }
  }

  async #ensureFolder(folder: string): Promise<void> {
    await mkdir(folder, { recursive: true });
  }

  async #removeEmptyFolders(folder: string): Promise<void> {
    while (folder !== this.root && folder.startsWith(this.root)) {
      try {
        await rmdir(folder);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      folder = dirname(folder);
    }
  }

  async #walk(folder: string, files: string[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isAbsent(error)) return;
      throw this.#requestError('list', undefined, error);
    }
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) {
          if (folder === this.root && entry.name === RESERVED) return;
          await this.#walk(path, files);
        } else if (entry.isFile()) {
          files.push(path);
        }
      }),
    );
  }

  #requestError(what: string, key: string | undefined, error: unknown): StoreRequestError {
    const detail = `${errno(error) ?? 'error'}: ${(error as Error).message}`;
    return new StoreRequestError(BACKEND, what, key, detail, { cause: error });
  }
}
