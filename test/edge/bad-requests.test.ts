/**
 * Bad input answers 4xx with a JSON error naming the field: empty and oversized queries, wrong types,
 * k out of range, unknown fields, indexes and versions, malformed bodies. Each case goes through
 * `app.request()` against a real index, so a validation hole would reach the search code and show.
 */

import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { buildTestIndex } from './helpers/test-index.ts';

let app: Hono;

beforeAll(async () => {
  const store = new MemoryObjectStore();
  await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 2 });
  app = createApp({
    store,
    encoderFactory: registryEncoderFactory,
    limits: { maxQueryChars: 50, maxQueryTerms: 5, maxBodyBytes: 2000 },
  });
});

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string; field?: string } };
  return { status: res.status, ...body.error };
}

const post = (body: unknown, type = 'application/json') =>
  app.request('/v1/indexes/demo/search', {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST body validation', () => {
  it.each([
    [{}, 'query', /missing/],
    [{ query: '' }, 'query', /empty/],
    [{ query: '   ' }, 'query', /empty/],
    [{ query: 42 }, 'query', /must be a string, got number/],
    [{ query: 'x'.repeat(51) }, 'query', /51 characters, more than the limit of 50/],
    [{ query: 'a', vector: { a: 1 } }, 'query', /not both/],
    [{ vector: [] }, 'vector', /must be an object/],
    [{ vector: {} }, 'vector', /must not be empty/],
    [{ vector: { fox: -1 } }, 'vector.fox', /finite number >= 0/],
    [{ vector: { fox: '1' } }, 'vector.fox', /finite number >= 0/],
    [{ vector: { fox: 0 } }, 'vector', /no weight > 0/],
    [{ vector: { a: 1, b: 1, c: 1, d: 1, e: 1, f: 1 } }, 'vector', /6 terms, more than the limit of 5/],
    [{ vector: { 'no-such-token-xyz': 1 } }, 'vector.no-such-token-xyz', /neither a token/],
    [{ vector: { '99999999': 1 } }, 'vector.99999999', /neither a token/],
    [{ query: 'fox', k: 0 }, 'k', /1\.\.1000, got 0/],
    [{ query: 'fox', k: 1001 }, 'k', /1\.\.1000, got 1001/],
    [{ query: 'fox', k: 2.5 }, 'k', /must be an integer/],
    [{ query: 'fox', k: '10' }, 'k', /must be an integer/],
    [{ query: 'fox', explain: 'yes' }, 'explain', /true or false/],
    [{ query: 'fox', fields: 'title' }, 'fields', /array/],
    [{ query: 'fox', fields: ['body'] }, 'fields[0]', /unknown stored field "body"/],
    [{ query: 'fox', version: 3 }, 'version', /non-empty string/],
    [{ query: 'fox', sort: 'date' }, 'sort', /unknown field/],
    [{ query: 'one two three four five six' }, 'query', /encodes to 6 terms, more than the limit of 5/],
  ])('%j → 400 naming %s', async (body, field, message) => {
    const error = await errorOf(await post(body));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', field });
    expect(error.message).toMatch(message);
  });

  it('malformed JSON is 400 naming the body', async () => {
    expect(await errorOf(await post('{"query": '))).toMatchObject({ status: 400, field: 'body' });
    expect(await errorOf(await post('[1,2]'))).toMatchObject({ status: 400, field: 'body' });
  });

  it('a body that is not JSON is 415, an oversized one 413', async () => {
    expect(await errorOf(await post('query=fox', 'text/plain'))).toMatchObject({
      status: 415,
      field: 'content-type',
    });
    expect(await errorOf(await post({ query: 'fox', pad: 'x'.repeat(3000) }))).toMatchObject({
      status: 413,
      code: 'body_too_large',
    });
  });
});

describe('GET and lookups', () => {
  it.each([
    ['/v1/indexes/demo/search', 400, 'q'],
    ['/v1/indexes/demo/search?q=', 400, 'q'],
    ['/v1/indexes/demo/search?q=fox&k=abc', 400, 'k'],
    ['/v1/indexes/demo/search?q=fox&k=-1', 400, 'k'],
    ['/v1/indexes/demo/search?q=fox&explain=maybe', 400, 'explain'],
    ['/v1/indexes/demo/search?q=fox&fields=title,body', 400, 'fields[1]'],
    ['/v1/indexes/demo/search?q=fox&top=3', 400, 'top'],
    ['/v1/indexes/Bad_Name!/search?q=fox', 400, 'index'],
    ['/v1/indexes/nope/search?q=fox', 404, 'index'],
    ['/v1/indexes/nope', 404, 'index'],
    ['/v1/indexes/demo/search?q=fox&version=v404', 404, 'version'],
    ['/v1/indexes/demo/search?q=fox&version=..%2Fx', 400, 'version'],
  ])('%s → %i naming %s', async (path, status, field) => {
    expect(await errorOf(await app.request(path))).toMatchObject({ status, field });
  });

  it('unknown routes and methods answer JSON errors', async () => {
    expect(await errorOf(await app.request('/v2/things'))).toMatchObject({ status: 404, code: 'no_route' });
    expect(await errorOf(await app.request('/v1/indexes/demo/search', { method: 'DELETE' }))).toMatchObject({
      status: 405,
    });
  });
});

describe('numbers out of range (issue 14, case 5)', () => {
  // Raw JSON text: the numbers as a client writes them, not as JavaScript would print them.
  const vectorBody = (weight: string) => `{"vector": {"fox": ${weight}, "dog": 1}}`;

  it.each(['1e308', '3.5e38', '5e-324', '1e-46', '2e9', '1e-10', '-1e308', '1e400'])(
    'weight %s → 400 naming the term and the allowed range',
    async (weight) => {
      const res = await post(vectorBody(weight));
      const text = await res.clone().text();
      expect(text).not.toMatch(/\n\s+at |Error:/);
      const error = await errorOf(res);
      expect(error).toMatchObject({ status: 400, code: 'invalid_request', field: 'vector.fox' });
      expect(error.message).toContain('1e-9');
      expect(error.message).toContain('1e+9');
    },
  );

  it.each(['1e-9', '1e9', '0.5', '0'])('weight %s is accepted', async (weight) => {
    const res = await post(vectorBody(weight));
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it.each([
    ['{"query": "fox", "k": 1e308}', 'k'],
    ['{"query": "fox", "k": 1e400}', 'k'],
    ['{"query": "fox", "k": -0.0}', 'k'],
    ['{"query": "fox", "k": 5e-324}', 'k'],
  ])('%s → 400 naming %s', async (body, field) => {
    expect(await errorOf(await post(body))).toMatchObject({ status: 400, field });
  });

  it('a GET k of many digits is a 400, not a 500', async () => {
    for (const k of ['999999999999999999999999', '1e308', '0x10', '١٠']) {
      const res = await app.request(`/v1/indexes/demo/search?q=fox&k=${encodeURIComponent(k)}`);
      expect(await errorOf(res)).toMatchObject({ status: 400, field: 'k' });
    }
  });

  it('deeply nested values are refused without a stack overflow', async () => {
    const store = new MemoryObjectStore();
    await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 1 });
    const roomy = createApp({ store, encoderFactory: registryEncoderFactory, logError: () => {} });
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const body of [
      `{"query": "fox", "fields": [${deep}]}`,
      `{"query": "fox", "k": ${deep}}`,
      `{"vector": {"fox": ${deep}}}`,
      `{"query": "fox", "version": {"a": ${deep}}}`,
    ]) {
      const res = await roomy.request('/v1/indexes/demo/search', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status, body.slice(0, 40)).toBe(400);
    }
  });
});
