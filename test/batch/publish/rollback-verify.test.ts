/**
 * Issue 14, case 4: a rollback to a version with a missing shard, a garbage manifest, a damaged or truncated
 * shard, or a missing asset is refused — with the missing or wrong object named — and CURRENT stays where it
 * was; a complete target is accepted. Through the library and through the CLI (exit 1, the reason on stderr).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionIncompleteError } from '../../../batch/publish/errors.ts';
import { loadManifest } from '../../../batch/publish/local-search.ts';
import { rollback } from '../../../batch/publish/rollback.ts';
import { readCurrent } from '../../../batch/publish/versions.ts';
import { main } from '../../../compose/cli/main.ts';
import { manifestKey } from '../../../shared/index/layout.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import type { ObjectStore } from '../../../shared/store/object-store.ts';
import { currentVerdict, publishCorpus, writeTinyCorpus } from '../helpers/lifecycle.ts';
import { tempDir } from '../helpers/pipeline-fixtures.ts';

const INDEX = 'roll';
const dir = await tempDir('rollback-verify');
afterAll(() => dir.remove());
let corpora: string[];
beforeAll(async () => {
  corpora = [await writeTinyCorpus(dir.path, 11), await writeTinyCorpus(dir.path, 12)];
});

async function twoVersions(store: ObjectStore): Promise<string[]> {
  return [
    await publishCorpus(store, INDEX, 'old', corpora[0]),
    await publishCorpus(store, INDEX, 'new', corpora[1]),
  ];
}

type Damage = (store: ObjectStore, version: string) => Promise<RegExp>;

const damages: [string, Damage][] = [
  [
    'a missing shard',
    async (store, version) => {
      const key = (await loadManifest(store, INDEX, version)).shards[1].key;
      await store.delete(key);
      return new RegExp(`${key}: shard 1 does not exist`);
    },
  ],
  [
    'a garbage manifest',
    async (store, version) => {
      await store.put(manifestKey(INDEX, version), new TextEncoder().encode('{"not":"msgpack"}'));
      return /manifest\.msgpack: .*(not valid msgpack|format version|not a map)/;
    },
  ],
  [
    'a shard with a flipped byte',
    async (store, version) => {
      const key = (await loadManifest(store, INDEX, version)).shards[0].key;
      const bytes = (await store.get(key))!.bytes;
      bytes[Math.floor(bytes.length / 2)] ^= 0x55;
      await store.put(key, bytes);
      return new RegExp(`${key}: shard .*checksum`);
    },
  ],
  [
    'a truncated shard',
    async (store, version) => {
      const key = (await loadManifest(store, INDEX, version)).shards[0].key;
      const bytes = (await store.get(key))!.bytes;
      await store.put(key, bytes.slice(0, bytes.length - 10));
      return new RegExp(`${key}: shard 0 is \\d+ bytes, the manifest says \\d+`);
    },
  ],
  [
    'a missing asset',
    async (store, version) => {
      const key = Object.values((await loadManifest(store, INDEX, version)).encoder.assets ?? {})[0];
      await store.delete(key);
      return new RegExp(`${key}: asset ".*" does not exist`);
    },
  ],
];

describe('rollback verifies its target', () => {
  it.each(damages)('refuses a target with %s, naming it, and leaves CURRENT alone', async (_name, damage) => {
    const store = new MemoryObjectStore();
    const [old, latest] = await twoVersions(store);
    const named = await damage(store, old);
    const refused = await rollback(store, INDEX, old).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(VersionIncompleteError);
    expect((refused as Error).message).toMatch(named);
    expect((refused as Error).message).toMatch(/CURRENT was not moved/);
    expect((await readCurrent(store, INDEX))?.pointer.version).toBe(latest);
    expect(await currentVerdict(store, INDEX)).toMatchObject({ ok: true, version: latest });
  });

  it('moves CURRENT to a complete target', async () => {
    const store = new MemoryObjectStore();
    const [old, latest] = await twoVersions(store);
    expect(await rollback(store, INDEX, '1')).toEqual({ from: latest, to: old });
    expect(await currentVerdict(store, INDEX)).toMatchObject({ ok: true, version: old });
  });

  it('through the CLI: exit 1 and the missing shard named, CURRENT unchanged', async () => {
    const path = `${dir.path}/cli-store`;
    const store = new LocalFolderObjectStore(path);
    const [old, latest] = await twoVersions(store);
    const named = await damages[0][1](store, old);
    let stderr = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        stderr += chunk;
        done();
      },
    });
    const code = await main(['rollback', '--store', path, '--index', INDEX, '--to', '1'], {
      stdout: sink,
      stderr: sink,
      env: {},
      cwd: dir.path,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(named);
    expect(stderr).toMatch(/\[version_incomplete\]/);
    expect((await readCurrent(store, INDEX))?.pointer.version).toBe(latest);
  });
});
