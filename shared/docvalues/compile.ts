/**
 * A parsed filter (filter.ts) → the doc set of one shard's documents that pass it, from the sections of
 * that shard's doc-values file (file.ts). Two steps, so the edge can read every shard's sections in one
 * planned batch: `neededSections` says which sections a filter tests (for `in` on a keyword only the
 * listed values' sets; for a range the column), `compileFilter` combines them word-wise.
 */
import { complement, type DocSet, docSetWords, emptyDocSet, intersect, union } from '../engine/doc-set.ts';
import { ShardFormatError } from '../shard/errors.ts';
import { decodeColumn, decodeSet, type FieldEntry, MISSING_I32 } from './columns.ts';
import type { DocValuesHead } from './file.ts';
import type { FilterNode } from './filter.ts';

/** Section numbers the filter reads in a shard with this head. */
export function neededSections(node: FilterNode, head: DocValuesHead, key: string): number[] {
  const out = new Set<number>();
  const visit = (n: FilterNode) => {
    if (n.op === 'and' || n.op === 'or') n.of.forEach(visit);
    else if (n.op === 'not') visit(n.of);
    else {
      const entry = fieldEntry(head, n.field, key);
      if (entry.column !== undefined) out.add(entry.column);
      else if (n.op === 'in') {
        for (const v of n.values) {
          const i = valueIndex(entry, v);
          if (i >= 0) out.add(entry.sets![i]);
        }
      } else for (const s of entry.sets ?? []) out.add(s);
    }
  };
  visit(node);
  return [...out].sort((a, b) => a - b);
}

/** The shard's doc set of `node`; `section(i)` gives section i's (CRC-checked) bytes. */
export function compileFilter(
  node: FilterNode,
  head: DocValuesHead,
  section: (i: number) => Uint8Array,
  key: string,
): DocSet {
  const n = head.numDocs;
  switch (node.op) {
    case 'and':
      return node.of.map((f) => compileFilter(f, head, section, key)).reduce((a, b) => intersect(a, b));
    case 'or':
      return node.of.map((f) => compileFilter(f, head, section, key)).reduce((a, b) => union(a, b));
    case 'not':
      return complement(compileFilter(node.of, head, section, key), n);
  }
  const entry = fieldEntry(head, node.field, key);
  if (entry.column !== undefined) {
    const column = decodeColumn(section(entry.column), entry.encoding ?? 'f64', n, key);
    if (node.op !== 'exists') return columnSet(column, n, matcher(node));
    const present = columnSet(column, n, () => true);
    return node.exists ? present : complement(present, n);
  }
  const sets = entry.sets ?? [];
  const setOf = (i: number) => decodeSet(section(sets[i]), entry.kinds?.[i] ?? 'ids', n, key);
  if (node.op === 'exists') {
    const present = sets.map((_, i) => setOf(i)).reduce((a, b) => union(a, b), emptyDocSet(n));
    return node.exists ? present : complement(present, n);
  }
  if (node.op === 'range') throw new ShardFormatError(key, 'doc values', `${node.field} has no column`);
  let out = emptyDocSet(n);
  for (const v of node.values) {
    const i = valueIndex(entry, v);
    if (i >= 0) out = union(out, setOf(i));
  }
  return out;
}

function fieldEntry(head: DocValuesHead, field: string, key: string): FieldEntry {
  const entry = head.fields.find((f) => f.name === field);
  if (!entry) throw new ShardFormatError(key, 'doc values', `no structure for filterable field "${field}"`);
  return entry;
}

/** Index of a value in a keyword/boolean field's sorted dictionary, or -1. */
function valueIndex(entry: FieldEntry, value: unknown): number {
  const values = entry.values ?? [];
  const wanted = String(value);
  let lo = 0;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] === wanted) return mid;
    if (values[mid] < wanted) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The value test of an `in` or range clause over a number/date column. */
function matcher(node: FilterNode): (v: number) => boolean {
  if (node.op === 'in') {
    const wanted = new Set(node.values as number[]);
    return (v) => wanted.has(v);
  }
  if (node.op !== 'range') throw new Error(`not a column clause: ${node.op}`);
  const { gt, gte, lt, lte } = node;
  return (v) =>
    (gt === undefined || v > gt) &&
    (gte === undefined || v >= gte) &&
    (lt === undefined || v < lt) &&
    (lte === undefined || v <= lte);
}

/** Docs with a value that passes `test` (a missing value never passes). */
function columnSet(column: Int32Array | Float64Array, numDocs: number, test: (v: number) => boolean): DocSet {
  const out = new Uint32Array(docSetWords(numDocs));
  const missing = column instanceof Int32Array ? MISSING_I32 : Number.NaN;
  for (let d = 0; d < numDocs; d++) {
    const v = column[d];
    if (v !== missing && !Number.isNaN(v) && test(v)) out[d >>> 5] |= 1 << (d & 31);
  }
  return out;
}
