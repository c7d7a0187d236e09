/**
 * The OpenAPI 3.1 document of the API, served at /openapi.json, generated from the zod schemas the
 * handlers validate with (search-schema.ts) and the response shapes below: one declaration per contract,
 * so the document cannot drift from what the server checks. @hono/zod-openapi's registry and generator
 * do the translation; its request validator is not used, because bodies are read by http/read-body.ts
 * under size and time limits the validator's `c.req.json()` would bypass.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { STORED_FIELD_NAMES } from '../search/search-params.ts';
import { GET_PARAMETERS } from './search-request.ts';
import { type SearchLimits, searchBodySchema } from './search-schema.ts';

const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional().openapi({ description: 'The request field that was wrong' }),
    }),
  })
  .openapi('Error');

const Hit = z
  .object({
    id: z.string(),
    score: z.number(),
    fields: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'The stored fields asked for' }),
    snippet: z
      .object({
        text: z.string().openapi({ description: 'The passage of the stored text that contributes most' }),
        highlights: z
          .array(z.object({ start: z.number().int(), end: z.number().int(), token: z.string() }))
          .openapi({
            description: 'Ranges of `text` (UTF-16 offsets) whose tokens carry the score, and the token',
          }),
      })
      .optional(),
    explain: z
      .array(
        z.object({
          token: z.string(),
          term: z.number().int(),
          query_weight: z.number(),
          doc_weight: z.number(),
          contribution: z.number(),
        }),
      )
      .optional(),
  })
  .openapi('Hit');

const SearchResponse = z
  .object({
    index: z.string(),
    version: z.string(),
    mode: z.enum(['exact', 'approximate']),
    took_ms: z.number(),
    from: z.number().int(),
    hits: z.array(Hit).openapi({ description: 'Best first: score descending, then document order' }),
    shards: z.object({
      total: z.number().int(),
      ok: z.number().int(),
      failed: z.array(z.object({ shard: z.string(), code: z.string(), message: z.string() })),
    }),
    approximation: z.record(z.string(), z.unknown()).optional().openapi({
      description: 'How an approximate answer was cut, and how a filter was applied (with explain or debug)',
    }),
    debug: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('SearchResponse');

const indexParam = z.object({
  index: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/)
    .openapi({ param: { name: 'index', in: 'path' } }),
});
const errors = Object.fromEntries(
  [400, 401, 404, 408, 413, 415, 503].map((status) => [
    status,
    { description: 'Error', content: { 'application/json': { schema: ErrorBody } } },
  ]),
);
const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

type Route = (config: Parameters<typeof createRoute>[0]) => void;

/** `serverUrl`: the deployment's public URL, or "/" (relative to where the document was fetched). */
export function openApiDocument(limits: SearchLimits, serverUrl = '/'): Record<string, unknown> {
  const app = new OpenAPIHono();
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'Only when the deployment sets API key hashes',
  });
  const route: Route = (config) => {
    registry.registerPath(createRoute(config));
  };
  serviceRoutes(route);
  searchRoutes(route, limits);
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'csplade search API',
      version: '1',
      description: 'Learned sparse retrieval over indexes in object storage',
    },
    servers: [{ url: serverUrl }],
    security: [{}, { bearer: [] }],
  }) as unknown as Record<string, unknown>;
}

