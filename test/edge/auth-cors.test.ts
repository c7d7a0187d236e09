/**
 * Optional API keys (Bearer; only SHA-256 hashes configured) and configurable CORS, through the app.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { parseKeyHashes, sha256Hex } from '../../edge/http/api-keys.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { buildTestIndex } from './helpers/test-index.ts';

const store = new MemoryObjectStore();
beforeAll(() => buildTestIndex(store, { index: 'demo', version: 'v1', shards: 1 }));

describe('API keys', () => {
  it('hashes like sha256sum', async () => {
    // printf %s secret | sha256sum
    expect(await sha256Hex('secret')).toBe(
      '2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b',
    );
  });

  it('401 without a key or with a wrong one, 200 with a configured one; healthz stays open', async () => {
    const app = createApp({
      store,
      encoderFactory: registryEncoderFactory,
      apiKeyHashes: parseKeyHashes(`${await sha256Hex('other')}, ${await sha256Hex('k-123')}`),
    });
    const none = await app.request('/v1/indexes/demo/search?q=fox');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await none.json()) as { error: { field: string } }).error.field).toBe('authorization');
    const wrong = await app.request('/v1/indexes', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const ok = await app.request('/v1/indexes/demo/search?q=fox', {
      headers: { authorization: 'Bearer k-123' },
    });
    expect(ok.status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('rejects malformed hash configuration loudly', () => {
    expect(() => parseKeyHashes('not-a-hash')).toThrow(/64 hex characters/);
    expect(parseKeyHashes('')).toEqual([]);
  });
});

describe('CORS', () => {
  it('answers preflights and exposes the cost header for allowed origins only', async () => {
    const app = createApp({
      store,
      encoderFactory: registryEncoderFactory,
      corsOrigins: ['https://app.example'],
    });
    const preflight = await app.request('/v1/indexes/demo/search', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const res = await app.request('/v1/indexes/demo/search?q=fox', {
      headers: { origin: 'https://app.example' },
    });
    expect(res.headers.get('access-control-expose-headers')).toContain('x-csplade-cost');
    const other = await app.request('/v1/indexes/demo/search?q=fox', {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS headers when not configured', async () => {
    const app = createApp({ store, encoderFactory: registryEncoderFactory });
    const res = await app.request('/healthz', { headers: { origin: 'https://app.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
