/**
 * fast-check arbitraries for hostile HTTP requests to the search API: random and odd methods, paths
 * near and far from the routes (percent-encodings broken or not, dot segments, long segments), query
 * strings, headers (Host, content types, odd bytes), and bodies — valid search requests, the same
 * mutated byte by byte or cut short, malformed JSON, huge and tiny numbers, deep nesting, other
 * encodings (UTF-16, a BOM, invalid UTF-8), sizes around the body limit, sent whole, chunked, slowly or
 * stalled. A request is plain data (`FuzzRequest`), so a failing one prints as it was sent.
 */
import fc from 'fast-check';

export interface FuzzBody {
  readonly bytes: Uint8Array;
  /** Sent chunked in pieces of this size (0: whole, with Content-Length). */
  readonly chunkBytes: number;
  /** Pause before each chunk (ms). */
  readonly delayMs: number;
  /** Stop sending after this many bytes and hold the connection open (a stalled client). */
  readonly stallAfter?: number;
}

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: FuzzBody;
  /** What the generator meant to send, for reports. */
  readonly kind: string;
}

export interface FuzzTargets {
  /** An index that exists in the store. */
  readonly index: string;
  /** Words of its documents (so some generated queries hit). */
  readonly words: readonly string[];
  /** The body limit of the servers under test. */
  readonly maxBodyBytes: number;
}

const utf8 = new TextEncoder();

/** Numbers a parser or a float32 conversion may choke on, and ordinary ones. */
const oddNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, 3.5e38, 3.4e38, 5e-324, 1e-46, 1e-9, 1e9, 2 ** 53, -0, 0, 1, 0.5, 1e-300),
);
/** Number literals as text: what JSON.stringify cannot write (1e400, -0.0, 1E+2, 00, .5, NaN). */
const numberLiteral = fc.oneof(
  oddNumber.map((n) => (Number.isFinite(n) ? String(n) : '1e999')),
  fc.constantFrom(
    '1e400',
    '-1e400',
    '-0.0',
    '1E+2',
    '00',
    '.5',
    '5.',
    'NaN',
    'Infinity',
    '0x10',
    '1_000',
    '+1',
    '9'.repeat(400),
  ),
);

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'FOO',
  'M-SEARCH',
  'get',
];

function pathArbitrary(t: FuzzTargets): fc.Arbitrary<string> {
  const known = fc.constantFrom(
    `/v1/indexes/${t.index}/search`,
    `/v1/indexes/${t.index}`,
    '/v1/indexes',
    '/v1/indexes/absent/search',
    '/healthz',
    '/readyz',
    '/openapi.json',
    '/',
  );
  const segment = fc.oneof(
    fc.constantFrom(
      'v1',
      'indexes',
      t.index,
      'search',
      '..',
      '.',
      '',
      '%2e%2e',
      '%2F',
      '%00',
      '%zz',
      '%E0%A4%A',
      '%C0%AF',
      '~',
      '*',
      'Bad_Name!',
      'a'.repeat(300),
    ),
    fc.string({ unit: 'binary-ascii', maxLength: 12 }).map((s) => encodeURIComponent(s)),
    fc.string({ maxLength: 6 }).map((s) => encodeURIComponent(s)),
  );
  const mutated = fc
    .array(segment, { minLength: 0, maxLength: 6 })
    .map((segments) => `/${segments.join('/')}`);
  return fc
    .tuple(
      fc.oneof({ weight: 3, arbitrary: known }, { weight: 1, arbitrary: mutated }),
      fc.option(queryString(t)),
    )
    .map(([path, q]) => (q === null ? path : `${path}?${q}`));
}

