/**
 * The ObjectStore conformance suite: one list of behaviours every backend must show, run against memory,
 * a local folder, S3 on radosgw and R2 on Miniflare (and any future backend). `makeStore` is called before
 * each test and must return an empty store (a fresh folder, or a fresh prefix of a shared bucket via
 * `prefixed`), so tests never see each other's keys. Errors are checked by class: a decorator or caller
 * that depends on PreconditionFailedError must get it from every backend.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidKeyError,
  InvalidRangeError,
  NotFoundError,
  PreconditionFailedError,
} from '../../../shared/store/errors.ts';
import type { ObjectInfo, ObjectStore } from '../../../shared/store/object-store.ts';

export interface ConformanceOptions {
  /** Size of the large-object round trip; S3 tests pick one above their multipart threshold. */
  readonly largeObjectBytes?: number;
  /** How many keys the paging test writes; more than 1,000 crosses an S3/R2 list page. */
  readonly manyKeys?: number;
  /** How many concurrent writers the race tests start. */
  readonly racers?: number;
  /**
   * How the paging test writes its many keys into the store `makeStore` returned; default `store.put`, 16
   * at a time. Miniflare's bucket seeds them from inside its Worker: each put from Node crosses a process
   * boundary (~16 ms), and the suite is about listing them, not about writing them.
   */
  readonly putMany?: (
    store: ObjectStore,
    entries: ReadonlyArray<readonly [string, Uint8Array]>,
  ) => Promise<void>;
}

