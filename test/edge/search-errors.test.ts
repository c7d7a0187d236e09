/**
 * The search layer's errors (edge/search/errors.ts) as the routes answer them: every way a search fails in
 * the catalog, the query codec or the search service — an index or version that does not exist, a name or
 * id that cannot be one, a manifest that cannot be read, a vector key the vocabulary lacks, a query over
 * the term limit, a mode or a text field the version cannot serve, a filter on a field it does not know —
 * pinned to the exact status, Retry-After and response bytes, alone and inside a multi-search. The search
 * layer throws no HTTP error; toApiError (edge/http/api-error.ts) is where these become what is pinned here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../edge/app.ts';
import { toApiError } from '../../edge/http/api-error.ts';
import {
  IndexUnavailableError,
  InvalidSearchFieldError,
  SearchTargetNotFoundError,
} from '../../edge/search/errors.ts';
import { registryEncoderFactory } from '../../edge/search/query-codec.ts';
import { manifestKey } from '../../shared/index/layout.ts';
import { MemoryObjectStore } from '../../shared/store/memory.ts';
import { buildTestIndex } from './helpers/test-index.ts';

const store = new MemoryObjectStore();

beforeAll(async () => {
  await buildTestIndex(store, { index: 'demo', version: 'v1', shards: 2 });
  await buildTestIndex(store, { index: 'plain', version: 'v1', approximate: false });
  // A version whose manifest is not a manifest, and one whose manifest describes another version.
  await store.put(manifestKey('demo', 'v2'), new TextEncoder().encode('not msgpack of a manifest'));
  const v1 = await store.get(manifestKey('demo', 'v1'));
  await store.put(manifestKey('demo', 'v3'), v1!.bytes);
});

const app = () =>
  createApp({
    store,
    encoderFactory: registryEncoderFactory,
    limits: { maxQueryTerms: 3 },
    logError: () => {},
  });

const post = (path: string, body: unknown) =>
  app().request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** [what, request, status, Retry-After, exact body]. */
const CASES: [string, () => Response | Promise<Response>, number, string | null, string][] = [
  [
    'an index that does not exist',
    () => app().request('/v1/indexes/nope/search?q=fox'),
    404,
    null,
    '{"error":{"code":"unknown_index","message":"index \\"nope\\" does not exist (no indexes/nope/CURRENT)","field":"index"}}',
  ],
  [
    'a name no index can have',
    () => app().request('/v1/indexes/No%20Such/search?q=fox'),
    400,
    null,
    '{"error":{"code":"invalid_request","message":"index: \\"No Such\\" is not a valid index name (lowercase letters, digits, \\".\\", \\"_\\", \\"-\\")","field":"index"}}',
  ],
  [
    'a version the index lacks',
    () => app().request('/v1/indexes/demo/search?q=fox&version=v9'),
    404,
    null,
    '{"error":{"code":"unknown_version","message":"index \\"demo\\" has no version \\"v9\\"","field":"version"}}',
  ],
  [
    'an id no version can have',
    () => post('/v1/indexes/demo/search', { query: 'fox', version: '-v1' }),
    400,
    null,
    '{"error":{"code":"invalid_request","message":"version: \\"-v1\\" is not a valid version id","field":"version"}}',
  ],
  [
    'a manifest that cannot be read',
    () => app().request('/v1/indexes/demo/search?q=fox&version=v2'),
    503,
    '1',
    '{"error":{"code":"corrupt_manifest","message":"the manifest of demo v2 cannot be read"}}',
  ],
  [
    'a manifest of another version',
    () => app().request('/v1/indexes/demo/search?q=fox&version=v3'),
    503,
    '1',
    '{"error":{"code":"corrupt_manifest","message":"manifest indexes/demo/versions/v3/manifest.msgpack describes demo v1, not demo v3"}}',
  ],
  [
    'a vector key the vocabulary lacks',
    () => post('/v1/indexes/demo/search', { vector: { zzqxjv: 1 } }),
    400,
    null,
    '{"error":{"code":"invalid_request","message":"vector.zzqxjv: is neither a token of the index vocabulary nor a term id in 0..30521","field":"vector.zzqxjv"}}',
  ],
  [
    'a text query over the term limit',
    () => post('/v1/indexes/demo/search', { query: 'quick brown fox jumps' }),
    400,
    null,
    '{"error":{"code":"invalid_request","message":"query: encodes to 4 terms, more than the limit of 3","field":"query"}}',
  ],
  [
    'approximate mode on a version without approximate files',
    () => post('/v1/indexes/plain/search', { query: 'fox', mode: 'approximate' }),
    400,
    null,
    '{"error":{"code":"invalid_request","message":"mode: plain v1 was built without approximate-search files (csplade index --no-approximate); use mode \\"exact\\"","field":"mode"}}',
  ],
  [
    'a snippet from a version that stores no text',
    () => post('/v1/indexes/demo/search', { query: 'fox', snippet: true }),
    400,
    null,
    '{"error":{"code":"invalid_request","message":"snippet: demo v1 stores no text (build it with csplade index --store-text)","field":"snippet"}}',
  ],
  [
    'a filter on a field the version does not declare',
    () => post('/v1/indexes/demo/search', { query: 'fox', filter: { lang: 'en' } }),
    400,
    null,
    '{"error":{"code":"invalid_request","message":"filter.lang: unknown field: this index declares no filterable fields (csplade index --filterable)","field":"filter.lang"}}',
  ],
];

