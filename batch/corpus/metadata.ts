/**
 * A corpus line's metadata: what a search result returns as `fields.metadata`, as the line gave it. The
 * line's own `metadata` field is the metadata (BEIR corpora carry one per line); fields of the line that
 * csplade does not know (`lang`, `year`, …) join it, or form it when the line has none. A line whose extra
 * fields would overwrite a key of its `metadata` object, or that has extra fields beside a `metadata` that
 * is no object, cannot keep both: it is rejected with a reason rather than silently losing one of them.
 * Entries are copied as own data properties, so a key such as "__proto__" stays a key.
 *
 * @example metadataOf({ _id: 'a', text: 't', metadata: { year: 2020 }, lang: 'en' }, KNOWN)
 *          // { ok: true, metadata: { year: 2020, lang: 'en' } }
 */

export type MetadataVerdict =
  | { readonly ok: true; readonly metadata?: unknown }
  | { readonly ok: false; readonly detail: string };

const METADATA = 'metadata';

export function metadataOf(record: Record<string, unknown>, known: ReadonlySet<string>): MetadataVerdict {
  const extras = Object.keys(record).filter((key) => key !== METADATA && !known.has(key));
  const given = Object.hasOwn(record, METADATA) ? record[METADATA] : undefined;
  const extraEntries = extras.map((key) => [key, record[key]] as const);
  if (given === undefined || given === null) {
    return extras.length === 0 ? { ok: true } : { ok: true, metadata: Object.fromEntries(extraEntries) };
  }
  if (extras.length === 0) return { ok: true, metadata: given };
  if (typeof given !== 'object' || Array.isArray(given)) {
    return {
      ok: false,
      detail: `"metadata" is ${Array.isArray(given) ? 'an array' : `a ${typeof given}`}, so the line's other fields (${extras.join(', ')}) cannot join it`,
    };
  }
  const clashes = extras.filter((key) => Object.hasOwn(given, key));
  if (clashes.length > 0) {
    return {
      ok: false,
      detail: `${clashes.map((k) => JSON.stringify(k)).join(', ')} is both a field of the line and a key of its "metadata"`,
    };
  }
  return { ok: true, metadata: Object.fromEntries([...Object.entries(given), ...extraEntries]) };
}
