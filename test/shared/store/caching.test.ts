/**
 * The caching decorator over a counted memory store: what it serves without a request, what it evicts
 * (least recently used, by bytes), what it never caches, and that concurrent identical reads share one
 * request. The conformance suite runs on it too: a cache must not change what a store means.
 */
import { describe, expect, it } from 'vitest';
import { caching } from '../../../shared/store/caching.ts';
import { counting } from '../../../shared/store/counting.ts';
import { InvalidRangeError, NotFoundError } from '../../../shared/store/errors.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { describeObjectStoreConformance, patternBytes } from './conformance.ts';

describeObjectStoreConformance('caching(memory)', () =>
  caching(new MemoryObjectStore(), { maxBytes: 1 << 20 }),
);

async function setup(maxBytes = 10_000, isImmutable?: (key: string) => boolean) {
  const inner = counting(new MemoryObjectStore());
  const store = caching(inner, { maxBytes, isImmutable });
  const requests = () => inner.counts().total.requests;
  return { inner, store, requests };
}

describe('caching', () => {
  it('serves a second get, and ranges inside the object, without a request', async () => {
    const { inner, store, requests } = await setup();
    const bytes = patternBytes(1000, 3);
    await inner.put('shard', bytes);
    inner.reset();
    const first = await store.get('shard');
    const second = await store.get('shard');
    expect(second).toEqual(first);
    expect(await store.getRange('shard', 100, 50)).toEqual(bytes.slice(100, 150));
    expect(await store.head('shard')).toEqual(first!.info);
    expect(requests()).toBe(1);
    expect(store.stats()).toMatchObject({ hits: 3, misses: 1, entries: 1, bytes: 1000 });
  });

  it('serves a range contained in a cached range, and fetches one that is not', async () => {
    const { inner, store, requests } = await setup();
    const bytes = patternBytes(1000, 4);
    await inner.put('shard', bytes);
    inner.reset();
    await store.getRange('shard', 800, 200); // e.g. the hot region at the end
    expect(await store.getRange('shard', 850, 100)).toEqual(bytes.slice(850, 950));
    expect(requests()).toBe(1);
    expect(await store.getRange('shard', 700, 200)).toEqual(bytes.slice(700, 900)); // straddles: a new read
    expect(requests()).toBe(2);
  });

  it('evicts the least recently used entries to stay within maxBytes', async () => {
    const { inner, store, requests } = await setup(250);
    for (const key of ['a', 'b', 'c']) await inner.put(key, patternBytes(100, key.charCodeAt(0)));
    inner.reset();
    await store.get('a');
    await store.get('b');
    await store.get('a'); // a is now more recent than b
    await store.get('c'); // 300 > 250: b goes
    expect(store.stats()).toMatchObject({ entries: 2, bytes: 200, evictions: 1 });
    const before = requests();
    await store.get('a');
    await store.get('c');
    expect(requests()).toBe(before);
    await store.get('b');
    expect(requests()).toBe(before + 1);
  });

  it('does not cache objects larger than the whole budget', async () => {
    const { inner, store, requests } = await setup(50);
    await inner.put('big', patternBytes(100));
    inner.reset();
    await store.get('big');
    await store.get('big');
    expect(requests()).toBe(2);
    expect(store.stats().bytes).toBe(0);
  });

  it('passes mutable keys through untouched', async () => {
    const { inner, store, requests } = await setup(10_000, (key) => !key.endsWith('CURRENT'));
    await inner.put('idx/CURRENT', new TextEncoder().encode('v1'));
    inner.reset();
    await store.get('idx/CURRENT');
    await inner.put('idx/CURRENT', new TextEncoder().encode('v2'));
    expect((await store.get('idx/CURRENT'))?.bytes).toEqual(new TextEncoder().encode('v2'));
    expect(requests()).toBe(3);
  });

  it('shares one request among identical reads in flight', async () => {
    const { inner, store, requests } = await setup();
    await inner.put('shard', patternBytes(500));
    inner.reset();
    const reads = await Promise.all(Array.from({ length: 5 }, () => store.getRange('shard', 10, 100)));
    for (const read of reads) expect(read).toEqual(patternBytes(500).slice(10, 110));
    expect(requests()).toBe(1);
    expect(store.stats()).toMatchObject({ misses: 1, joined: 4 });
  });

  it('hands out copies by default, views of the cached bytes with shareBytes', async () => {
    const inner = new MemoryObjectStore();
    await inner.put('k', patternBytes(100));
    const copying = caching(inner, { maxBytes: 1000 });
    (await copying.getRange('k', 0, 10)).fill(0);
    expect(await copying.getRange('k', 0, 10)).toEqual(patternBytes(100).slice(0, 10));
    const sharing = caching(inner, { maxBytes: 1000, shareBytes: true });
    const first = (await sharing.get('k'))!.bytes;
    const view = await sharing.getRange('k', 20, 10);
    expect(view.buffer).toBe(first.buffer);
    expect(view.byteOffset).toBe(first.byteOffset + 20);
  });

  it('caches neither absence nor errors', async () => {
    const { inner, store, requests } = await setup();
    expect(await store.get('later')).toBeNull();
    await expect(store.getRange('later', 0, 1)).rejects.toBeInstanceOf(NotFoundError);
    await inner.put('later', patternBytes(10));
    expect((await store.get('later'))?.bytes.length).toBe(10);
    expect(requests()).toBe(4);
  });

  it('knows the size of cached whole objects: ranges past the end fail without a request', async () => {
    const { inner, store, requests } = await setup();
    await inner.put('k', patternBytes(10));
    await store.get('k');
    inner.reset();
    await expect(store.getRange('k', 5, 10)).rejects.toBeInstanceOf(InvalidRangeError);
    expect(requests()).toBe(0);
  });

  it('drops a key on put and delete through it, even when a read raced the write', async () => {
    const { store } = await setup();
    await store.put('k', patternBytes(10, 1));
    const racingRead = store.get('k');
    await store.put('k', patternBytes(10, 2));
    await racingRead;
    expect((await store.get('k'))?.bytes).toEqual(patternBytes(10, 2));
    await store.delete('k');
    expect(await store.get('k')).toBeNull();
    expect(await store.head('k')).toBeNull();
  });
});