describe('search errors answer exactly as they always have', () => {
  it.each(CASES)('%s', async (_, request, status, retryAfter, body) => {
    const res = await request();
    const text = await res.text();
    expect(res.status).toBe(status);
    expect(res.headers.get('retry-after')).toBe(retryAfter);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(text).toBe(body);
  });

  it('inside a multi-search: each failing search is its own entry, with the same status and body', async () => {
    const res = await post('/v1/msearch', {
      searches: [
        { index: 'demo', query: 'fox', k: 1, fields: [] },
        { index: 'nope', query: 'fox' },
        { index: 'demo', query: 'fox', version: 'v2' },
      ],
    });
    const body = (await res.json()) as { responses: Record<string, unknown>[] };
    expect(res.status).toBe(200);
    expect(body.responses.map((r) => r.status)).toEqual([200, 404, 503]);
    expect(body.responses.slice(1)).toEqual([
      {
        status: 404,
        error: {
          code: 'unknown_index',
          message: 'index "nope" does not exist (no indexes/nope/CURRENT)',
          field: 'index',
        },
      },
      { status: 503, error: { code: 'corrupt_manifest', message: 'the manifest of demo v2 cannot be read' } },
    ]);
  });
});

describe('toApiError, the one mapping from search errors to HTTP', () => {
  it('maps each kind to its status, keeping code, message and field', () => {
    const invalid = toApiError(new InvalidSearchFieldError('vector.x', 'is unknown'));
    expect([invalid.status, invalid.toBody()]).toEqual([
      400,
      { error: { code: 'invalid_request', message: 'vector.x: is unknown', field: 'vector.x' } },
    ]);
    const missing = toApiError(new SearchTargetNotFoundError('unknown_version', 'no v9', 'version'));
    expect([missing.status, missing.toBody(), missing.headers()]).toEqual([
      404,
      { error: { code: 'unknown_version', message: 'no v9', field: 'version' } },
      {},
    ]);
    const cause = new Error('disk on fire');
    const down = toApiError(new IndexUnavailableError('encoder_unavailable', 'cannot build', { cause }));
    expect([down.status, down.toBody(), down.headers(), down.cause]).toEqual([
      503,
      { error: { code: 'encoder_unavailable', message: 'cannot build' } },
      { 'retry-after': '1' },
      cause,
    ]);
  });
});