/** A query string: search parameters with plausible and hostile values, or broken encodings. */
function queryString(t: FuzzTargets): fc.Arbitrary<string> {
  const queryValue = fc.oneof(
    fc.constantFrom(
      'fox',
      'brown fox',
      '',
      ' ',
      '1',
      '0',
      '-1',
      '1e308',
      '1001',
      'true',
      'maybe',
      'title,url',
      'title,body',
      'metadata',
      'v1',
      '..%2Fx',
    ),
    numberLiteral,
    fc.constantFrom(...t.words),
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
  );
  const query = fc
    .array(
      fc.tuple(
        fc.constantFrom('q', 'k', 'fields', 'version', 'explain', 'debug', 'top', 'q', 'k', '__proto__', ''),
        queryValue,
      ),
      {
        maxLength: 5,
      },
    )
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
  const rawQuery = fc.constantFrom(
    '%zz',
    'q=%',
    'q=%E0%A4%A',
    'q=a&&&k',
    '=&=',
    `q=${'%41'.repeat(3000)}`,
    'q=fox&k=1&k=2',
  );
  const search = fc
    .record(
      {
        q: fc.oneof(
          fc.array(fc.constantFrom(...t.words), { minLength: 1, maxLength: 5 }).map((w) => w.join(' ')),
          queryValue,
        ),
        k: fc.oneof(fc.integer({ min: 1, max: 1000 }).map(String), queryValue),
        fields: fc.oneof(fc.constantFrom('title', 'title,url,metadata', 'url'), queryValue),
        explain: fc.oneof(fc.constantFrom('1', 'true', '0'), queryValue),
        debug: fc.oneof(fc.constantFrom('1', 'false'), queryValue),
      },
      { requiredKeys: ['q'] },
    )
    .map((params) => new URLSearchParams(params as Record<string, string>).toString());
  return fc.oneof(
    { weight: 3, arbitrary: search },
    { weight: 2, arbitrary: query },
    { weight: 1, arbitrary: rawQuery },
  );
}

const headerValue = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  fc.constantFrom('', ' ', 'ünïcode', '\u00ff\u0080', 'x'.repeat(2000)),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/json-patch+json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
);

function headersArbitrary(): fc.Arbitrary<Record<string, string>> {
  return fc
    .record(
      {
        'content-type': contentType,
        host: fc.constantFrom('evil.example', 'localhost:1', '[::1]:99', 'a'.repeat(200), ''),
        authorization: fc.constantFrom('Bearer x', 'Basic Zm9vOmJhcg==', 'Bearer', ''),
        accept: fc.constantFrom('application/json', '*/*', 'text/html'),
        'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x-unknown'),
        origin: fc.constantFrom('https://a.example', 'null'),
        'x-fuzz': headerValue,
        'content-encoding': fc.constantFrom('gzip', 'identity', 'x-unknown'),
      },
      { requiredKeys: [] },
    )
    .map((h) => Object.fromEntries(Object.entries(h).filter(([k, v]) => !(k === 'host' && v === ''))));
}

/** A search request body as a value (may be invalid in every way the API must reject). */
function searchValue(t: FuzzTargets): fc.Arbitrary<unknown> {
  const text = fc.oneof(
    fc.array(fc.constantFrom(...t.words), { minLength: 1, maxLength: 6 }).map((w) => w.join(' ')),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom('', ' ', 'x'.repeat(5000)),
  );
  const vectorKey = fc.oneof(
    fc.constantFrom(...t.words),
    fc.integer({ min: 0, max: 40_000 }).map((n) => `#${n}`),
    fc.integer({ min: 0, max: 40_000 }).map(String),
    fc.constantFrom('#-1', '#1e3', '#', '__proto__', 'constructor', '', '#99999999999'),
    fc.string({ maxLength: 10 }),
  );
  const vector = fc.oneof(
    fc.dictionary(vectorKey, oddNumber, { maxKeys: 8 }),
    fc.dictionary(vectorKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const any = fc.jsonValue({ maxDepth: 3 });
  return fc.record(
    {
      query: fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: any }),
      vector,
      k: fc.oneof(fc.integer({ min: -5, max: 1200 }), oddNumber, any),
      version: fc.oneof(fc.constantFrom('v1', 'v2', '', '../x', 'v'.repeat(200)), any),
      fields: fc.oneof(fc.subarray(['title', 'url', 'metadata', 'body', 'title']), any),
      explain: fc.oneof(fc.boolean(), any),
      debug: fc.oneof(fc.boolean(), any),
      mode: any,
    },
    { requiredKeys: [] },
  );
}

/** Replaces every JSON number of `json` that fc picked with a literal JSON.stringify cannot write. */
function withOddLiterals(json: string, literals: readonly string[]): string {
  let i = 0;
  return json.replace(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g, (m) => (i < literals.length ? literals[i++] : m));
}

function mutate(bytes: Uint8Array, edits: readonly [number, number, number][]): Uint8Array {
  let out = Array.from(bytes);
  for (const [kind, at, value] of edits) {
    const pos = out.length === 0 ? 0 : at % (out.length + 1);
    if (kind === 0) out.splice(pos, 1);
    else if (kind === 1) out.splice(pos, 0, value);
    else if (kind === 2 && out.length > 0) out[pos % out.length] = value;
    else out = out.slice(0, pos);
  }
  return Uint8Array.from(out);
}

