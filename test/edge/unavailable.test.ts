/**
 * When the index cannot be served it is the service's fault, never the caller's (issue 14, cases 6 and 9):
 * the store failing while CURRENT is read, and a CURRENT overwritten with garbage — bytes that are no
 * pointer, or a pointer naming a version or manifest that cannot be read — answer 503 with Retry-After and
 * a typed JSON error ("index_unavailable" for a broken CURRENT), not 500 and not a 4xx blaming the request.
 * A pinned version the index lacks stays the caller's 404.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { currentKey, manifestKey } from '../../shared/index/layout.ts';
import { encodeCurrentPointer } from '../../shared/index/manifest-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { type StallingStore, stallingStore } from './helpers/stalling-store.ts';
import { buildTestIndex } from './helpers/test-index.ts';

let memory: MemoryObjectStore;
let store: StallingStore;
const logged: unknown[] = [];

beforeEach(async () => {
  memory = new MemoryObjectStore();
  await buildTestIndex(memory, { index: 'demo', version: 'v1', shards: 2 });
  store = stallingStore(memory);
  logged.length = 0;
});

const app = () =>
  createApp({ store, encoderFactory: registryEncoderFactory, logError: (e) => void logged.push(e) });

async function answer(path: string) {
  const res = await app().request(path);
  return { res, body: (await res.json()) as { error: { code: string; message: string; field?: string } } };
}

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('the store failing while CURRENT is read (case 6)', () => {
  it.each(['/v1/indexes/demo/search?q=fox', '/v1/indexes/demo'])(
    '%s → 503 with Retry-After',
    async (path) => {
      store.stall(/\/CURRENT$/, 'unavailable');
      const { res, body } = await answer(path);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(body.error.code).toBe('store_unavailable');
      expect(body.error.field).toBeUndefined();
      expect(logged).toEqual([]);
    },
  );

  it('the listing failing → 503', async () => {
    store.stall(/^indexes\/$/, 'unavailable');
    const { res, body } = await answer('/v1/indexes');
    expect(res.status).toBe(503);
    expect(body.error.code).toBe('store_unavailable');
  });
});

describe('CURRENT overwritten with garbage (case 9)', () => {
  it.each([
    ['binary noise', new Uint8Array([0, 159, 146, 150, 255, 1, 2])],
    ['text that is no JSON', utf8('this is not a pointer\n')],
    ['JSON without the fields', utf8('{"hello": "world"}')],
    ['a version id no version can have', utf8('{"version": "../../etc", "manifestKey": "x"}')],
    [
      'a manifest key outside the layout',
      utf8('{"version": "v1", "manifestKey": "../escape/manifest.msgpack", "updatedAt": ""}'),
    ],
    [
      'a version that does not exist',
      encodeCurrentPointer({ version: 'v9', manifestKey: manifestKey('demo', 'v9'), updatedAt: '' }),
    ],
    [
      'a manifest that is garbage',
      encodeCurrentPointer({ version: 'v2', manifestKey: manifestKey('demo', 'v2'), updatedAt: '' }),
    ],
  ])('%s → 503 index_unavailable naming CURRENT, nothing blamed on the request', async (_, bytes) => {
    await memory.put(manifestKey('demo', 'v2'), utf8('not msgpack of a manifest'));
    await memory.put(currentKey('demo'), bytes);
    for (const path of ['/v1/indexes/demo/search?q=fox', '/v1/indexes/demo']) {
      const { res, body } = await answer(path);
      expect(res.status, JSON.stringify(body)).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(body.error.code).toBe('index_unavailable');
      expect(body.error.message).toContain('indexes/demo/CURRENT');
      expect(body.error.field).toBeUndefined();
    }
    expect(logged).toEqual([]);
  });

  it('a pinned version the index lacks is still the caller’s 404', async () => {
    const { res, body } = await answer('/v1/indexes/demo/search?q=fox&version=v404');
    expect(res.status).toBe(404);
    expect(body.error).toMatchObject({ code: 'unknown_version', field: 'version' });
  });

  it('a repaired CURRENT serves again', async () => {
    const a = app();
    const good = (await memory.get(currentKey('demo')))!.bytes;
    await memory.put(currentKey('demo'), utf8('garbage'));
    expect((await a.request('/v1/indexes/demo/search?q=fox')).status).toBe(503);
    await memory.put(currentKey('demo'), good);
    expect((await a.request('/v1/indexes/demo/search?q=fox')).status).toBe(200);
  });
});
