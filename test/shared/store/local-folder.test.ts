/**
 * The local-folder backend: the conformance suite on fresh temp folders, plus what only a folder has —
 * races between processes, etags that follow content even when files change behind the store's back,
 * and a layout people can read.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidKeyError } from '../../../shared/store/errors.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { describeObjectStoreConformance } from './conformance.ts';

const folders: string[] = [];
async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'csplade-store-'));
  folders.push(folder);
  return folder;
}
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

describeObjectStoreConformance('local folder', async () => new LocalFolderObjectStore(await freshFolder()));

function race(
  root: string,
  key: string,
  mode: 'create' | 'swap' | 'increment',
  etag: string,
  racers: number,
): Promise<string[]> {
  const startAt = Date.now() + 1500; // after every child has loaded tsx
  return Promise.all(
    Array.from(
      { length: racers },
      (_, id) =>
        new Promise<string>((resolve, reject) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', racerScript, root, key, mode, etag, String(id), String(startAt)],
            { timeout: 30_000 },
            (error, stdout) => (error ? reject(error) : resolve(stdout)),
          );
        }),
    ),
  );
}
const racerScript = fileURLToPath(new URL('./local-folder-racer.node.ts', import.meta.url));

describe('local folder between processes', () => {
  it('If-None-Match from 4 processes at once: exactly one creates the key', async () => {
    const root = await freshFolder();
    const outcomes = await race(root, 'shared/CURRENT', 'create', '', 4);
    expect(outcomes.filter((o) => o === 'won').length).toBe(1);
    expect(outcomes.filter((o) => o === 'precondition_failed').length).toBe(3);
    const winner = outcomes.indexOf('won');
    expect(await readFile(join(root, 'shared', 'CURRENT'), 'utf8')).toBe(`racer ${winner}`);
  });

  it('If-Match on one etag from 4 processes at once: exactly one swaps', async () => {
    const root = await freshFolder();
    const base = await new LocalFolderObjectStore(root).put(
      'shared/CURRENT',
      new TextEncoder().encode('base'),
    );
    const outcomes = await race(root, 'shared/CURRENT', 'swap', base.etag, 4);
    expect(outcomes.filter((o) => o === 'won').length).toBe(1);
    expect(outcomes.filter((o) => o === 'precondition_failed').length).toBe(3);
    const winner = outcomes.indexOf('won');
    expect(await readFile(join(root, 'shared', 'CURRENT'), 'utf8')).toBe(`racer ${winner}`);
  });
});

describe('local folder between processes: no lost updates', () => {
  it('4 processes × 15 read-modify-write increments with If-Match end at exactly 60', async () => {
    const root = await freshFolder();
    await new LocalFolderObjectStore(root).put('counter', new TextEncoder().encode('0'));
    const outcomes = await race(root, 'counter', 'increment', '15', 4);
    expect(outcomes).toEqual(['done', 'done', 'done', 'done']);
    expect(await readFile(join(root, 'counter'), 'utf8')).toBe('60');
  });
});

describe('local folder layout and etags', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('stores key "a/b/c" as the plain file <root>/a/b/c and leaves no staging files behind', async () => {
    const root = await freshFolder();
    const store = new LocalFolderObjectStore(root);
    await store.put('indexes/demo/v1/shard-0', bytes('shard bytes'));
    expect(await readFile(join(root, 'indexes', 'demo', 'v1', 'shard-0'), 'utf8')).toBe('shard bytes');
    expect(await readdir(join(root, '.csplade', 'staging'))).toEqual([]);
  });

  it('uses the SHA-256 of the content as etag, so equal content has equal etags across folders', async () => {
    const store = new LocalFolderObjectStore(await freshFolder());
    const other = new LocalFolderObjectStore(await freshFolder());
    const info = await store.put('x', bytes('abc'));
    expect(info.etag).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect((await other.put('y', bytes('abc'))).etag).toBe(info.etag);
  });

  it('notices a file rewritten behind its back and reports the new content hash', async () => {
    const root = await freshFolder();
    const store = new LocalFolderObjectStore(root);
    const before = await store.put('edited', bytes('old'));
    await writeFile(join(root, 'edited'), 'new content');
    const after = await store.head('edited');
    expect(after?.etag).not.toBe(before.etag);
    expect(after?.etag).toBe(
      (await new LocalFolderObjectStore(await freshFolder()).put('z', bytes('new content'))).etag,
    );
    await expect(store.put('edited', bytes('stale'), { ifMatch: before.etag })).rejects.toMatchObject({
      code: 'precondition_failed',
    });
  });

  it('sees files copied into the folder by other tools as objects', async () => {
    const root = await freshFolder();
    await writeFile(join(root, 'dropped.txt'), 'from outside');
    await writeFile(join(root, 'back\\slash'), 'no valid key names this file');
    const store = new LocalFolderObjectStore(root);
    expect((await store.list('')).map((o) => o.key)).toEqual(['dropped.txt']);
    expect((await store.get('dropped.txt'))?.bytes).toEqual(bytes('from outside'));
  });

  it('refuses keys under its reserved ".csplade/" folder', async () => {
    const store = new LocalFolderObjectStore(await freshFolder());
    await expect(store.put('.csplade/locks/x', bytes('x'))).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('removes folders emptied by delete', async () => {
    const root = await freshFolder();
    const store = new LocalFolderObjectStore(root);
    await store.put('deep/er/file', bytes('x'));
    await store.delete('deep/er/file');
    expect((await readdir(root)).sort()).toEqual(['.csplade']);
  });
});

describe('local folder listings racing deletes', () => {
  it('a key deleted while it is listed (or headed) is absent, never a raw ENOENT', async () => {
    // Files written by another tool have no etag sidecar: listing them hashes each one, which is where a
    // delete landing between the stat and the read must read as "absent", not as an unmapped ENOENT.
    const root = await freshFolder();
    const store = new LocalFolderObjectStore(root);
    const failures: string[] = [];
    for (let round = 0; round < 30; round++) {
      const keys = Array.from({ length: 40 }, (_, i) => `r${round}/k${i}`);
      await Promise.all(
        keys.map(async (key) => {
          await mkdir(join(root, `r${round}`), { recursive: true });
          await writeFile(join(root, key), `content of ${key}`.repeat(200));
        }),
      );
      const listing = store
        .list(`r${round}/`)
        .catch((error: Error) => failures.push(`list: ${error.message}`));
      const heads = keys.map((key) =>
        store.head(key).catch((error: Error) => failures.push(`head: ${error.message}`)),
      );
      // Unlinking behind the store's locks makes the window between stat and read as wide as it gets.
      const unlinks = keys.map(async (key) => {
        await new Promise((r) => setImmediate(r));
        await unlink(join(root, key));
      });
      await Promise.all([listing, ...heads, ...unlinks]);
    }
    expect(failures).toEqual([]);
  });
});
