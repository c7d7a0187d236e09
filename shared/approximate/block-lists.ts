/**
 * Block lists: for every term, the blocks (of `blockSize` consecutive local docs) in which the term
 * reaches its highest impacts, with that impact in one byte. This is static pruning per term, as in
 * Seismic: a term's list keeps the `keep` fraction of its blocks with the largest maxima (at least
 * `minKeep`), so the lists of common terms, which carry low weights in most blocks, stay short. A
 * query adds its (cut) terms' lists into per-block bounds and scores the best blocks exactly.
 *
 * Region layout (little-endian, 4-byte aligned): u32 numTerms, u32 entries, u32 terms[numTerms]
 * (increasing), u32 starts[numTerms + 1] (term i's entries are [starts[i], starts[i+1])),
 * u32 blocks[entries] (increasing within a term), u8 maxes[entries].
 */
import { ShardFormatError } from '../shard/errors.ts';
import type { QuantizedVector } from '../sparse/types.ts';
import { type ApproximateBuildSettings, toSummaryByte } from './format.ts';

export interface BlockLists {
  readonly numBlocks: number;
  /** Index into `starts` of a term, or -1 when the term has no list. */
  listOf(term: number): number;
  readonly starts: Uint32Array;
  readonly blocks: Uint32Array;
  readonly maxes: Uint8Array;
}

export function encodeBlockLists(
  vectors: readonly QuantizedVector[],
  blockSize: number,
  vocabSize: number,
  topImpact: number,
  settings: Pick<ApproximateBuildSettings, 'blockListKeep' | 'blockListMinKeep' | 'blockListEntries'>,
): { bytes: Uint8Array; numTerms: number; entries: number; keep: number } {
  const perBlock = blockTermMaxima(vectors, blockSize, vocabSize, topImpact);
  const byTerm = groupByTerm(perBlock, vocabSize);
  // All of a term's blocks are kept while the shard's entries fit the budget.
  const keep = Math.max(
    settings.blockListKeep,
    Math.min(1, settings.blockListEntries / Math.max(1, perBlock.entries)),
  );
  const kept = keepBestBlocks(byTerm, vocabSize, keep, settings.blockListMinKeep);
  return { bytes: serialize(kept), numTerms: kept.terms.length, entries: kept.entries, keep };
}

/** Entries (term, summary byte of its largest impact) grouped by block, or by term. */
interface Entries {
  /** Group g's entries are [starts[g], starts[g + 1]). */
  readonly starts: Uint32Array;
  /** The other side of each entry: its term when grouped by block, its block when grouped by term. */
  readonly keys: Uint32Array;
  readonly maxes: Uint8Array;
  readonly entries: number;
}

/** Pass 1: each block's distinct terms with their largest impact, in block order. */
function blockTermMaxima(
  vectors: readonly QuantizedVector[],
  blockSize: number,
  vocabSize: number,
  topImpact: number,
): Entries {
  const numDocs = vectors.length;
  const numBlocks = Math.ceil(numDocs / blockSize);
  let capacity = 1024;
  let blockTerms = new Uint32Array(capacity);
  let blockMaxes = new Uint8Array(capacity);
  const blockStarts = new Uint32Array(numBlocks + 1);
  const maxOf = new Uint16Array(vocabSize);
  const touched: number[] = [];
  let n = 0;
  for (let b = 0; b < numBlocks; b++) {
    blockStarts[b] = n;
    for (let d = b * blockSize; d < Math.min(numDocs, (b + 1) * blockSize); d++) {
      const { terms, impacts } = vectors[d];
      for (let i = 0; i < terms.length; i++) {
        const t = terms[i];
        if (maxOf[t] === 0) touched.push(t);
        if (impacts[i] > maxOf[t]) maxOf[t] = impacts[i];
      }
    }
    if (n + touched.length > capacity) {
      capacity = Math.max(2 * capacity, n + touched.length);
      const grownTerms = new Uint32Array(capacity);
      grownTerms.set(blockTerms.subarray(0, n));
      blockTerms = grownTerms;
      const grownMaxes = new Uint8Array(capacity);
      grownMaxes.set(blockMaxes.subarray(0, n));
      blockMaxes = grownMaxes;
    }
    for (const t of touched) {
      blockTerms[n] = t;
      blockMaxes[n++] = toSummaryByte(maxOf[t], topImpact);
      maxOf[t] = 0;
    }
    touched.length = 0;
  }
  blockStarts[numBlocks] = n;
  return { starts: blockStarts, keys: blockTerms, maxes: blockMaxes, entries: n };
}

/** Pass 2: counting sort by term (stable, so each term's blocks stay in increasing order). */
function groupByTerm(perBlock: Entries, vocabSize: number): Entries {
  const { starts: blockStarts, keys: blockTerms, maxes: blockMaxes, entries: n } = perBlock;
  const termStarts = new Uint32Array(vocabSize + 1);
  for (let j = 0; j < n; j++) termStarts[blockTerms[j] + 1]++;
  for (let t = 0; t < vocabSize; t++) termStarts[t + 1] += termStarts[t];
  const fill = termStarts.slice(0, vocabSize);
  const blocks = new Uint32Array(n);
  const maxes = new Uint8Array(n);
  for (let b = 0; b + 1 < blockStarts.length; b++) {
    for (let j = blockStarts[b]; j < blockStarts[b + 1]; j++) {
      const at = fill[blockTerms[j]]++;
      blocks[at] = b;
      maxes[at] = blockMaxes[j];
    }
  }
  return { starts: termStarts, keys: blocks, maxes, entries: n };
}

