/**
 * The filter language of search requests, parsed against an index's filterable fields into a small tree
 * that compile.ts turns into a doc set per shard. JSON in, as search engines commonly spell it:
 *
 *   {"lang": "en"}                          equality (keyword, number, boolean, date)
 *   {"lang": ["en", "de"]}                  one of (also {"lang": {"in": ["en", "de"]}})
 *   {"year": {"gte": 2020, "lt": 2024}}     range (number, date: ISO 8601 or epoch ms)
 *   {"lang": {"exists": true}}              has a value
 *   {"and": [f, …]}, {"or": [f, …]}, {"not": f}; several keys in one object are and-ed
 *
 * A document without a value matches no equality, `in` or range (so `not` includes it). Every error
 * names the place in the filter (`filter.and[1].year`) and says what was wrong: an unknown field, a value
 * of the wrong type, an operator the field's type has no use for. Sizes are bounded (depth, clauses,
 * values) so a request cannot make compiling it expensive.
 */
import { CspladeError } from '../errors.ts';
import { type FieldType, type FilterableSchema, normalizeValue, RESERVED_FIELD_NAMES } from './schema.ts';

export type FilterValue = string | number | boolean;

export type FilterNode =
  | { readonly op: 'and'; readonly of: readonly FilterNode[] }
  | { readonly op: 'or'; readonly of: readonly FilterNode[] }
  | { readonly op: 'not'; readonly of: FilterNode }
  | { readonly op: 'in'; readonly field: string; readonly type: FieldType; readonly values: FilterValue[] }
  | {
      readonly op: 'range';
      readonly field: string;
      readonly type: FieldType;
      readonly gt?: number;
      readonly gte?: number;
      readonly lt?: number;
      readonly lte?: number;
    }
  | { readonly op: 'exists'; readonly field: string; readonly type: FieldType; readonly exists: boolean };

export const FILTER_LIMITS = { depth: 8, clauses: 64, values: 1024 } as const;
const RANGE_OPS = ['gt', 'gte', 'lt', 'lte'] as const;
const OPERATORS = ['eq', 'in', ...RANGE_OPS, 'exists'];

/** A filter that cannot be applied: `field` is its place in the request (filter.year, filter.and[0]…). */
export class FilterError extends CspladeError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('invalid_filter', message);
    this.field = field;
  }
}

/** Parses a request's filter against the index's schema. */
export function parseFilter(value: unknown, schema: FilterableSchema, path = 'filter'): FilterNode {
  const budget = { clauses: 0 };
  return parseNode(value, schema, path, 0, budget);
}

/** A stable text of a parsed filter, for cache keys (values already normalized). */
export function canonicalFilter(node: FilterNode): string {
  return JSON.stringify(node);
}

/** The fields a filter tests, for logs. */
export function filterFields(node: FilterNode): string[] {
  if (node.op === 'and' || node.op === 'or') return [...new Set(node.of.flatMap(filterFields))];
  if (node.op === 'not') return filterFields(node.of);
  return [node.field];
}

function parseNode(
  value: unknown,
  schema: FilterableSchema,
  path: string,
  depth: number,
  budget: { clauses: number },
): FilterNode {
  if (depth > FILTER_LIMITS.depth)
    throw new FilterError(path, `nests deeper than ${FILTER_LIMITS.depth} levels`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FilterError(path, `must be an object like {"lang": "en"}, got ${kindOf(value)}`);
  }
  const keys = Object.keys(value);
  if (keys.length === 0) throw new FilterError(path, 'must not be empty');
  const clauses = keys.map((key): FilterNode => {
    if (++budget.clauses > FILTER_LIMITS.clauses) {
      throw new FilterError(path, `has more than ${FILTER_LIMITS.clauses} clauses`);
    }
    const inner = (value as Record<string, unknown>)[key];
    const at = `${path}.${key}`;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(inner) || inner.length === 0) {
        throw new FilterError(at, `must be a non-empty array of filters, got ${kindOf(inner)}`);
      }
      const of = inner.map((f, i) => parseNode(f, schema, `${at}[${i}]`, depth + 1, budget));
      return key === 'and' ? { op: 'and', of } : { op: 'or', of };
    }
    if (key === 'not') return { op: 'not', of: parseNode(inner, schema, at, depth + 1, budget) };
    return parseClause(key, inner, schema, at);
  });
  return clauses.length === 1 ? clauses[0] : { op: 'and', of: clauses };
}