/** Deterministic pseudo-random bytes (xorshift32), so a failing test fails the same way again. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

const text = (s: string) => new TextEncoder().encode(s);

/**
 * Index of the first byte where `a` and `b` differ (or their common length when one is a prefix), -1 when
 * equal. `toEqual` on megabyte arrays walks them element by element and takes seconds.
 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

/** Runs `tasks` with at most `limit` in flight (thousands of simultaneous requests would only measure queues). */
async function inParallel<T>(limit: number, tasks: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** ConformanceOptions with their defaults. */
type Settings = Required<ConformanceOptions>;

export function describeObjectStoreConformance(
  name: string,
  makeStore: () => ObjectStore | Promise<ObjectStore>,
  options: ConformanceOptions = {},
): void {
  const settings: Settings = {
    largeObjectBytes: options.largeObjectBytes ?? 3 * 1024 * 1024 + 17,
    manyKeys: options.manyKeys ?? 1_050,
    racers: options.racers ?? 6,
    putMany:
      options.putMany ??
      (async (store: ObjectStore, entries: ReadonlyArray<readonly [string, Uint8Array]>) => {
        await inParallel(
          16,
          entries.map(
            ([key, bytes]) =>
              () =>
                store.put(key, bytes),
          ),
        );
      }),
  };

  describe(`ObjectStore conformance: ${name}`, () => {
    let store: ObjectStore;
    beforeEach(async () => {
      store = await makeStore();
    });
    const storeOf = () => store;

    describePutGetHead(storeOf);
    describeBytesAndKeys(storeOf);
    describeRangeReads(storeOf);
    describeList(storeOf, settings);
    describeDelete(storeOf);
    describeConditionalPuts(storeOf, settings);
    describeLargeObjects(storeOf, settings);
  });
}

/** Round trips, overwrites, absent keys, copies at put time. */
function describePutGetHead(storeOf: () => ObjectStore): void {
  describe('put, get, head', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = storeOf();
    });

    it('round-trips bytes and reports the same info from put, get, head and list', async () => {
      const bytes = text('hello, object store');
      const written = await store.put('docs/hello.txt', bytes, { contentType: 'text/plain' });
      expect(written).toMatchObject({ key: 'docs/hello.txt', size: bytes.length });
      expect(written.etag).not.toBe('');

      const read = await store.get('docs/hello.txt');
      expect(read?.bytes).toEqual(bytes);
      expect(read?.info).toEqual(written);
      expect(await store.head('docs/hello.txt')).toEqual(written);
      expect(await store.list('docs/')).toEqual([written]);
    });

    it('overwrites: the new bytes win and the etag changes', async () => {
      const first = await store.put('k', text('first version'));
      const second = await store.put('k', text('second, longer version'));
      expect(second.etag).not.toBe(first.etag);
      expect((await store.get('k'))?.bytes).toEqual(text('second, longer version'));
      expect(await store.head('k')).toEqual(second);
    });

    it('returns null for absent keys from get and head, NotFoundError from getRange', async () => {
      expect(await store.get('absent/key')).toBeNull();
      expect(await store.head('absent/key')).toBeNull();
      await expect(store.getRange('absent/key', 0, 1)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('stores what was passed at put time, not a live view of the caller buffer', async () => {
      const bytes = text('immutable');
      await store.put('copy', bytes);
      bytes.fill(0);
      const read = await store.get('copy');
      expect(read?.bytes).toEqual(text('immutable'));
      read!.bytes.fill(1);
      expect((await store.get('copy'))?.bytes).toEqual(text('immutable'));
    });
  });
}

/** Every byte value, empty objects, views; unusual and malformed keys. */
function describeBytesAndKeys(storeOf: () => ObjectStore): void {
  describe('put, get, head: bytes and keys', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = storeOf();
    });

    it('is binary safe: every byte value, an empty object, and a subarray with an offset', async () => {
      const allBytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 7 + 3) & 0xff);
      await store.put('bin/all', allBytes);
      expect((await store.get('bin/all'))?.bytes).toEqual(allBytes);

      const empty = await store.put('bin/empty', new Uint8Array(0));
      expect(empty.size).toBe(0);
      expect((await store.get('bin/empty'))?.bytes).toEqual(new Uint8Array(0));
      expect(await store.head('bin/empty')).toEqual(empty);
      expect(await store.getRange('bin/empty', 0, 0)).toEqual(new Uint8Array(0));

      const backing = patternBytes(100, 9);
      await store.put('bin/view', backing.subarray(10, 30));
      expect((await store.get('bin/view'))?.bytes).toEqual(backing.slice(10, 30));
    });

    it('accepts keys with spaces and non-ASCII characters', async () => {
      const key = 'unicode/é ü 日本/file name (1).bin';
      const info = await store.put(key, text('ok'));
      expect(info.key).toBe(key);
      expect((await store.get(key))?.bytes).toEqual(text('ok'));
      expect((await store.list('unicode/')).map((o) => o.key)).toEqual([key]);
    });

    it('rejects malformed keys with InvalidKeyError', async () => {
      for (const key of ['', '/absolute', 'double//slash', 'trailing/', '../escape', 'a/./b']) {
        await expect(store.put(key, text('x')), key).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidKeyError);
      }
    });
  });
}

/** Range reads inside the object, of zero bytes, and refused ones. */
function describeRangeReads(storeOf: () => ObjectStore): void {
  describe('range reads', () => {
    const size = 1000;
    const bytes = patternBytes(size, 7);
    let store: ObjectStore;
    beforeEach(async () => {
      store = storeOf();
      await store.put('ranges/blob', bytes);
    });

    it('reads the start, the middle, the end and the whole object', async () => {
      expect(await store.getRange('ranges/blob', 0, 10)).toEqual(bytes.slice(0, 10));
      expect(await store.getRange('ranges/blob', 123, 456)).toEqual(bytes.slice(123, 579));
      expect(await store.getRange('ranges/blob', size - 10, 10)).toEqual(bytes.slice(size - 10));
      expect(await store.getRange('ranges/blob', 0, size)).toEqual(bytes);
      expect(await store.getRange('ranges/blob', size - 1, 1)).toEqual(bytes.slice(size - 1));
    });

    it('reads zero bytes anywhere inside the object, including at its end', async () => {
      expect(await store.getRange('ranges/blob', 0, 0)).toEqual(new Uint8Array(0));
      expect(await store.getRange('ranges/blob', size, 0)).toEqual(new Uint8Array(0));
    });

    it('throws InvalidRangeError for ranges past the end or with negative arguments', async () => {
      await expect(store.getRange('ranges/blob', size - 5, 10)).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.getRange('ranges/blob', size, 1)).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.getRange('ranges/blob', size + 100, 5)).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.getRange('ranges/blob', size + 1, 0)).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.getRange('ranges/blob', -1, 5)).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.getRange('ranges/blob', 0, -5)).rejects.toBeInstanceOf(InvalidRangeError);
      await expect(store.getRange('ranges/blob', 0.5, 5)).rejects.toBeInstanceOf(InvalidRangeError);
    });
  });
}

