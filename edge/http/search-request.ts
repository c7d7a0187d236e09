/**
 * Validation of search requests, POST JSON bodies and GET query strings alike, into one typed
 * `SearchParams`. Every rejection is a 400 naming the field (`query`, `vector.<key>`, `k`, …), so a
 * caller never has to guess what was wrong. Limits (characters, terms, k) are injected: the same code
 * serves a free-plan Worker and a Node server with different budgets. Every number is checked for
 * finiteness and range before anything computes with it (query weights become float32 and are
 * quantized: 1e308 would be Infinity there, 5e-324 zero), and a rejected value is described briefly,
 * never serialized whole (a deeply nested value would overflow the stack).
 */
import { invalidField } from './api-error.ts';

export interface SearchLimits {
  /** Longest text query, in characters. */
  readonly maxQueryChars: number;
  /** Most terms in a vector query, and in an encoded text query. */
  readonly maxQueryTerms: number;
  /** Largest k (the API allows 1..1000). */
  readonly maxK: number;
  /** Largest JSON body, in bytes. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = {
  maxQueryChars: 4096,
  maxQueryTerms: 1024,
  maxK: 1000,
  maxBodyBytes: 256 * 1024,
};

export const STORED_FIELD_NAMES = ['title', 'url', 'metadata'] as const;
export type StoredFieldName = (typeof STORED_FIELD_NAMES)[number];

export interface SearchParams {
  /** Exactly one of `query` and `vector`. */
  readonly query?: string;
  /** Vocabulary token or decimal term id → weight (> 0). */
  readonly vector?: ReadonlyMap<string, number>;
  readonly k: number;
  readonly version?: string;
  readonly fields: readonly StoredFieldName[];
  readonly explain: boolean;
  readonly debug: boolean;
  /** Exact or approximate search; absent: the index's default. */
  readonly mode?: SearchMode;
  /** Approximate: score a cluster while its bound > heap_factor × the k-th score (0 < h ≤ 1). */
  readonly heapFactor?: number;
  /** Approximate: most clusters (or blocks) scored. */
  readonly budget?: number;
}

export const SEARCH_MODES = ['exact', 'approximate'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

const DEFAULT_K = 10;
/**
 * Query weights other than 0 (ignored) must lie in this range: well inside float32 (query vectors are
 * Float32Array), so that sums of duplicate keys and the per-query quantization scale stay finite and
 * non-zero; 18 decades are far more than any encoder's weights span.
 */
export const MIN_QUERY_WEIGHT = 1e-9;
export const MAX_QUERY_WEIGHT = 1e9;
const BODY_KEYS = new Set([
  'query',
  'vector',
  'k',
  'version',
  'fields',
  'explain',
  'debug',
  'mode',
  'heap_factor',
  'budget',
]);
const QUERY_KEYS = ['q', 'k', 'version', 'fields', 'explain', 'debug', 'mode', 'heap_factor', 'budget'];

/** Validates a parsed JSON body of POST /v1/indexes/:index/search. */
export function parseSearchBody(body: unknown, limits: SearchLimits): SearchParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidField('body', 'must be a JSON object like {"query": "…"}');
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!BODY_KEYS.has(key)) throw invalidField(key, `unknown field (known: ${[...BODY_KEYS].join(', ')})`);
  }
  if (b.query !== undefined && b.vector !== undefined) {
    throw invalidField('query', 'give either "query" or "vector", not both');
  }
  if (b.query === undefined && b.vector === undefined)
    throw invalidField('query', 'missing: give "query" or "vector"');
  return {
    ...(b.query !== undefined ? { query: checkQuery(b.query, limits) } : {}),
    ...(b.vector !== undefined ? { vector: checkVector(b.vector, limits) } : {}),
    k: checkK(b.k ?? DEFAULT_K, limits),
    ...(b.version !== undefined ? { version: checkVersion(b.version) } : {}),
    fields: checkFields(b.fields ?? []),
    explain: checkBoolean(b.explain ?? false, 'explain'),
    debug: checkBoolean(b.debug ?? false, 'debug'),
    ...approximateParams(b.mode, b.heap_factor, b.budget),
  };
}

/** Validates the query string of GET /v1/indexes/:index/search (q, k, version, fields, explain, debug). */
export function parseSearchQuery(params: URLSearchParams, limits: SearchLimits): SearchParams {
  for (const key of params.keys()) {
    if (!QUERY_KEYS.includes(key)) {
      throw invalidField(key, `unknown query parameter (known: ${QUERY_KEYS.join(', ')})`);
    }
  }
  const q = params.get('q');
  if (q === null) throw invalidField('q', 'missing: add ?q=<text>');
  const k = params.get('k');
  const fields = params.get('fields');
  const version = params.get('version');
  return {
    query: checkQuery(q, limits, 'q'),
    k: k === null ? DEFAULT_K : checkK(/^\d+$/.test(k) ? Number(k) : k, limits),
    ...(version !== null ? { version: checkVersion(version) } : {}),
    fields: fields === null || fields === '' ? [] : checkFields(fields.split(',')),
    explain: flag(params.get('explain'), 'explain'),
    debug: flag(params.get('debug'), 'debug'),
    ...approximateParams(
      params.get('mode') ?? undefined,
      numeric(params.get('heap_factor')),
      numeric(params.get('budget')),
    ),
  };
}

