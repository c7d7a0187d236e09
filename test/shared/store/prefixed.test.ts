/** The prefixed view: conformance inside a prefix, relative keys out, no way out of the prefix. */
import { describe, expect, it } from 'vitest';
import { InvalidKeyError } from '../../../shared/store/errors.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { objectByteSource } from '../../../shared/store/object-source.ts';
import { normalizePrefix, prefixed } from '../../../shared/store/prefixed.ts';
import { describeObjectStoreConformance, patternBytes } from './conformance.ts';

describeObjectStoreConformance('prefixed(memory)', () => prefixed(new MemoryObjectStore(), 'tenants/acme'));

describe('prefixed', () => {
  const text = (s: string) => new TextEncoder().encode(s);

  it('writes under the prefix and answers with relative keys', async () => {
    const root = new MemoryObjectStore();
    const view = prefixed(root, 'indexes/demo/');
    const info = await view.put('v1/manifest.json', text('{}'));
    expect(info.key).toBe('v1/manifest.json');
    expect((await root.head('indexes/demo/v1/manifest.json'))?.etag).toBe(info.etag);
    expect((await view.get('v1/manifest.json'))?.info.key).toBe('v1/manifest.json');
    expect((await view.head('v1/manifest.json'))?.key).toBe('v1/manifest.json');
  });

  it('lists only its own keys, not those of a neighbour sharing the string prefix', async () => {
    const root = new MemoryObjectStore();
    await root.put('indexes/demo/a', text('1'));
    await root.put('indexes/demo2/b', text('2'));
    await root.put('indexes/demo', text('3'));
    expect((await prefixed(root, 'indexes/demo').list('')).map((o) => o.key)).toEqual(['a']);
  });

  it('refuses relative keys that would leave the prefix', async () => {
    const view = prefixed(new MemoryObjectStore(), 'jail');
    await expect(view.put('../escape', text('x'))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(view.get('/absolute')).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('normalizes prefixes to one trailing slash and rejects malformed ones', () => {
    expect(normalizePrefix('a/b')).toBe('a/b/');
    expect(normalizePrefix('a/b/')).toBe('a/b/');
    expect(normalizePrefix('/a')).toBe('a/');
    expect(normalizePrefix('')).toBe('');
    expect(() => normalizePrefix('a//b')).toThrow(InvalidKeyError);
    expect(() => normalizePrefix('a/../b')).toThrow(InvalidKeyError);
  });
});

describe('objectByteSource', () => {
  it('reads ranges of one object through the store', async () => {
    const store = new MemoryObjectStore();
    const bytes = patternBytes(64, 5);
    await store.put('shards/0', bytes);
    const source = objectByteSource(store, 'shards/0', 64);
    expect(source.name).toBe('shards/0');
    expect(source.size).toBe(64);
    expect(await source.read(60, 4)).toEqual(bytes.slice(60));
    await expect(source.read(60, 5)).rejects.toMatchObject({ code: 'invalid_range' });
  });
});
