/** openStore / parseStoreUrl: which backend a location names, and the errors for ones it cannot open. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreConfigError } from '../../../shared/store/errors.ts';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { openStore, parseStoreUrl } from '../../../shared/store/open.node.ts';

const folder = await mkdtemp(join(tmpdir(), 'csplade-open-'));
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('parseStoreUrl', () => {
  it('reads folders, file URLs, s3 URLs and memory', () => {
    expect(parseStoreUrl('/data/idx')).toEqual({ kind: 'folder', path: '/data/idx' });
    expect(parseStoreUrl('out/idx')).toEqual({ kind: 'folder', path: resolve('out/idx') });
    expect(parseStoreUrl('file:///data/my%20idx')).toEqual({ kind: 'folder', path: '/data/my idx' });
    expect(parseStoreUrl('s3://my-bucket/indexes/prod')).toEqual({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'indexes/prod',
    });
    expect(parseStoreUrl('s3://my-bucket')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(parseStoreUrl('memory:')).toEqual({ kind: 'memory' });
  });

  it('names the problem for unknown schemes, bad bucket names and empty locations', () => {
    expect(() => parseStoreUrl('gs://bucket/x')).toThrow(StoreConfigError);
    expect(() => parseStoreUrl('gs://bucket/x')).toThrow(/unknown scheme "gs:\/\/"/);
    expect(() => parseStoreUrl('s3://Bad_Bucket/x')).toThrow(/not a valid S3 bucket name/);
    expect(() => parseStoreUrl('')).toThrow(StoreConfigError);
  });
});

describe('openStore', () => {
  it('opens a folder path and a file URL as the same local folder', async () => {
    const byPath = openStore(folder);
    expect(byPath).toBeInstanceOf(LocalFolderObjectStore);
    await byPath.put('a/b', new TextEncoder().encode('x'));
    expect(await readFile(join(folder, 'a', 'b'), 'utf8')).toBe('x');
    const byUrl = openStore(pathToFileURL(folder).href);
    expect((await byUrl.get('a/b'))?.bytes).toEqual(new TextEncoder().encode('x'));
  });

  it('opens memory: as a fresh in-memory store', () => {
    expect(openStore('memory:')).toBeInstanceOf(MemoryObjectStore);
  });
});