/** The kept lists: terms increasing, each term's blocks increasing. */
interface KeptLists {
  readonly terms: number[];
  /** Term terms[i]'s entries are [starts[i], starts[i + 1]). */
  readonly starts: number[];
  readonly blocks: Uint32Array;
  readonly maxes: Uint8Array;
  readonly entries: number;
}

/**
 * Pass 3: keeps each term's best blocks (largest maxima; ties: smaller block id), at least minKeep,
 * a `keep` fraction of them, in block order.
 */
function keepBestBlocks(byTerm: Entries, vocabSize: number, keep: number, minKeep: number): KeptLists {
  const { starts: perTerm, keys: byTermBlocks, maxes: byTermMaxes, entries: n } = byTerm;
  const terms: number[] = [];
  const starts: number[] = [0];
  const blocks = new Uint32Array(n);
  const maxes = new Uint8Array(n);
  const histogram = new Uint32Array(256);
  let kept = 0;
  for (let t = 0; t < vocabSize; t++) {
    const from = perTerm[t];
    const to = perTerm[t + 1];
    const len = to - from;
    if (len === 0) continue;
    const want = Math.min(len, Math.max(minKeep, Math.ceil(len * keep)));
    let cut = 0;
    let ties = len;
    if (want < len) {
      histogram.fill(0);
      for (let p = from; p < to; p++) histogram[byTermMaxes[p]]++;
      let above = 0;
      cut = 255;
      while (above + histogram[cut] < want) above += histogram[cut--];
      ties = want - above;
    }
    for (let p = from; p < to; p++) {
      const m = byTermMaxes[p];
      if (m > cut || (m === cut && ties-- > 0)) {
        blocks[kept] = byTermBlocks[p];
        maxes[kept++] = m;
      }
    }
    terms.push(t);
    starts.push(kept);
  }
  return { terms, starts, blocks, maxes, entries: kept };
}

/** The region's bytes (layout in the header comment). */
function serialize(lists: KeptLists): Uint8Array {
  const numTerms = lists.terms.length;
  const kept = lists.entries;
  const header = 8 + 4 * numTerms + 4 * (numTerms + 1);
  const bytes = new Uint8Array(header + 4 * kept + kept);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, numTerms, true);
  view.setUint32(4, kept, true);
  const u32 = new Uint32Array(bytes.buffer, 0, (header + 4 * kept) / 4);
  u32.set(lists.terms, 2);
  u32.set(lists.starts, 2 + numTerms);
  u32.set(lists.blocks.subarray(0, kept), header / 4);
  bytes.set(lists.maxes.subarray(0, kept), header + 4 * kept);
  return bytes;
}

/** Parses a block-lists region (its CRC already checked); views, no copies when aligned. */
export function decodeBlockLists(bytes: Uint8Array, numBlocks: number, where: string): BlockLists {
  const fail = (detail: string): never => {
    throw new ShardFormatError(where, 'block lists', detail);
  };
  const data = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (data.length < 8) fail('region shorter than its header');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const numTerms = view.getUint32(0, true);
  const entries = view.getUint32(4, true);
  const header = 8 + 8 * numTerms + 4;
  if (header + 5 * entries !== data.length)
    fail(`${numTerms} terms and ${entries} entries do not fill ${data.length} bytes`);
  const terms = new Uint32Array(data.buffer, data.byteOffset + 8, numTerms);
  const starts = new Uint32Array(data.buffer, data.byteOffset + 8 + 4 * numTerms, numTerms + 1);
  const blocks = new Uint32Array(data.buffer, data.byteOffset + header, entries);
  const maxes = new Uint8Array(data.buffer, data.byteOffset + header + 4 * entries, entries);
  if (starts[0] !== 0 || starts[numTerms] !== entries) fail('list starts do not cover the entries');
  for (let i = 0; i < numTerms; i++) {
    if (starts[i + 1] < starts[i] || (i > 0 && terms[i] <= terms[i - 1])) fail(`term table at ${i}`);
  }
  for (let i = 0; i < entries; i++) if (blocks[i] >= numBlocks) fail(`block ${blocks[i]} ≥ ${numBlocks}`);
  // Dense lookup term → list, built once per shard (vocabulary-sized, 4 bytes per entry).
  const maxTerm = numTerms > 0 ? terms[numTerms - 1] : -1;
  const index = new Int32Array(maxTerm + 1).fill(-1);
  for (let i = 0; i < numTerms; i++) index[terms[i]] = i;
  return {
    numBlocks,
    listOf: (term) => (term < index.length ? index[term] : -1),
    starts,
    blocks,
    maxes,
  };
}