function parseClause(field: string, value: unknown, schema: FilterableSchema, path: string): FilterNode {
  if (!Object.hasOwn(schema, field) || RESERVED_FIELD_NAMES.has(field)) {
    const known = Object.keys(schema);
    throw new FilterError(
      path,
      known.length === 0
        ? 'unknown field: this index declares no filterable fields (csplade index --filterable)'
        : `unknown field "${field}" (filterable: ${known.join(', ')})`,
    );
  }
  const type = schema[field];
  if (Array.isArray(value)) return inClause(field, type, value, path);
  if (typeof value !== 'object' || value === null) return inClause(field, type, [value], path, true);
  const ops = Object.keys(value);
  if (ops.length === 0) throw new FilterError(path, 'must not be empty');
  const given = value as Record<string, unknown>;
  for (const op of ops) {
    if (!OPERATORS.includes(op)) {
      throw new FilterError(`${path}.${op}`, `unknown operator (known: ${OPERATORS.join(', ')})`);
    }
  }
  const parts: FilterNode[] = [];
  if ('eq' in given) parts.push(inClause(field, type, [given.eq], `${path}.eq`, true));
  if ('in' in given) {
    if (!Array.isArray(given.in))
      throw new FilterError(`${path}.in`, `must be an array, got ${kindOf(given.in)}`);
    parts.push(inClause(field, type, given.in, `${path}.in`));
  }
  if ('exists' in given) {
    if (typeof given.exists !== 'boolean') {
      throw new FilterError(`${path}.exists`, `must be true or false, got ${kindOf(given.exists)}`);
    }
    parts.push({ op: 'exists', field, type, exists: given.exists });
  }
  const range = rangeClause(field, type, given, path);
  if (range) parts.push(range);
  return parts.length === 1 ? parts[0] : { op: 'and', of: parts };
}

function inClause(
  field: string,
  type: FieldType,
  values: unknown[],
  path: string,
  single = false,
): FilterNode {
  if (values.length === 0) throw new FilterError(path, 'must list at least one value');
  if (values.length > FILTER_LIMITS.values) {
    throw new FilterError(path, `lists ${values.length} values, more than ${FILTER_LIMITS.values}`);
  }
  const normalized = values.map((v, i) => {
    const n = normalizeValue(v, type, true);
    if (n === undefined) throw new FilterError(single ? path : `${path}[${i}]`, expected(type, v));
    return n as FilterValue;
  });
  return { op: 'in', field, type, values: [...new Set(normalized)] };
}

function rangeClause(
  field: string,
  type: FieldType,
  given: Record<string, unknown>,
  path: string,
): FilterNode | undefined {
  const ops = RANGE_OPS.filter((op) => op in given);
  if (ops.length === 0) return undefined;
  if (type !== 'number' && type !== 'date') {
    throw new FilterError(
      `${path}.${ops[0]}`,
      `range operators apply to number and date fields; "${field}" is a ${type}`,
    );
  }
  const bounds: Record<string, number> = {};
  for (const op of ops) {
    const n = normalizeValue(given[op], type, true);
    if (n === undefined) throw new FilterError(`${path}.${op}`, expected(type, given[op]));
    bounds[op] = n as number;
  }
  return { op: 'range', field, type, ...bounds };
}

function expected(type: FieldType, value: unknown): string {
  const what =
    type === 'keyword'
      ? 'a string'
      : type === 'number'
        ? 'a finite number'
        : type === 'boolean'
          ? 'true or false'
          : 'an ISO 8601 date (2024-05-01 or 2024-05-01T12:00:00Z) or epoch milliseconds';
  return `must be ${what} (the field is a ${type}), got ${kindOf(value)}`;
}

/** A short description of a value: primitives shown (cut at 40 characters), others by kind. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