/** The page, health, readiness, metrics and index listings. */
function serviceRoutes(route: Route): void {
  route({
    method: 'get',
    path: '/',
    summary: 'The search page (HTML)',
    security: [],
    responses: { 200: { description: 'HTML' } },
  });
  route({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    security: [],
    responses: { 200: { description: '{"status":"ok"}' } },
  });
  route({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: the index store answers and every CURRENT pointer reads, within a deadline',
    security: [],
    responses: { 200: { description: '{"status":"ready","indexes":N}' }, 503: errors[503] },
  });
  route({
    method: 'get',
    path: '/metrics',
    summary:
      'Prometheus metrics (Node entry): request latency by route and status, store reads and bytes, cache hits per tier, versions served',
    responses: { 200: { description: 'Prometheus text format 0.0.4' }, 401: errors[401], 404: errors[404] },
  });
  route({
    method: 'get',
    path: '/v1/indexes',
    summary: 'Indexes served (those with a CURRENT pointer)',
    responses: { 200: { description: '{"indexes": [{"name","version",…}]}' }, 401: errors[401] },
  });
  route({
    method: 'get',
    path: '/v1/indexes/{index}',
    summary: 'Current version, documents, encoder, filterable fields and shards of one index',
    request: { params: indexParam },
    responses: {
      200: { description: 'Index description' },
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  });
}

/** Search, multi-search and warm-up, with the request and response schemas. */
function searchRoutes(route: Route, limits: SearchLimits): void {
  const SearchRequest = searchBodySchema(limits).openapi('SearchRequest');
  const MultiSearchRequest = z
    .object({
      searches: z
        .array(searchBodySchema(limits, true).openapi('MultiSearchEntry'))
        .min(1)
        .max(limits.maxSearches),
    })
    .openapi('MultiSearchRequest');
  const MultiSearchResponse = z
    .object({
      took_ms: z.number(),
      responses: z.array(
        z.union([
          SearchResponse.extend({ status: z.literal(200) }),
          ErrorBody.extend({ status: z.number().int() }),
        ]),
      ),
    })
    .openapi('MultiSearchResponse');
  const searchResponses = {
    200: {
      ...json(SearchResponse, 'Hits, best first (score descending, then document order)'),
      headers: z.object({
        'x-csplade-cost': z
          .string()
          .openapi({ description: 'subrequests=N; bytes=N; cache_hits=N; memory_hits=N' }),
        'server-timing': z.string().openapi({ description: 'Phases: encode, plan, fetch, score, merge' }),
        'x-request-id': z.string().openapi({ description: "The caller's X-Request-Id, or a fresh one" }),
      }),
    },
    ...errors,
  };
  route({
    method: 'post',
    path: '/v1/indexes/{index}/search',
    summary: 'Search with a text query or a sparse vector',
    request: {
      params: indexParam,
      body: { required: true, content: { 'application/json': { schema: SearchRequest } } },
    },
    responses: searchResponses,
  });
  route({
    method: 'get',
    path: '/v1/indexes/{index}/search',
    summary: 'Search with a text query (for browsers and curl)',
    request: { params: indexParam, query: searchQueryParameters(limits) },
    responses: searchResponses,
  });
  const msearch = {
    request: { body: { required: true, content: { 'application/json': { schema: MultiSearchRequest } } } },
    responses: {
      200: json(MultiSearchResponse, 'One response per search, in order; a failed search is its own error'),
      ...errors,
    },
  };
  route({
    method: 'post',
    path: '/v1/indexes/{index}/msearch',
    summary: `Up to ${limits.maxSearches} searches of this index (or others named per search) in one request`,
    ...msearch,
    request: { ...msearch.request, params: indexParam },
  });
  route({
    method: 'post',
    path: '/v1/msearch',
    summary: `Up to ${limits.maxSearches} searches across indexes (each names its index)`,
    ...msearch,
  });
  route({
    method: 'post',
    path: '/v1/indexes/{index}/warm',
    summary: "Load the current version's manifest, assets, hot regions and routing into the caches",
    request: { params: indexParam },
    responses: { 200: { description: '{"index","version","subrequests","bytes"}' }, ...errors },
  });
}

/** The GET search parameters, as strings, described from the body's schema. */
function searchQueryParameters(limits: SearchLimits) {
  const shape: Record<string, z.ZodType> = {};
  const described: Record<string, string> = {
    q: `Text query (at most ${limits.maxQueryChars} characters)`,
    k: `Hits to return, 1..${limits.maxK} (default 10)`,
    from: `Hits to skip; from + k ≤ ${limits.maxWindow}`,
    version: 'Pin one index version',
    fields: `Comma-separated: ${STORED_FIELD_NAMES.join(', ')}`,
    filter: 'The filter as URL-encoded JSON, e.g. {"lang":"en"}',
    snippet: 'true/1: a snippet per hit',
    explain: 'true/1: per-hit explanation',
    debug: 'true/1: costs and timings',
    mode: 'exact | approximate',
    heap_factor: 'Approximate: (0, 1]',
    budget: 'Approximate: most clusters scored',
  };
  for (const name of GET_PARAMETERS) {
    const param = z.string().openapi({ param: { name, in: 'query' }, description: described[name] });
    shape[name] = name === 'q' ? param : param.optional();
  }
  return z.object(shape);
}
