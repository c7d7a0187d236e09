/**
 * A set of a shard's local documents as a bitset: bit (d & 31) of word d >>> 5. It is how a filter
 * reaches the top-k algorithms (SearchRequest.accept) and the approximate search: a membership test is
 * one load and a shift inside the hottest loops, and and / or / not are word-wise over numDocs / 32
 * words, so a filter compiled once per shard costs far less than the postings it restricts.
 * Bits at and past numDocs are always zero, so counting and complementing need no special case.
 */
export type DocSet = Uint32Array;

export function docSetWords(numDocs: number): number {
  return (numDocs + 31) >>> 5;
}

export function emptyDocSet(numDocs: number): DocSet {
  return new Uint32Array(docSetWords(numDocs));
}

export function fullDocSet(numDocs: number): DocSet {
  const set = new Uint32Array(docSetWords(numDocs)).fill(0xffffffff);
  clearTail(set, numDocs);
  return set;
}

export function hasDoc(set: DocSet, doc: number): boolean {
  return ((set[doc >>> 5] >>> (doc & 31)) & 1) === 1;
}

export function addDoc(set: DocSet, doc: number): void {
  set[doc >>> 5] |= 1 << (doc & 31);
}

/** The set of the given docs (each < numDocs). */
export function docSetOf(docs: ArrayLike<number>, numDocs: number): DocSet {
  const set = emptyDocSet(numDocs);
  for (let i = 0; i < docs.length; i++) addDoc(set, docs[i]);
  return set;
}

/** Number of documents in the set. */
export function countDocs(set: DocSet): number {
  let n = 0;
  for (let w = 0; w < set.length; w++) n += popcount(set[w]);
  return n;
}

/** Number of documents of the set in [from, to). */
export function countDocsIn(set: DocSet, from: number, to: number): number {
  let n = 0;
  let d = from;
  for (; d < to && (d & 31) !== 0; d++) if (hasDoc(set, d)) n++;
  for (; d + 32 <= to; d += 32) n += popcount(set[d >>> 5]);
  for (; d < to; d++) if (hasDoc(set, d)) n++;
  return n;
}

function popcount(word: number): number {
  let x = word >>> 0;
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** The documents of the set, ascending. */
export function docsOf(set: DocSet): Uint32Array {
  const out = new Uint32Array(countDocs(set));
  let at = 0;
  for (let w = 0; w < set.length; w++) {
    let m = set[w];
    while (m !== 0) {
      const b = 31 - Math.clz32(m & -m);
      m &= m - 1;
      out[at++] = (w << 5) | b;
    }
  }
  return out;
}

export function intersect(a: DocSet, b: DocSet): DocSet {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & b[w];
  return out;
}

export function union(a: DocSet, b: DocSet): DocSet {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] | b[w];
  return out;
}

/** The documents of [0, numDocs) not in the set. */
export function complement(set: DocSet, numDocs: number): DocSet {
  const out = new Uint32Array(set.length);
  for (let w = 0; w < set.length; w++) out[w] = ~set[w];
  clearTail(out, numDocs);
  return out;
}

function clearTail(set: DocSet, numDocs: number): void {
  const rest = numDocs & 31;
  if (rest !== 0 && set.length > 0) set[set.length - 1] &= (1 << rest) - 1;
}