function bodyBytesArbitrary(t: FuzzTargets): fc.Arbitrary<{ bytes: Uint8Array; kind: string }> {
  const valid = searchValue(t).map((v) => ({ bytes: utf8.encode(JSON.stringify(v)), kind: 'search value' }));
  const wellFormed = fc
    .record(
      {
        query: fc.array(fc.constantFrom(...t.words), { minLength: 1, maxLength: 8 }).map((w) => w.join(' ')),
        k: fc.integer({ min: 1, max: 1000 }),
        fields: fc.subarray(['title', 'url', 'metadata']),
        explain: fc.boolean(),
        debug: fc.boolean(),
        version: fc.constant('v1'),
      },
      { requiredKeys: ['query'] },
    )
    .map((v) => ({ bytes: utf8.encode(JSON.stringify(v)), kind: 'well-formed search' }));
  const literals = fc.tuple(searchValue(t), fc.array(numberLiteral, { maxLength: 4 })).map(([v, lits]) => ({
    bytes: utf8.encode(withOddLiterals(JSON.stringify(v), lits)),
    kind: 'odd number literals',
  }));
  const mutated = fc
    .tuple(
      searchValue(t),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 6,
      }),
    )
    .map(([v, edits]) => ({ bytes: mutate(utf8.encode(JSON.stringify(v)), edits), kind: 'mutated JSON' }));
  const nested = fc
    .tuple(
      fc.integer({ min: 1, max: 60_000 }),
      fc.constantFrom('[', '{"a":', '{"vector":', '{"query":"x","fields":'),
      fc.boolean(),
    )
    .map(([depth, open, closed]) => {
      const close = open === '[' ? ']' : '}';
      const inner = open === '[' ? '' : '1';
      const text = `${open.repeat(depth)}${inner}${closed ? close.repeat(depth) : ''}`;
      return {
        bytes: utf8.encode(text.length > 2 * t.maxBodyBytes ? text.slice(0, 2 * t.maxBodyBytes) : text),
        kind: `nested ${depth}`,
      };
    });
  const encodings = fc
    .tuple(
      searchValue(t),
      fc.constantFrom('utf16le', 'bom', 'latin1', 'invalid-utf8', 'nul', 'lone-surrogate'),
    )
    .map(([v, how]) => {
      const json = JSON.stringify(v);
      let bytes: Uint8Array;
      if (how === 'utf16le') {
        bytes = new Uint8Array(json.length * 2);
        for (let i = 0; i < json.length; i++) {
          bytes[2 * i] = json.charCodeAt(i) & 0xff;
          bytes[2 * i + 1] = json.charCodeAt(i) >> 8;
        }
      } else if (how === 'bom') bytes = utf8.encode(`\ufeff${json}`);
      else if (how === 'latin1') bytes = Uint8Array.from(json, (c) => c.charCodeAt(0) & 0xff);
      else if (how === 'invalid-utf8')
        bytes = Uint8Array.from([
          ...utf8.encode('{"query":"'),
          0xc0,
          0xaf,
          0xed,
          0xa0,
          0x80,
          0xff,
          ...utf8.encode('"}'),
        ]);
      else if (how === 'nul') bytes = utf8.encode(`${json}\u0000`);
      else bytes = utf8.encode('{"query":"\\ud800 fox \\udfff"}');
      return { bytes, kind: `encoding ${how}` };
    });
  const sized = fc
    .tuple(fc.integer({ min: -64, max: 64 }), fc.constantFrom(0.5, 1, 1, 4))
    .map(([delta, factor]) => {
      const size = Math.max(20, Math.round(t.maxBodyBytes * factor) + delta);
      const head = utf8.encode('{"query": "fox", "version": "');
      const bytes = new Uint8Array(size).fill(0x61);
      bytes.set(head, 0);
      bytes.set(utf8.encode('"}'), size - 2);
      return { bytes, kind: `size ${size}` };
    });
  const garbage = fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ bytes, kind: 'random bytes' }));
  const json = fc
    .jsonValue({ maxDepth: 4 })
    .map((v) => ({ bytes: utf8.encode(JSON.stringify(v) ?? 'null'), kind: 'any JSON' }));
  return fc.oneof(
    { weight: 4, arbitrary: wellFormed },
    { weight: 6, arbitrary: valid },
    { weight: 3, arbitrary: literals },
    { weight: 4, arbitrary: mutated },
    { weight: 2, arbitrary: nested },
    { weight: 2, arbitrary: encodings },
    { weight: 1, arbitrary: sized },
    { weight: 2, arbitrary: garbage },
    { weight: 2, arbitrary: json },
  );
}