/** A query-string number as the body would carry it (a non-numeric string stays a string, to be refused). */
function numeric(value: string | null): unknown {
  if (value === null) return undefined;
  return /^[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?$/i.test(value) ? Number(value) : value;
}

function approximateParams(mode: unknown, heapFactor: unknown, budget: unknown) {
  if (mode !== undefined && !(SEARCH_MODES as readonly unknown[]).includes(mode)) {
    throw invalidField('mode', `must be one of ${SEARCH_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  }
  if (heapFactor !== undefined && !(typeof heapFactor === 'number' && heapFactor > 0 && heapFactor <= 1)) {
    throw invalidField('heap_factor', `must be a number in (0, 1], got ${JSON.stringify(heapFactor)}`);
  }
  if (
    budget !== undefined &&
    !(typeof budget === 'number' && Number.isInteger(budget) && budget >= 1 && budget <= 1_000_000)
  ) {
    throw invalidField('budget', `must be an integer in 1..1000000, got ${JSON.stringify(budget)}`);
  }
  if (mode === 'exact' && (heapFactor !== undefined || budget !== undefined)) {
    throw invalidField(
      heapFactor !== undefined ? 'heap_factor' : 'budget',
      'applies to mode "approximate" only',
    );
  }
  return {
    ...(mode !== undefined ? { mode: mode as SearchMode } : {}),
    ...(heapFactor !== undefined ? { heapFactor: heapFactor as number } : {}),
    ...(budget !== undefined ? { budget: budget as number } : {}),
  };
}

function checkQuery(value: unknown, limits: SearchLimits, field = 'query'): string {
  if (typeof value !== 'string') throw invalidField(field, `must be a string, got ${typeName(value)}`);
  if (value.trim() === '') throw invalidField(field, 'must not be empty');
  if (value.length > limits.maxQueryChars) {
    throw invalidField(
      field,
      `has ${value.length} characters, more than the limit of ${limits.maxQueryChars}`,
    );
  }
  return value;
}

function checkVector(value: unknown, limits: SearchLimits): Map<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidField('vector', `must be an object {"<token or term id>": weight}, got ${typeName(value)}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw invalidField('vector', 'must not be empty');
  if (entries.length > limits.maxQueryTerms) {
    throw invalidField(
      'vector',
      `has ${entries.length} terms, more than the limit of ${limits.maxQueryTerms}`,
    );
  }
  const out = new Map<string, number>();
  for (const [key, weight] of entries) {
    const inRange =
      typeof weight === 'number' &&
      (weight === 0 || (weight >= MIN_QUERY_WEIGHT && weight <= MAX_QUERY_WEIGHT));
    if (!inRange) {
      throw invalidField(
        `vector.${key}`,
        `weight must be a finite number >= 0: 0 (ignored) or in ${MIN_QUERY_WEIGHT}..${MAX_QUERY_WEIGHT.toExponential()}, got ${describe(weight)}`,
      );
    }
    if (weight > 0) out.set(key, weight);
  }
  if (out.size === 0) throw invalidField('vector', 'has no weight > 0');
  return out;
}

function checkK(value: unknown, limits: SearchLimits): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidField('k', `must be an integer, got ${describe(value)}`);
  }
  if (value < 1 || value > limits.maxK) throw invalidField('k', `must be in 1..${limits.maxK}, got ${value}`);
  return value;
}

function checkVersion(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw invalidField('version', `must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function checkFields(value: unknown): StoredFieldName[] {
  if (!Array.isArray(value))
    throw invalidField('fields', `must be an array of field names, got ${typeName(value)}`);
  const out: StoredFieldName[] = [];
  for (const [i, name] of value.entries()) {
    if (!(STORED_FIELD_NAMES as readonly unknown[]).includes(name)) {
      throw invalidField(
        `fields[${i}]`,
        `unknown stored field ${describe(name)} (known: ${STORED_FIELD_NAMES.join(', ')})`,
      );
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

function checkBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalidField(field, `must be true or false, got ${describe(value)}`);
  return value;
}

function flag(value: string | null, field: string): boolean {
  if (value === null || value === 'false' || value === '0') return false;
  if (value === '' || value === 'true' || value === '1') return true;
  throw invalidField(field, `must be true, false, 1 or 0, got ${describe(value)}`);
}

/** A short description of a rejected value: primitives as JSON (cut at 60 characters), others by type. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value !== null && typeof value === 'object') return typeName(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
