/**
 * trec_eval's ranking of a run, reproduced so our numbers and trec_eval's agree on the same file.
 *
 * trec_eval ignores the rank column and the order of lines: it sorts one query's documents by score
 * descending and breaks ties by document id DESCENDING in strcmp (byte) order (`comp_sim_docno` in
 * trec_eval's form_res_rels.c), then keeps the first `-M` documents. Scores are compared as doubles,
 * so callers must rank the same doubles they write (run-file writers print the shortest round-trip
 * form, which parses back to the identical double). Byte order of UTF-8 is code-point order, which
 * differs from JavaScript's UTF-16 `<` only for astral characters against U+E000–U+FFFF, so ids are
 * compared by code point here. trec_eval stops with "duplicate docs" when a document appears twice
 * for one query; that is our default too (`DuplicateDocumentError`), and `keep-first` keeps only the
 * highest-ranked occurrence (before the depth cut, so depth counts distinct documents).
 */
import { DuplicateDocumentError, EvalInputError } from './errors.ts';
import type { ScoredDoc } from './types.ts';

export interface RankOptions {
  /** Keep only the first `depth` documents after sorting (trec_eval -M). Default: all. */
  readonly depth?: number;
  /** `error` (default, as trec_eval) or `keep-first` (keep a document's highest-ranked occurrence). */
  readonly duplicates?: 'error' | 'keep-first';
}

/** Maps a UTF-16 code unit so that unit order equals code-point (= UTF-8 byte) order. */
function codePointOrderUnit(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/**
 * strcmp-style comparison of two ids as UTF-8 bytes: negative, zero or positive.
 * @example compareIdBytes('b', 'a') > 0
 */
export function compareIdBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrderUnit(x) - codePointOrderUnit(y);
  }
  return a.length - b.length;
}

/** trec_eval's order: score descending, then document id descending (byte order). */
export function compareTrecEval(a: ScoredDoc, b: ScoredDoc): number {
  if (a.score > b.score) return -1;
  if (a.score < b.score) return 1;
  return compareIdBytes(b.docId, a.docId);
}

/**
 * Sorts one query's documents as trec_eval does and applies the duplicate policy and depth.
 * @example rankForTrecEval('q1', [{docId:'a',score:1},{docId:'b',score:1}]).map(d => d.docId) // ['b','a']
 */
export function rankForTrecEval(
  queryId: string,
  docs: readonly ScoredDoc[],
  options: RankOptions = {},
): ScoredDoc[] {
  for (const doc of docs) {
    if (Number.isNaN(doc.score)) {
      throw new EvalInputError(`query "${queryId}": document "${doc.docId}" has score NaN`);
    }
  }
  const sorted = [...docs].sort(compareTrecEval);
  const seen = new Set<string>();
  const out: ScoredDoc[] = [];
  for (const doc of sorted) {
    if (seen.has(doc.docId)) {
      if ((options.duplicates ?? 'error') === 'error') throw new DuplicateDocumentError(queryId, doc.docId);
      continue;
    }
    seen.add(doc.docId);
    out.push(doc);
  }
  const depth = options.depth;
  if (depth !== undefined) {
    if (!Number.isInteger(depth) || depth < 1) {
      throw new EvalInputError(`ranking depth must be an integer ≥ 1, got ${depth}`);
    }
    if (out.length > depth) out.length = depth;
  }
  return out;
}