/** How a body is sent: whole, chunked, slowly, or stalled (never ended). */
function deliveryArbitrary(): fc.Arbitrary<Delivery> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ chunkBytes: 0, delayMs: 0 }) },
    {
      weight: 3,
      arbitrary: fc.record({ chunkBytes: fc.integer({ min: 1, max: 65_536 }), delayMs: fc.constant(0) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        chunkBytes: fc.integer({ min: 1, max: 64 }),
        delayMs: fc.integer({ min: 1, max: 5 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        chunkBytes: fc.constant(8),
        delayMs: fc.constant(0),
        stallAfter: fc.integer({ min: 0, max: 16 }),
      }),
    },
  );
}

type Delivery = { chunkBytes: number; delayMs: number; stallAfter?: number };

function withBodyRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: { bytes: Uint8Array; kind: string },
  delivery: Delivery,
  maxBodyBytes: number,
): FuzzRequest {
  const limitedBody =
    body.bytes.length > 4 * maxBodyBytes ? body.bytes.subarray(0, 4 * maxBodyBytes) : body.bytes;
  // Slow deliveries get short bodies in at most 20 chunks (≤ 100 ms: well within the servers' body
  // deadline, so that they are answered, not cut off), fast ones at most 2,000 chunks.
  const slow = delivery.delayMs > 0;
  const bytes = slow ? limitedBody.subarray(0, 256) : limitedBody;
  const pieces = slow ? 20 : 2_000;
  const chunkBytes =
    delivery.chunkBytes === 0 ? 0 : Math.max(delivery.chunkBytes, Math.ceil(bytes.length / pieces));
  const stalled = delivery.stallAfter !== undefined;
  return {
    method,
    path,
    headers,
    body: { bytes, ...delivery, chunkBytes },
    kind: `${body.kind}${chunkBytes ? `, chunked ${chunkBytes}${slow ? ` every ${delivery.delayMs} ms` : ''}` : ''}${stalled ? ', stalled' : ''}`,
  };
}

/** Requests against `t`; a stalled body waits for the servers' body deadline (a 408). */
export function fuzzRequest(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const withBody = fc
    .tuple(
      fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'FOO'),
      pathArbitrary(t),
      headersArbitrary(),
      bodyBytesArbitrary(t),
      deliveryArbitrary(),
    )
    .map(([method, path, headers, body, delivery]) =>
      withBodyRequest(method, path, headers, body, delivery, t.maxBodyBytes),
    );
  const withoutBody = fc
    .tuple(fc.constantFrom(...METHODS), pathArbitrary(t), headersArbitrary())
    .map(([method, path, headers]) => ({ method, path, headers, kind: 'no body' }));
  // The routes that do the work, called as documented but with hostile content.
  const searchPath = fc.oneof(
    { weight: 8, arbitrary: fc.constant(`/v1/indexes/${t.index}/search`) },
    { weight: 1, arbitrary: fc.constantFrom('/v1/indexes/absent/search', '/v1/indexes/Bad_Name!/search') },
  );
  const postSearch = fc
    .tuple(
      searchPath,
      fc.option(queryString(t), { freq: 5 }),
      headersArbitrary(),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant('application/json') },
        { weight: 1, arbitrary: contentType },
      ),
      bodyBytesArbitrary(t),
      deliveryArbitrary(),
    )
    .map(([path, q, headers, type, body, delivery]) =>
      withBodyRequest(
        'POST',
        q === null ? path : `${path}?${q}`,
        { ...headers, 'content-type': type },
        body,
        delivery,
        t.maxBodyBytes,
      ),
    );
  const getSearch = fc.tuple(searchPath, queryString(t), headersArbitrary()).map(([path, q, headers]) => ({
    method: 'GET',
    path: `${path}?${q}`,
    headers,
    kind: 'search query string',
  }));
  return fc.oneof(
    { weight: 5, arbitrary: postSearch },
    { weight: 2, arbitrary: getSearch },
    { weight: 1, arbitrary: withBody },
    { weight: 1, arbitrary: withoutBody },
  );
}
