/**
 * Search requests, POST JSON bodies and GET query strings alike, validated by the one schema
 * (search-schema.ts) into the search layer's `SearchParams` (edge/search/search-params.ts). A GET query
 * string is first turned into the body's shape (digits to numbers, flags to booleans, `fields` split at
 * commas, `filter` parsed as JSON), so both forms meet the same checks and the same messages; every
 * rejection is a 400 naming the field (`q` for the query text of a GET).
 */

import type { SearchParams } from '../search/search-params.ts';
import { invalidField } from './api-error.ts';
import { describe } from './describe.ts';
import {
  DEFAULT_SEARCH_LIMITS,
  parseWith,
  type SearchBody,
  type SearchLimits,
  searchBodySchema,
} from './search-schema.ts';

export { DEFAULT_SEARCH_LIMITS, type SearchLimits } from './search-schema.ts';

export const GET_PARAMETERS = [
  'q',
  'k',
  'from',
  'version',
  'fields',
  'filter',
  'snippet',
  'explain',
  'debug',
  'mode',
  'heap_factor',
  'budget',
] as const;

/** Validates and builds search requests for one set of limits (the schema is built once). */
export class SearchRequests {
  readonly #schema: ReturnType<typeof searchBodySchema>;

  constructor(readonly limits: SearchLimits = DEFAULT_SEARCH_LIMITS) {
    this.#schema = searchBodySchema(limits);
  }

  /** A parsed JSON body of POST /v1/indexes/:index/search (or one search of a multi-search). */
  fromBody(body: unknown): SearchParams {
    return toParams(parseWith(this.#schema, body));
  }

  /** The query string of GET /v1/indexes/:index/search. */
  fromQuery(params: URLSearchParams): SearchParams {
    for (const key of params.keys()) {
      if (!(GET_PARAMETERS as readonly string[]).includes(key)) {
        throw invalidField(key, `unknown query parameter (known: ${GET_PARAMETERS.join(', ')})`);
      }
    }
    const q = params.get('q');
    if (q === null) throw invalidField('q', 'missing: add ?q=<text>');
    const body: Record<string, unknown> = { query: q };
    const set = (key: string, value: unknown) => {
      if (value !== undefined) body[key] = value;
    };
    set('k', integer(params.get('k')));
    set('from', integer(params.get('from')));
    set('version', params.get('version') ?? undefined);
    const fields = params.get('fields');
    set('fields', fields === null ? undefined : fields === '' ? [] : fields.split(','));
    set('filter', json(params.get('filter'), 'filter'));
    for (const flagName of ['snippet', 'explain', 'debug'] as const)
      set(flagName, flag(params.get(flagName), flagName));
    set('mode', params.get('mode') ?? undefined);
    set('heap_factor', numeric(params.get('heap_factor')));
    set('budget', numeric(params.get('budget')));
    return toParams(parseWith(this.#schema, body, { query: 'q' }));
  }
}

function toParams(b: SearchBody): SearchParams {
  return {
    ...(b.query !== undefined ? { query: b.query } : {}),
    ...(b.vector !== undefined
      ? { vector: new Map(Object.entries(b.vector).filter(([, weight]) => weight > 0)) }
      : {}),
    k: b.k,
    from: b.from ?? 0,
    paged: b.from !== undefined,
    ...(b.version !== undefined ? { version: b.version } : {}),
    fields: [...new Set(b.fields)],
    ...(b.filter !== undefined ? { filter: b.filter } : {}),
    snippet: b.snippet,
    explain: b.explain,
    debug: b.debug,
    ...(b.mode !== undefined ? { mode: b.mode } : {}),
    ...(b.heap_factor !== undefined ? { heapFactor: b.heap_factor } : {}),
    ...(b.budget !== undefined ? { budget: b.budget } : {}),
  };
}

/** A query-string whole number as the body would carry it (anything else stays a string, to be refused). */
function integer(value: string | null): unknown {
  if (value === null) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** A query-string number as the body would carry it (a non-numeric string stays a string, to be refused). */
function numeric(value: string | null): unknown {
  if (value === null) return undefined;
  return /^[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?$/i.test(value) ? Number(value) : value;
}

function flag(value: string | null, field: string): boolean | undefined {
  if (value === null) return undefined;
  if (value === 'false' || value === '0') return false;
  if (value === '' || value === 'true' || value === '1') return true;
  throw invalidField(field, `must be true, false, 1 or 0, got ${describe(value)}`);
}

function json(value: string | null, field: string): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw invalidField(field, `must be JSON, like {"lang":"en"}, got ${describe(value)}`);
  }
}