/** Listings: order, paging past 1,000 keys, folders one level down. */
function describeList(storeOf: () => ObjectStore, settings: Settings): void {
  const { manyKeys, putMany } = settings;
  describe('list', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = storeOf();
    });

    it('lists keys under a prefix in code-point order, with sizes and etags', async () => {
      const keys = ['a/2', 'a/1', 'a/b/3', 'ab', 'b', 'a/z~', 'a/é'];
      const written = new Map<string, ObjectInfo>();
      for (const [i, key] of keys.entries())
        written.set(key, await store.put(key, patternBytes(i + 1, i + 1)));

      const underA = await store.list('a/');
      expect(underA.map((o) => o.key)).toEqual(['a/1', 'a/2', 'a/b/3', 'a/z~', 'a/é']);
      for (const info of underA) expect(info).toEqual(written.get(info.key));

      expect((await store.list('a')).map((o) => o.key)).toEqual(['a/1', 'a/2', 'a/b/3', 'a/z~', 'a/é', 'ab']);
      expect((await store.list('a/b')).map((o) => o.key)).toEqual(['a/b/3']);
      expect((await store.list('')).map((o) => o.key)).toEqual([
        'a/1',
        'a/2',
        'a/b/3',
        'a/z~',
        'a/é',
        'ab',
        'b',
      ]);
      expect(await store.list('nothing/here/')).toEqual([]);
    });

    it(`pages through more than 1,000 keys (${manyKeys})`, async () => {
      const keys = Array.from({ length: manyKeys }, (_, i) => `many/${String(i).padStart(5, '0')}`);
      await putMany(
        store,
        keys.map((key) => [key, text(key)] as const),
      );
      await store.put('many-neighbour/x', text('not under many/'));

      const listed = await store.list('many/');
      expect(listed.length).toBe(manyKeys);
      expect(listed.map((o) => o.key)).toEqual(keys);
      expect(listed.every((o) => o.size === text(o.key).length)).toBe(true);
    });

    it('lists the folders one level below a prefix, as an S3 listing with delimiter "/"', async () => {
      for (const key of [
        'top/x/1',
        'top/x/deep/2',
        'top/y/1',
        'top/file',
        'top-neighbour/z/1',
        'other/q/1',
      ]) {
        await store.put(key, text(key));
      }
      expect(await store.listPrefixes('top/')).toEqual(['top/x/', 'top/y/']);
      expect(await store.listPrefixes('top/x/')).toEqual(['top/x/deep/']);
      expect(await store.listPrefixes('top/y/')).toEqual([]);
      expect(await store.listPrefixes('nothing/')).toEqual([]);
      // A folder whose last object is deleted is gone, as in S3 (no empty folders).
      await store.delete('top/y/1');
      expect(await store.listPrefixes('top/')).toEqual(['top/x/']);
    });
  });
}

/** Deletes, and re-creating a deleted key. */
function describeDelete(storeOf: () => ObjectStore): void {
  describe('delete', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = storeOf();
    });

    it('removes the object from get, head, getRange and list; deleting again is a no-op', async () => {
      await store.put('gone/one', text('bye'));
      await store.put('gone/two', text('stays'));
      await store.delete('gone/one');
      expect(await store.get('gone/one')).toBeNull();
      expect(await store.head('gone/one')).toBeNull();
      await expect(store.getRange('gone/one', 0, 1)).rejects.toBeInstanceOf(NotFoundError);
      expect((await store.list('gone/')).map((o) => o.key)).toEqual(['gone/two']);
      await store.delete('gone/one');
      await store.delete('never/existed');
    });

    it('allows re-creating a deleted key with If-None-Match', async () => {
      await store.put('again', text('one'));
      await store.delete('again');
      await store.put('again', text('two'), { ifNoneMatch: '*' });
      expect((await store.get('again'))?.bytes).toEqual(text('two'));
    });
  });
}

