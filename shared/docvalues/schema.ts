/**
 * Filterable fields: which keys of a document's metadata an index can filter on, and as what type. They
 * are declared when the index is built (`csplade index --filterable lang:keyword,year:number`) because
 * each becomes a compact per-shard structure (columns.ts) that a query reads by range; a field nobody
 * declared has no structure, so a filter on it is a 400 naming it rather than a scan of stored records.
 *
 * Values are normalized here once, for the build and for requests alike: a keyword is a string (a
 * document may carry several: an array of strings), a number a finite number, a boolean true/false, a
 * date an ISO 8601 string (or, in requests, epoch milliseconds) kept as epoch milliseconds.
 */
import { CspladeError } from '../errors.ts';

export const FIELD_TYPES = ['keyword', 'number', 'boolean', 'date'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Field name → type, as the manifest records it. */
export type FilterableSchema = Readonly<Record<string, FieldType>>;

/** Words of the filter language: no field may be called so. */
export const RESERVED_FIELD_NAMES = new Set(['and', 'or', 'not']);
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** Longest keyword value kept (longer ones are not filterable values: ids, not categories). */
export const MAX_KEYWORD_BYTES = 512;

export class FilterableSpecError extends CspladeError {
  constructor(message: string) {
    super('invalid_filterable', message);
  }
}

/** Parses `lang:keyword,year:number,…` (the CLI flag) into a schema, naming what is wrong. */
export function parseFilterableSpec(spec: string): FilterableSchema {
  const schema: Record<string, FieldType> = {};
  for (const part of spec.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const [name, type, ...rest] = part.split(':');
    if (rest.length > 0 || type === undefined) {
      throw new FilterableSpecError(`"${part}": write <field>:<type>, e.g. lang:keyword`);
    }
    checkFieldName(name);
    if (!(FIELD_TYPES as readonly string[]).includes(type)) {
      throw new FilterableSpecError(`"${part}": type must be one of ${FIELD_TYPES.join(', ')}`);
    }
    if (Object.hasOwn(schema, name)) throw new FilterableSpecError(`field "${name}" is declared twice`);
    schema[name] = type as FieldType;
  }
  return schema;
}

export function checkFieldName(name: string): void {
  if (!FIELD_NAME.test(name) || RESERVED_FIELD_NAMES.has(name) || name === '__proto__') {
    throw new FilterableSpecError(
      `field name "${name}" must be 1–64 of A-Z a-z 0-9 _ . - (starting with a letter or _), and not and/or/not`,
    );
  }
}

/**
 * A document's values of one field, normalized; [] when the metadata lacks the field, and null when it
 * has a value of another type (the build counts those, and leaves the document without a value).
 */
export function documentValues(metadata: unknown, field: string, type: FieldType): unknown[] | null {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return [];
  if (!Object.hasOwn(metadata, field)) return [];
  const value = (metadata as Record<string, unknown>)[field];
  if (value === null || value === undefined) return [];
  if (type === 'keyword') {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === 'string' && utf8Length(v) <= MAX_KEYWORD_BYTES)) return null;
    return [...new Set(list as string[])];
  }
  const normalized = normalizeValue(value, type, false);
  return normalized === undefined ? null : [normalized];
}

/**
 * One value of a field of `type`, normalized (date → epoch ms), or undefined when it is not one.
 * `request`: whether a date may also be given as epoch milliseconds (a number), as requests may.
 */
export function normalizeValue(value: unknown, type: FieldType, request: boolean): unknown {
  switch (type) {
    case 'keyword':
      return typeof value === 'string' ? value : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'date':
      if (request && typeof value === 'number' && Number.isFinite(value)) return value;
      return typeof value === 'string' ? parseIsoDate(value) : undefined;
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Epoch milliseconds of an ISO 8601 date or date-time (UTC unless it says otherwise), or undefined. */
export function parseIsoDate(text: string): number | undefined {
  if (!ISO_DATE.test(text)) return undefined;
  const withZone = /T.*(Z|[+-]\d{2}:\d{2})$/.test(text) || !text.includes('T') ? text : `${text}Z`;
  const ms = Date.parse(withZone);
  return Number.isFinite(ms) ? ms : undefined;
}

const utf8 = new TextEncoder();

function utf8Length(text: string): number {
  return utf8.encode(text).length;
}
