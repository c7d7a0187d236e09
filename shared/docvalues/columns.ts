/**
 * The per-shard structure of each filterable field (schema.ts), chosen so a filter reads only what it
 * tests and compiles into a doc set (shared/engine/doc-set.ts) with word-wise work:
 * - keyword and boolean: the field's distinct values (sorted, in the file's head) and per value the set
 *   of local docs holding it, as sorted doc ids or as a bitset, whichever is smaller. An equality or
 *   `in` filter reads the sets of its values only.
 * - number and date: one column of a value per local doc: Int32 when every value is an integer that
 *   fits (missing = -2^31), else Float64 (missing = NaN). Dates are epoch milliseconds (Float64).
 *   A range filter reads the column and compares.
 * Bytes are little-endian, as every typed array here is.
 */
import { type DocSet, docSetOf, docSetWords } from '../engine/doc-set.ts';
import { ShardFormatError } from '../shard/errors.ts';
import { documentValues, type FieldType } from './schema.ts';

export type SetKind = 'ids' | 'bits';
export type ColumnEncoding = 'i32' | 'f64';
export const MISSING_I32 = -0x80000000;

/** What the head says about one field of one shard. Section numbers index the file's section table. */
export interface FieldEntry {
  readonly name: string;
  readonly type: FieldType;
  /** Documents with a value. */
  readonly count: number;
  /** Documents whose value had another type (left without a value). */
  readonly ignored: number;
  /** keyword / boolean: distinct values, sorted; their doc sets' sections, kinds and sizes. */
  readonly values?: string[];
  readonly sets?: number[];
  readonly kinds?: SetKind[];
  readonly sizes?: number[];
  /** number / date: the column's section and encoding, and the smallest and largest value. */
  readonly column?: number;
  readonly encoding?: ColumnEncoding;
  readonly min?: number;
  readonly max?: number;
}

/** A field's sections (bytes, in order) and its entry with section numbers counted from `firstSection`. */
export interface BuiltField {
  readonly entry: FieldEntry;
  readonly sections: Uint8Array[];
}

/** Builds one field's structure over a shard's documents' metadata. */
export function buildField(
  name: string,
  type: FieldType,
  metadata: readonly unknown[],
  firstSection: number,
): BuiltField {
  const numDocs = metadata.length;
  let count = 0;
  let ignored = 0;
  const perDoc = metadata.map((m) => {
    const values = documentValues(m, name, type);
    if (values === null) ignored++;
    else if (values.length > 0) count++;
    return values ?? [];
  });
  if (type === 'keyword' || type === 'boolean') {
    const byValue = new Map<string, number[]>();
    perDoc.forEach((values, doc) => {
      for (const v of values) {
        const key = String(v);
        const docs = byValue.get(key) ?? [];
        docs.push(doc);
        byValue.set(key, docs);
      }
    });
    const values = [...byValue.keys()].sort();
    const sections = values.map((v) => encodeSet(byValue.get(v)!, numDocs));
    return {
      entry: {
        name,
        type,
        count,
        ignored,
        values,
        sets: values.map((_, i) => firstSection + i),
        kinds: sections.map((s) => s.kind),
        sizes: values.map((v) => byValue.get(v)!.length),
      },
      sections: sections.map((s) => s.bytes),
    };
  }
  const numbers = perDoc.map((values) => (values.length > 0 ? (values[0] as number) : undefined));
  const present = numbers.filter((n): n is number => n !== undefined);
  const fitsI32 = present.every((n) => Number.isInteger(n) && n > MISSING_I32 && n <= 0x7fffffff);
  const column = fitsI32
    ? Int32Array.from(numbers, (n) => n ?? MISSING_I32)
    : Float64Array.from(numbers, (n) => n ?? Number.NaN);
  return {
    entry: {
      name,
      type,
      count,
      ignored,
      column: firstSection,
      encoding: fitsI32 ? 'i32' : 'f64',
      min: present.reduce((a, b) => Math.min(a, b), present[0] ?? 0),
      max: present.reduce((a, b) => Math.max(a, b), present[0] ?? 0),
    },
    sections: [new Uint8Array(column.buffer)],
  };
}

function encodeSet(docs: readonly number[], numDocs: number): { kind: SetKind; bytes: Uint8Array } {
  if (docs.length <= docSetWords(numDocs))
    return { kind: 'ids', bytes: new Uint8Array(Uint32Array.from(docs).buffer) };
  return { kind: 'bits', bytes: new Uint8Array(docSetOf(docs, numDocs).buffer) };
}

/** The doc set of one keyword/boolean value from its section's bytes. */
export function decodeSet(bytes: Uint8Array, kind: SetKind, numDocs: number, where: string): DocSet {
  const words = aligned32(bytes, where);
  if (kind === 'bits') {
    if (words.length !== docSetWords(numDocs))
      throw new ShardFormatError(
        where,
        'doc values',
        `a bitset of ${words.length} words for ${numDocs} docs`,
      );
    return words;
  }
  for (let i = 0; i < words.length; i++) {
    if (words[i] >= numDocs || (i > 0 && words[i] <= words[i - 1])) {
      throw new ShardFormatError(where, 'doc values', 'doc ids out of order or out of range');
    }
  }
  return docSetOf(words, numDocs);
}

/** A number/date column from its section's bytes. */
export function decodeColumn(
  bytes: Uint8Array,
  encoding: ColumnEncoding,
  numDocs: number,
  where: string,
): Int32Array | Float64Array {
  const width = encoding === 'i32' ? 4 : 8;
  if (bytes.length !== numDocs * width) {
    throw new ShardFormatError(where, 'doc values', `a column of ${bytes.length} bytes for ${numDocs} docs`);
  }
  const copy = bytes.byteOffset % width === 0 ? bytes : bytes.slice();
  return encoding === 'i32'
    ? new Int32Array(copy.buffer, copy.byteOffset, numDocs)
    : new Float64Array(copy.buffer, copy.byteOffset, numDocs);
}

function aligned32(bytes: Uint8Array, where: string): Uint32Array {
  if (bytes.length % 4 !== 0) throw new ShardFormatError(where, 'doc values', 'a set is not whole words');
  const copy = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Uint32Array(copy.buffer, copy.byteOffset, bytes.length / 4);
}