/** If-None-Match and If-Match, alone and racing. */
function describeConditionalPuts(storeOf: () => ObjectStore, settings: Settings): void {
  const { racers } = settings;
  describe('conditional puts', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = storeOf();
    });

    it('If-None-Match: * creates an absent key and refuses an existing one', async () => {
      const created = await store.put('cond/new', text('first'), { ifNoneMatch: '*' });
      await expect(store.put('cond/new', text('second'), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await store.get('cond/new'))?.bytes).toEqual(text('first'));
      expect(await store.head('cond/new')).toEqual(created);
    });

    it('If-Match replaces the object with the current etag and refuses a stale one', async () => {
      const v1 = await store.put('cond/ptr', text('v1'));
      const v2 = await store.put('cond/ptr', text('v2'), { ifMatch: v1.etag });
      expect((await store.get('cond/ptr'))?.bytes).toEqual(text('v2'));
      await expect(store.put('cond/ptr', text('v3'), { ifMatch: v1.etag })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await store.get('cond/ptr'))?.bytes).toEqual(text('v2'));
      expect(await store.head('cond/ptr')).toEqual(v2);
    });

    it('If-Match on an absent key fails', async () => {
      const other = await store.put('cond/other', text('x'));
      await expect(store.put('cond/missing', text('y'), { ifMatch: other.etag })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect(await store.head('cond/missing')).toBeNull();
    });

    it(`concurrent If-None-Match puts (${racers}): exactly one wins and its bytes are stored`, async () => {
      const results = await Promise.allSettled(
        Array.from({ length: racers }, (_, i) =>
          store.put('race/create', text(`writer ${i}`), { ifNoneMatch: '*' }),
        ),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners.length).toBe(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
      }
      expect((await store.get('race/create'))?.bytes).toEqual(text(`writer ${winners[0]}`));
    });

    it(`concurrent If-Match puts on one etag (${racers}): exactly one wins (compare-and-swap)`, async () => {
      const base = await store.put('race/swap', text('base'));
      const results = await Promise.allSettled(
        Array.from({ length: racers }, (_, i) =>
          store.put('race/swap', text(`swap ${i}`), { ifMatch: base.etag }),
        ),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners.length).toBe(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
      }
      expect((await store.get('race/swap'))?.bytes).toEqual(text(`swap ${winners[0]}`));
    });
  });
}

/** An object of `largeObjectBytes` (above the S3 multipart threshold in the S3 suite). */
function describeLargeObjects(storeOf: () => ObjectStore, settings: Settings): void {
  const { largeObjectBytes } = settings;
  describe('large objects', () => {
    let store: ObjectStore;
    beforeEach(() => {
      store = storeOf();
    });

    it(`round-trips ${largeObjectBytes} bytes and reads ranges anywhere in them`, async () => {
      const bytes = patternBytes(largeObjectBytes, 42);
      const info = await store.put('large/blob', bytes);
      expect(info.size).toBe(largeObjectBytes);
      expect(await store.head('large/blob')).toEqual(info);
      const read = await store.get('large/blob');
      expect(read?.bytes.length).toBe(largeObjectBytes);
      expect(firstDifference(read!.bytes, bytes)).toBe(-1);
      // Across the 5 MiB boundary S3 multipart parts have at their smallest, and at the very end.
      const middle = Math.min(5 * 1024 * 1024 - 100, Math.floor(largeObjectBytes / 2));
      expect(await store.getRange('large/blob', middle, 200)).toEqual(bytes.slice(middle, middle + 200));
      expect(await store.getRange('large/blob', largeObjectBytes - 3, 3)).toEqual(bytes.slice(-3));
    });
  });
}
