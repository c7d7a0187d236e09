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
  const numDocs = vectors.length;
  const numBlocks = Math.ceil(numDocs / blockSize);
  // Pass 1: each block's distinct terms with their largest impact, in block order.
  let capacity = 1024;
  let blockTerms = new Uint32Array(capacity);
  let blockMaxes = new Uint8Array(capacity);
  const blockStarts = new Uint32Array(numBlocks + 1);
  const perTerm = new Uint32Array(vocabSize + 1);
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
      perTerm[t + 1]++;
      maxOf[t] = 0;
    }
    touched.length = 0;
  }
  blockStarts[numBlocks] = n;
  // Pass 2: counting sort by term (stable, so each term's blocks stay in increasing order).
  for (let t = 0; t < vocabSize; t++) perTerm[t + 1] += perTerm[t];
  const fill = perTerm.slice(0, vocabSize);
  const byTermBlocks = new Uint32Array(n);
  const byTermMaxes = new Uint8Array(n);
  for (let b = 0; b < numBlocks; b++) {
    for (let j = blockStarts[b]; j < blockStarts[b + 1]; j++) {
      const at = fill[blockTerms[j]]++;
      byTermBlocks[at] = b;
      byTermMaxes[at] = blockMaxes[j];
    }
  }
  // Pass 3: keep each term's best blocks (largest maxima; ties: smaller block id), in block order — all
  // of them while the shard's entries fit the budget.
  const keep = Math.max(settings.blockListKeep, Math.min(1, settings.blockListEntries / Math.max(1, n)));
  const keptTerms: number[] = [];
  const keptStarts: number[] = [0];
  const keptBlocks = new Uint32Array(n);
  const keptMaxes = new Uint8Array(n);
  const histogram = new Uint32Array(256);
  let kept = 0;
  for (let t = 0; t < vocabSize; t++) {
    const from = perTerm[t];
    const to = perTerm[t + 1];
    const len = to - from;
    if (len === 0) continue;
    const want = Math.min(len, Math.max(settings.blockListMinKeep, Math.ceil(len * keep)));
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
        keptBlocks[kept] = byTermBlocks[p];
        keptMaxes[kept++] = m;
      }
    }
    keptTerms.push(t);
    keptStarts.push(kept);
  }
  const numTerms = keptTerms.length;
  const header = 8 + 4 * numTerms + 4 * (numTerms + 1);
  const bytes = new Uint8Array(header + 4 * kept + kept);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, numTerms, true);
  view.setUint32(4, kept, true);
  const u32 = new Uint32Array(bytes.buffer, 0, (header + 4 * kept) / 4);
  u32.set(keptTerms, 2);
  u32.set(keptStarts, 2 + numTerms);
  u32.set(keptBlocks.subarray(0, kept), header / 4);
  bytes.set(keptMaxes.subarray(0, kept), header + 4 * kept);
  return { bytes, numTerms, entries: kept, keep };
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
