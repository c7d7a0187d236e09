/**
 * The OpenAPI 3.1 description of the search API, served at /openapi.json. Written by hand next to the
 * validation it describes (search-request.ts): limits come from the same SearchLimits object, so the
 * document and the server cannot disagree about k or the query length.
 */
import {
  MAX_QUERY_WEIGHT,
  MIN_QUERY_WEIGHT,
  type SearchLimits,
  STORED_FIELD_NAMES,
} from './search-request.ts';

const error = {
  description: 'Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const indexParam = {
  name: 'index',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' },
};

/** `serverUrl`: the deployment's public URL, or "/" (relative to where the document was fetched). */
export function openApiDocument(limits: SearchLimits, serverUrl = '/'): Record<string, unknown> {
  const searchBody = {
    type: 'object',
    additionalProperties: false,
    properties: {
      query: {
        type: 'string',
        minLength: 1,
        maxLength: limits.maxQueryChars,
        description: 'Text, encoded with the index encoder',
      },
      vector: {
        type: 'object',
        description:
          'Sparse query vector: key → weight. A key is "#<term id>", a vocabulary token, or (when it is no token) a decimal term id',
        additionalProperties: {
          type: 'number',
          minimum: 0,
          maximum: MAX_QUERY_WEIGHT,
          description: `0 (ignored) or in ${MIN_QUERY_WEIGHT}..${MAX_QUERY_WEIGHT.toExponential()}`,
        },
        maxProperties: limits.maxQueryTerms,
      },
      k: { type: 'integer', minimum: 1, maximum: limits.maxK, default: 10 },
      version: { type: 'string', description: 'Pin one index version (default: CURRENT)' },
      fields: {
        type: 'array',
        items: { enum: [...STORED_FIELD_NAMES] },
        description: 'Stored fields to return',
      },
      explain: {
        type: 'boolean',
        default: false,
        description: 'Per hit: matching tokens with weights and contributions',
      },
      debug: {
        type: 'boolean',
        default: false,
        description: 'Report subrequests and bytes this request cost',
      },
    },
    oneOf: [{ required: ['query'] }, { required: ['vector'] }],
  };
  const searchResponses = {
    '200': {
      description: 'Hits, best first (score descending, then document order)',
      headers: {
        'x-csplade-cost': { schema: { type: 'string' }, description: 'subrequests=N; bytes=N; cache_hits=N' },
      },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/SearchResponse' } } },
    },
    '400': error,
    '401': error,
    '404': error,
    '408': error,
    '413': error,
    '415': error,
    '503': error,
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'csplade search API',
      version: '1',
      description: 'Learned sparse retrieval over indexes in object storage',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Only when the deployment sets API key hashes',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                field: { type: 'string' },
              },
            },
          },
        },
        SearchRequest: searchBody,
        SearchResponse: {
          type: 'object',
          required: ['index', 'version', 'took_ms', 'hits', 'shards'],
          properties: {
            index: { type: 'string' },
            version: { type: 'string' },
            took_ms: { type: 'number' },
            hits: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'score'],
                properties: {
                  id: { type: 'string' },
                  score: { type: 'number' },
                  fields: { type: 'object' },
                  explain: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        token: { type: 'string' },
                        term: { type: 'integer' },
                        query_weight: { type: 'number' },
                        doc_weight: { type: 'number' },
                        contribution: { type: 'number' },
                      },
                    },
                  },
                },
              },
            },
            shards: {
              type: 'object',
              properties: {
                total: { type: 'integer' },
                ok: { type: 'integer' },
                failed: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      shard: { type: 'string' },
                      code: { type: 'string' },
                      message: { type: 'string' },
                    },
                  },
                },
              },
            },
            debug: { type: 'object' },
          },
        },
      },
    },
    security: [{}, { bearer: [] }],
    paths: {
      '/healthz': {
        get: { summary: 'Liveness', security: [], responses: { '200': { description: '{"status":"ok"}' } } },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: the index store answers and every CURRENT pointer reads, within a deadline',
          security: [],
          responses: { '200': { description: '{"status":"ready","indexes":N}' }, '503': error },
        },
      },
      '/v1/indexes': {
        get: {
          summary: 'Indexes served (those with a CURRENT pointer)',
          responses: { '200': { description: '{"indexes": [{"name","version",…}]}' }, '401': error },
        },
      },
      '/v1/indexes/{index}': {
        get: {
          summary: 'Current version, documents, encoder and shards of one index',
          parameters: [indexParam],
          responses: {
            '200': { description: 'Index description' },
            '400': error,
            '401': error,
            '404': error,
          },
        },
      },
      '/v1/indexes/{index}/search': {
        post: {
          summary: 'Search with a text query or a sparse vector',
          parameters: [indexParam],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SearchRequest' } } },
          },
          responses: searchResponses,
        },
        get: {
          summary: 'Search with a text query (for browsers and curl)',
          parameters: [
            indexParam,
            {
              name: 'q',
              in: 'query',
              required: true,
              schema: { type: 'string', maxLength: limits.maxQueryChars },
            },
            {
              name: 'k',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: limits.maxK, default: 10 },
            },
            { name: 'version', in: 'query', schema: { type: 'string' } },
            {
              name: 'fields',
              in: 'query',
              schema: { type: 'string' },
              description: `Comma-separated: ${STORED_FIELD_NAMES.join(', ')}`,
            },
            { name: 'explain', in: 'query', schema: { type: 'boolean' } },
            { name: 'debug', in: 'query', schema: { type: 'boolean' } },
          ],
          responses: searchResponses,
        },
      },
    },
  };
}
