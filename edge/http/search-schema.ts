/**
 * The search request's contract, declared once with zod (@hono/zod-openapi's `z`): the same schema
 * validates POST bodies (and GET query strings, converted to the body's shape), gives the handlers their
 * types and is what /openapi.json publishes, so validation and documentation cannot drift. Every check
 * carries the message the API has always answered with, and the error names the field (`vector.fox`,
 * `fields[0]`) — `firstError` turns zod's first issue into that 400. Limits come from SearchLimits, so a
 * free-plan Worker and a Node server with other budgets each document what they enforce.
 */
import { z } from '@hono/zod-openapi';
import { SEARCH_MODES, type SearchMode, STORED_FIELD_NAMES } from '../search/search-params.ts';
import type { ApiError } from './api-error.ts';
import { invalidField } from './api-error.ts';
import { describe, typeName } from './describe.ts';

export interface SearchLimits {
  /** Longest text query, in characters. */
  readonly maxQueryChars: number;
  /** Most terms in a vector query, and in an encoded text query. */
  readonly maxQueryTerms: number;
  /** Largest k (the API allows 1..1000). */
  readonly maxK: number;
  /** Largest JSON body, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest from + k: pages are cut from the top `maxWindow` hits. */
  readonly maxWindow: number;
  /** Most searches in one multi-search request. */
  readonly maxSearches: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = {
  maxQueryChars: 4096,
  maxQueryTerms: 1024,
  maxK: 1000,
  maxBodyBytes: 256 * 1024,
  maxWindow: 1000,
  maxSearches: 50,
};

/**
 * Query weights other than 0 (ignored) must lie in this range: well inside float32 (query vectors are
 * Float32Array), so that sums of duplicate keys and the per-query quantization scale stay finite and
 * non-zero; 18 decades are far more than any encoder's weights span.
 */
export const MIN_QUERY_WEIGHT = 1e-9;
export const MAX_QUERY_WEIGHT = 1e9;
export const DEFAULT_K = 10;
const MAX_BUDGET = 1_000_000;

const mustBeInteger = (issue: { input?: unknown }) => `must be an integer, got ${describe(issue.input)}`;
const mustBeBoolean = (issue: { input?: unknown }) => `must be true or false, got ${describe(issue.input)}`;
const weightRange = `0 (ignored) or in ${MIN_QUERY_WEIGHT}..${MAX_QUERY_WEIGHT.toExponential()}`;

/**
 * The schema of one search (a POST body, or one entry of a multi-search), for `limits`. `withIndex`
 * adds the `index` a multi-search entry may name (the route takes it off before validating the rest).
 */
export function searchBodySchema(limits: SearchLimits, withIndex = false) {
  const shape = {
    ...queryShape(limits),
    ...pageShape(limits),
    ...resultShape(),
    ...approximateShape(),
  };
  const indexShape = {
    index: z
      .string()
      .optional()
      .openapi({ description: "An index other than the path's (required on /v1/msearch)" }),
  };
  const known = Object.keys(shape).join(', ');
  return z
    .strictObject(withIndex ? { ...shape, ...indexShape } : shape, {
      error: (i) =>
        i.code === 'unrecognized_keys'
          ? `unknown field (known: ${known})`
          : 'must be a JSON object like {"query": "…"}',
    })
    .superRefine((body, ctx) => checkCombinations(body, limits, ctx));
}

const range = (field: string, low: number, high: number) => (i: { input?: unknown }) =>
  `${field} in ${low}..${high}, got ${describe(i.input)}`;

/** What is searched for: a text or a sparse vector. */
function queryShape(limits: SearchLimits) {
  const weight = z
    .number({ error: (i) => `weight must be a finite number >= 0: ${weightRange}, got ${describe(i.input)}` })
    .refine((w) => w === 0 || (w >= MIN_QUERY_WEIGHT && w <= MAX_QUERY_WEIGHT), {
      error: (i) => `weight must be a finite number >= 0: ${weightRange}, got ${describe(i.input)}`,
    });
  return {
    query: z
      .string({ error: (i) => `must be a string, got ${typeName(i.input)}` })
      .min(1, { error: 'must not be empty' })
      .max(limits.maxQueryChars, {
        error: (i) =>
          `has ${(i.input as string).length} characters, more than the limit of ${limits.maxQueryChars}`,
      })
      .refine((q) => q.trim() !== '', { error: 'must not be empty' })
      .optional()
      .openapi({ description: 'Text, encoded with the index encoder' }),
    vector: z
      .record(z.string(), weight, {
        error: (i) => `must be an object {"<token or term id>": weight}, got ${typeName(i.input)}`,
      })
      .optional()
      .openapi({
        description:
          'Sparse query vector: key → weight. A key is "#<term id>", a vocabulary token, or (when it is no token) a decimal term id',
        maxProperties: limits.maxQueryTerms,
      }),
  };
}

/** Which hits: how many, from where, of which version, passing which filter. */
function pageShape(limits: SearchLimits) {
  return {
    k: z
      .number({ error: mustBeInteger })
      .int({ error: mustBeInteger })
      .min(1, { error: (i) => `must be in 1..${limits.maxK}, got ${describe(i.input)}` })
      .max(limits.maxK, { error: (i) => `must be in 1..${limits.maxK}, got ${describe(i.input)}` })
      .default(DEFAULT_K)
      .openapi({ description: 'Hits to return' }),
    from: z
      .number({ error: mustBeInteger })
      .int({ error: mustBeInteger })
      .min(0, { error: range('must be an integer', 0, limits.maxWindow - 1) })
      .max(limits.maxWindow - 1, { error: range('must be an integer', 0, limits.maxWindow - 1) })
      .optional()
      .openapi({
        description: `Hits to skip (pagination, default 0); from + k ≤ ${limits.maxWindow}. Order: score, then document. Approximate pages of one query agree when every page names from (0 on the first)`,
      }),
    version: z
      .string({ error: (i) => `must be a non-empty string, got ${describe(i.input)}` })
      .min(1, { error: (i) => `must be a non-empty string, got ${describe(i.input)}` })
      .optional()
      .openapi({ description: 'Pin one index version (default: CURRENT)' }),
    filter: z
      .record(z.string(), z.unknown(), {
        error: (i) => `must be an object like {"lang": "en"}, got ${typeName(i.input)}`,
      })
      .optional()
      .openapi({
        description:
          'Only documents passing this filter, over the fields the index declares filterable: {"lang": "en"} (equality), {"lang": ["en", "de"]} or {"lang": {"in": […]}}, {"year": {"gte": 2020, "lt": 2024}} (number, date), {"lang": {"exists": true}}, {"and": […]}, {"or": […]}, {"not": {…}}',
        example: { and: [{ lang: 'en' }, { year: { gte: 2020 } }] },
      }),
  };
}

/** What each hit shows. */
function resultShape() {
  return {
    fields: z
      .array(
        z.enum(STORED_FIELD_NAMES, {
          error: (i) => `unknown stored field ${describe(i.input)} (known: ${STORED_FIELD_NAMES.join(', ')})`,
        }),
        { error: (i) => `must be an array of field names, got ${typeName(i.input)}` },
      )
      .default([])
      .openapi({ description: 'Stored fields to return; "text" needs an index built with --store-text' }),
    snippet: z.boolean({ error: mustBeBoolean }).default(false).openapi({
      description: 'Per hit: the best passage of its stored text, query-contributing tokens marked',
    }),
    explain: z
      .boolean({ error: mustBeBoolean })
      .default(false)
      .openapi({ description: 'Per hit: matching tokens with weights and contributions' }),
    debug: z
      .boolean({ error: mustBeBoolean })
      .default(false)
      .openapi({ description: 'Report subrequests, bytes and timings this request cost' }),
  };
}

/** How: the mode, and approximate search's knobs. */
function approximateShape() {
  return {
    mode: z
      .enum(SEARCH_MODES, {
        error: (i) => `must be one of ${SEARCH_MODES.join(', ')}, got ${describe(i.input)}`,
      })
      .optional()
      .openapi({ description: "Exact or approximate search (default: the index's)" }),
    heap_factor: z
      .number({ error: (i) => `must be a number in (0, 1], got ${describe(i.input)}` })
      .gt(0, { error: (i) => `must be a number in (0, 1], got ${describe(i.input)}` })
      .lte(1, { error: (i) => `must be a number in (0, 1], got ${describe(i.input)}` })
      .optional()
      .openapi({
        description: 'Approximate: score a cluster while its bound > heap_factor × the k-th score',
      }),
    budget: z
      .number({ error: range('must be an integer', 1, MAX_BUDGET) })
      .int({ error: range('must be an integer', 1, MAX_BUDGET) })
      .min(1, { error: range('must be an integer', 1, MAX_BUDGET) })
      .max(MAX_BUDGET, { error: range('must be an integer', 1, MAX_BUDGET) })
      .optional()
      .openapi({ description: 'Approximate: most clusters (or blocks) scored' }),
  };
}

/** Rules across fields: exactly one of query and vector, a vector's size, the page window, approximate-only knobs. */
function checkCombinations(
  body: {
    query?: string;
    vector?: Record<string, number>;
    k: number;
    from?: number;
    mode?: SearchMode;
    heap_factor?: number;
    budget?: number;
  },
  limits: SearchLimits,
  ctx: z.RefinementCtx,
): void {
  const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (body.query !== undefined && body.vector !== undefined)
    fail('query', 'give either "query" or "vector", not both');
  if (body.query === undefined && body.vector === undefined)
    fail('query', 'missing: give "query" or "vector"');
  if (body.vector !== undefined) {
    const weights = Object.values(body.vector);
    if (weights.length === 0) fail('vector', 'must not be empty');
    else if (weights.length > limits.maxQueryTerms) {
      fail('vector', `has ${weights.length} terms, more than the limit of ${limits.maxQueryTerms}`);
    } else if (!weights.some((w) => w > 0)) fail('vector', 'has no weight > 0');
  }
  const from = body.from ?? 0;
  if (from + body.k > limits.maxWindow) {
    fail('from', `from + k is ${from + body.k}, more than the result window of ${limits.maxWindow}`);
  }
  if (body.mode === 'exact' && (body.heap_factor !== undefined || body.budget !== undefined)) {
    fail(body.heap_factor !== undefined ? 'heap_factor' : 'budget', 'applies to mode "approximate" only');
  }
}

export type SearchBody = z.output<ReturnType<typeof searchBodySchema>>;

/**
 * A multi-search body: `searches`, each a search body with an optional `index` (required on /v1/msearch).
 * Each search is validated on its own (searchBodySchema), so one bad search fails alone.
 */
export function multiSearchSchema(limits: SearchLimits) {
  return z.strictObject(
    {
      searches: z
        .array(z.unknown(), { error: (i) => `must be an array of searches, got ${typeName(i.input)}` })
        .min(1, { error: 'must hold at least one search' })
        .max(limits.maxSearches, {
          error: (i) =>
            `holds ${(i.input as unknown[]).length} searches, more than the limit of ${limits.maxSearches}`,
        }),
    },
    {
      error: (i) =>
        i.code === 'unrecognized_keys'
          ? 'unknown field (known: searches)'
          : 'must be a JSON object like {"searches": […]}',
    },
  );
}

/** Validates `value` with `schema`, or throws the 400 of its first issue, naming the field. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  rename: Record<string, string> = {},
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw firstError(result.error, rename);
}

/** The 400 of a zod error's first issue: its path as a field (`vector.fox`, `fields[0]`), its message. */
export function firstError(error: z.ZodError, rename: Record<string, string> = {}): ApiError {
  const issue = error.issues[0];
  const path: PropertyKey[] = [...issue.path];
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]);
  if (path.length === 0) return invalidField('body', issue.message);
  const [head, ...rest] = path;
  let field = rename[String(head)] ?? String(head);
  // Array items are numbers in zod's paths; record keys (vector tokens, even "123") are strings.
  for (const part of rest) field += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return invalidField(field, issue.message);
}
