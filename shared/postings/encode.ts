/**
 * Encoder of one term's posting list into a self-describing blob (format version 2, README.md).
 *
 * The cut points of the blocks come first (partition.ts: blocks sized to the data, whole
 * multiples of 32 postings up to blockSize), then two passes over the postings: the first
 * chooses each block's bit widths and so the exact blob size, the second writes header, skip
 * table, optional range maxima and packed blocks into one exactly sized Uint8Array. Doc ids are
 * stored as gaps minus one (so dense lists cost ~1 bit per doc) and impacts as impact minus one
 * with the width of the block's maximum, which the skip table stores anyway; no byte offsets are
 * stored because the decoder derives them from widths and counts.
 */
import { bitWidth, packBits, packedByteLength } from '../codec/bitpack.ts';
import {
  blockCountBytes,
  DEFAULT_BLOCK_SIZE,
  DEFAULT_RANGE_BLOCK_BITS,
  DEFAULT_SUPER_BLOCK_BITS,
  FLAG_RANGE_MAXIMA,
  FLAG_WIDE_IMPACTS,
  HEADER_BYTES,
  POSTINGS_MAGIC_0,
  POSTINGS_MAGIC_1,
  POSTINGS_VERSION,
  PostingsInputError,
  SKIP_GROUP_BLOCKS,
} from './format.ts';
import { chooseBlockEnds } from './partition.ts';

export interface PostingListEncodeOptions {
  /** Most postings in one block, 1..65535 (default 128); blocks are cut to the data below it. */
  blockSize?: number;
  /** Doc-range block = 2^bits docs, 0..24 (default 6: 64 docs). */
  rangeBlockBits?: number;
  /** Superblock = 2^bits range blocks (default 6); rangeBlockBits + superBlockBits <= 24. */
  superBlockBits?: number;
  /**
   * Lists with at least this many postings carry range maxima (a dense array of one byte per
   * range block). Shorter lists do not: the engine decodes them whole at query time and computes
   * exact partial scores, which bound blocks far more tightly than stored maxima would.
   * Default: the number of range blocks, so the array never costs more than 1 byte/posting.
   */
  rangeMaximaMinDf?: number;
  /**
   * When > 0, each list's own range block is coarsened (up to the superblock) until it holds
   * about this many of the list's postings, so maxima cost ~1/this bytes per posting whatever
   * the df; the superblock size in docs stays the same for every list. Default 0 (off): coarse
   * maxima of mid-frequency lists loosen the bounds so much that BMP scores far more blocks.
   */
  rangeMaximaPostingsPerBlock?: number;
}

/** Resolved encoder options (defaults applied), shared with the inverter. */
export interface ResolvedEncodeOptions {
  blockSize: number;
  rangeBlockBits: number;
  superBlockBits: number;
  rangeMaximaMinDf: number;
  rangeMaximaPostingsPerBlock: number;
}

export const DEFAULT_RANGE_MAXIMA_POSTINGS_PER_BLOCK = 0;

export function resolveEncodeOptions(
  numDocs: number,
  options?: PostingListEncodeOptions,
): ResolvedEncodeOptions {
  const blockSize = options?.blockSize ?? DEFAULT_BLOCK_SIZE;
  const rangeBlockBits = options?.rangeBlockBits ?? DEFAULT_RANGE_BLOCK_BITS;
  const superBlockBits = options?.superBlockBits ?? DEFAULT_SUPER_BLOCK_BITS;
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > 0xffff) {
    throw new PostingsInputError(`blockSize must be an integer in 1..65535, got ${blockSize}`);
  }
  if (!Number.isInteger(rangeBlockBits) || rangeBlockBits < 0 || rangeBlockBits > 24) {
    throw new PostingsInputError(`rangeBlockBits must be an integer in 0..24, got ${rangeBlockBits}`);
  }
  if (!Number.isInteger(superBlockBits) || superBlockBits < 0 || rangeBlockBits + superBlockBits > 24) {
    throw new PostingsInputError(
      `superBlockBits must be an integer >= 0 with rangeBlockBits + superBlockBits <= 24, got ${superBlockBits}`,
    );
  }
  if (!Number.isInteger(numDocs) || numDocs < 0 || numDocs > 0xffffffff) {
    throw new PostingsInputError(`numDocs must be an integer in 0..2^32-1, got ${numDocs}`);
  }
  const rangeMaximaMinDf = options?.rangeMaximaMinDf ?? Math.max(1, Math.ceil(numDocs / 2 ** rangeBlockBits));
  const rangeMaximaPostingsPerBlock =
    options?.rangeMaximaPostingsPerBlock ?? DEFAULT_RANGE_MAXIMA_POSTINGS_PER_BLOCK;
  if (!(rangeMaximaPostingsPerBlock >= 0)) {
    throw new PostingsInputError(
      `rangeMaximaPostingsPerBlock must be >= 0, got ${rangeMaximaPostingsPerBlock}`,
    );
  }
  return { blockSize, rangeBlockBits, superBlockBits, rangeMaximaMinDf, rangeMaximaPostingsPerBlock };
}

/**
 * Encodes one posting list. `docs` strictly increasing in [0, numDocs), `impacts[i] >= 1`.
 * `start`/`end` select a slice of the arrays (the inverter passes one big array for all terms).
 */
export function encodePostingList(
  docs: Uint32Array,
  impacts: Uint16Array,
  numDocs: number,
  options?: PostingListEncodeOptions,
): Uint8Array {
  if (docs.length !== impacts.length) {
    throw new PostingsInputError(`docs (${docs.length}) and impacts (${impacts.length}) differ in length`);
  }
  return encodePostingSlice(docs, impacts, 0, docs.length, numDocs, resolveEncodeOptions(numDocs, options));
}

/**
 * What one more block costs the reader, in bytes of index it is worth: every block is one more
 * skip entry to check and one more decode call. A small charge keeps the index close to its
 * smallest cut while cutting noticeably fewer blocks.
 */
const BLOCK_DECODE_COST = 8;

// Scratch buffers reused across calls: the inverter encodes tens of thousands of lists.
let gapScratch = new Uint32Array(DEFAULT_BLOCK_SIZE);
let impactScratch = new Uint32Array(DEFAULT_BLOCK_SIZE);

/** Encodes `docs/impacts[start..end)`; options already resolved. */
export function encodePostingSlice(
  docs: Uint32Array,
  impacts: Uint16Array,
  start: number,
  end: number,
  numDocs: number,
  opts: ResolvedEncodeOptions,
): Uint8Array {
  const maxImpact = checkPostings(docs, impacts, start, end, numDocs);
  const layout = planLayout(docs, impacts, start, end, numDocs, maxImpact, opts);
  const out = new Uint8Array(layout.byteLength);
  const view = new DataView(out.buffer);
  let pos = writeHeader(out, view, layout);
  pos = writeSkipTable(out, view, pos, layout, docs, start);
  if (layout.withRanges) pos = writeRangeMaxima(view, pos, layout, docs, impacts, start, end);
  pos = writeBlocks(out, pos, layout, docs, impacts, start);
  if (pos !== out.length)
    throw new Error(`postings encoder size mismatch: wrote ${pos}, sized ${out.length}`);
  return out;
}

/** Checks that docs are strictly increasing below numDocs and impacts >= 1; returns the largest impact. */
function checkPostings(
  docs: Uint32Array,
  impacts: Uint16Array,
  start: number,
  end: number,
  numDocs: number,
): number {
  let maxImpact = 0;
  let prev = -1;
  for (let i = start; i < end; i++) {
    const d = docs[i];
    if (d <= prev || d >= numDocs) {
      throw new PostingsInputError(
        `doc ids must be strictly increasing and < numDocs (${numDocs}): got ${d} after ${prev} at index ${i - start}`,
      );
    }
    const imp = impacts[i];
    if (imp < 1) throw new PostingsInputError(`impact must be >= 1, got ${imp} for doc ${d}`);
    if (imp > maxImpact) maxImpact = imp;
    prev = d;
  }
  return maxImpact;
}

/** Everything the writer needs to know before it writes: block cuts, widths, sizes. */
interface ListLayout {
  readonly df: number;
  readonly numDocs: number;
  readonly maxImpact: number;
  readonly blockSize: number;
  readonly wide: boolean;
  /** Block b holds postings [blockEnds[b-1], blockEnds[b]) of the slice (blockEnds[-1] = 0). */
  readonly blockEnds: Uint32Array;
  readonly docWidths: Uint8Array;
  readonly blockMaxes: Uint16Array;
  /** Payload offset of every SKIP_GROUP_BLOCKS-th block. */
  readonly groupStarts: Uint32Array;
  /** Bytes per stored posting count: 0 when one block holds all df postings. */
  readonly storedCountBytes: number;
  readonly headerBytes: number;
  readonly withRanges: boolean;
  /** This list's own range and superblock geometry (see rangeMaximaPostingsPerBlock). */
  readonly rangeBlockBits: number;
  readonly superBlockBits: number;
  readonly numRangeBlocks: number;
  readonly numSuperBlocks: number;
  readonly byteLength: number;
}

/** Pass 1: cuts the blocks and chooses each block's bit widths, and so the exact blob size. */
function planLayout(
  docs: Uint32Array,
  impacts: Uint16Array,
  start: number,
  end: number,
  numDocs: number,
  maxImpact: number,
  opts: ResolvedEncodeOptions,
): ListLayout {
  const df = end - start;
  const { blockSize } = opts;
  const wide = maxImpact > 0xff;
  const impactBytes = wide ? 2 : 1;
  const countBytes = blockCountBytes(blockSize);
  const skipEntryBytes = 4 + impactBytes + 1 + countBytes;
  const blockEnds =
    df === 0
      ? new Uint32Array(0)
      : chooseBlockEnds(docs, impacts, start, end, blockSize, skipEntryBytes + BLOCK_DECODE_COST);
  const numBlocks = blockEnds.length;
  const withRanges = df > 0 && df >= opts.rangeMaximaMinDf;
  // This list's range block: coarsened so it holds ~rangeMaximaPostingsPerBlock postings.
  const superShift = opts.rangeBlockBits + opts.superBlockBits;
  const wanted =
    opts.rangeMaximaPostingsPerBlock > 0
      ? Math.ceil(Math.log2((opts.rangeMaximaPostingsPerBlock * Math.max(1, numDocs)) / Math.max(1, df)))
      : 0;
  const rangeBlockBits = Math.min(superShift, Math.max(opts.rangeBlockBits, wanted));
  const superBlockBits = superShift - rangeBlockBits;
  const numRangeBlocks = withRanges ? Math.ceil(numDocs / 2 ** rangeBlockBits) : 0;
  const numSuperBlocks = withRanges ? Math.ceil(numRangeBlocks / 2 ** superBlockBits) : 0;
  const { docWidths, blockMaxes, groupStarts, payloadBytes } = blockWidths(docs, impacts, start, blockEnds);
  const numGroups = groupStarts.length;
  // One block holds df postings (no counts); group 0 starts the payload (not stored).
  const storedCountBytes = numBlocks > 1 ? countBytes : 0;
  const headerBytes = numBlocks < 0xffff ? HEADER_BYTES : HEADER_BYTES + 4;
  const skipBytes = numBlocks * (4 + impactBytes + 1 + storedCountBytes) + 4 * Math.max(0, numGroups - 1);
  const rangeBytes = (numRangeBlocks + numSuperBlocks) * impactBytes;
  return {
    df,
    numDocs,
    maxImpact,
    blockSize,
    wide,
    blockEnds,
    docWidths,
    blockMaxes,
    groupStarts,
    storedCountBytes,
    headerBytes,
    withRanges,
    rangeBlockBits,
    superBlockBits,
    numRangeBlocks,
    numSuperBlocks,
    byteLength: headerBytes + skipBytes + rangeBytes + payloadBytes,
  };
}

/** Each block's doc-gap width and largest impact, the payload offset of each group, the payload size. */
function blockWidths(docs: Uint32Array, impacts: Uint16Array, start: number, blockEnds: Uint32Array) {
  const numBlocks = blockEnds.length;
  const docWidths = new Uint8Array(numBlocks);
  const blockMaxes = new Uint16Array(numBlocks);
  const groupStarts = new Uint32Array(Math.ceil(numBlocks / SKIP_GROUP_BLOCKS));
  let payloadBytes = 0;
  let prev = -1;
  for (let b = 0; b < numBlocks; b++) {
    const from = start + (b === 0 ? 0 : blockEnds[b - 1]);
    const to = start + blockEnds[b];
    let maxGap = 0;
    let bmax = 0;
    for (let i = from; i < to; i++) {
      const gap = docs[i] - prev - 1;
      if (gap > maxGap) maxGap = gap;
      if (impacts[i] > bmax) bmax = impacts[i];
      prev = docs[i];
    }
    const dw = bitWidth(maxGap);
    if (b % SKIP_GROUP_BLOCKS === 0) groupStarts[b / SKIP_GROUP_BLOCKS] = payloadBytes;
    docWidths[b] = dw;
    blockMaxes[b] = bmax;
    payloadBytes += packedByteLength(to - from, dw) + packedByteLength(to - from, bitWidth(bmax - 1));
  }
  return { docWidths, blockMaxes, groupStarts, payloadBytes };
}

/** Writes the header; returns where the skip table starts. */
function writeHeader(out: Uint8Array, view: DataView, layout: ListLayout): number {
  const numBlocks = layout.blockEnds.length;
  out[0] = POSTINGS_MAGIC_0;
  out[1] = POSTINGS_MAGIC_1;
  out[2] = POSTINGS_VERSION;
  out[3] = (layout.withRanges ? FLAG_RANGE_MAXIMA : 0) | (layout.wide ? FLAG_WIDE_IMPACTS : 0);
  view.setUint16(4, layout.blockSize, true);
  out[6] = layout.rangeBlockBits;
  out[7] = layout.superBlockBits;
  view.setUint32(8, layout.df, true);
  view.setUint32(12, layout.numDocs, true);
  view.setUint16(16, layout.maxImpact, true);
  // Block count: in bytes 18-19, or 0xffff there and the count in 20-23.
  if (numBlocks < 0xffff) view.setUint16(18, numBlocks, true);
  else {
    view.setUint16(18, 0xffff, true);
    view.setUint32(20, numBlocks, true);
  }
  return layout.headerBytes;
}

/**
 * Writes the skip table, struct of arrays: last doc ids, block maxima, doc-gap widths, posting
 * counts, and the payload offset of every SKIP_GROUP_BLOCKS-th block but the first. Returns the end.
 */
function writeSkipTable(
  out: Uint8Array,
  view: DataView,
  at: number,
  layout: ListLayout,
  docs: Uint32Array,
  start: number,
): number {
  const { blockEnds, storedCountBytes, groupStarts } = layout;
  const numBlocks = blockEnds.length;
  let pos = at;
  for (let b = 0; b < numBlocks; b++) {
    view.setUint32(pos, docs[start + blockEnds[b] - 1], true);
    pos += 4;
  }
  pos = writeImpactArray(view, pos, layout.blockMaxes, numBlocks, layout.wide);
  out.set(layout.docWidths, pos);
  pos += numBlocks;
  for (let b = 0; b < numBlocks && storedCountBytes > 0; b++) {
    const count = blockEnds[b] - (b === 0 ? 0 : blockEnds[b - 1]) - 1;
    if (storedCountBytes === 1) out[pos] = count;
    else view.setUint16(pos, count, true);
    pos += storedCountBytes;
  }
  for (let g = 1; g < groupStarts.length; g++) {
    view.setUint32(pos, groupStarts[g], true);
    pos += 4;
  }
  return pos;
}

/** Writes the range maxima, then the superblock maxima; returns the end. */
function writeRangeMaxima(
  view: DataView,
  at: number,
  layout: ListLayout,
  docs: Uint32Array,
  impacts: Uint16Array,
  start: number,
  end: number,
): number {
  const { rangeBlockBits, superBlockBits, numRangeBlocks, numSuperBlocks, wide } = layout;
  const rangeMaxes = new Uint16Array(numRangeBlocks);
  for (let i = start; i < end; i++) {
    const r = docs[i] >>> rangeBlockBits;
    if (impacts[i] > rangeMaxes[r]) rangeMaxes[r] = impacts[i];
  }
  const superMaxes = new Uint16Array(numSuperBlocks);
  for (let r = 0; r < numRangeBlocks; r++) {
    const s = r >>> superBlockBits;
    if (rangeMaxes[r] > superMaxes[s]) superMaxes[s] = rangeMaxes[r];
  }
  const pos = writeImpactArray(view, at, rangeMaxes, numRangeBlocks, wide);
  return writeImpactArray(view, pos, superMaxes, numSuperBlocks, wide);
}

/** Pass 2: the packed blocks (gaps minus one, then impacts minus one); returns the end. */
function writeBlocks(
  out: Uint8Array,
  at: number,
  layout: ListLayout,
  docs: Uint32Array,
  impacts: Uint16Array,
  start: number,
): number {
  const { blockEnds, docWidths, blockMaxes, blockSize } = layout;
  if (gapScratch.length < blockSize) {
    gapScratch = new Uint32Array(blockSize);
    impactScratch = new Uint32Array(blockSize);
  }
  let pos = at;
  let prev = -1;
  for (let b = 0; b < blockEnds.length; b++) {
    const from = start + (b === 0 ? 0 : blockEnds[b - 1]);
    const to = start + blockEnds[b];
    const n = to - from;
    for (let i = 0; i < n; i++) {
      const d = docs[from + i];
      gapScratch[i] = d - prev - 1;
      impactScratch[i] = impacts[from + i] - 1;
      prev = d;
    }
    pos = packBits(gapScratch, 0, n, docWidths[b], out, pos);
    pos = packBits(impactScratch, 0, n, bitWidth(blockMaxes[b] - 1), out, pos);
  }
  return pos;
}

function writeImpactArray(
  view: DataView,
  pos: number,
  values: Uint16Array,
  count: number,
  wide: boolean,
): number {
  if (wide) {
    for (let i = 0; i < count; i++) view.setUint16(pos + 2 * i, values[i], true);
    return pos + 2 * count;
  }
  for (let i = 0; i < count; i++) view.setUint8(pos + i, values[i]);
  return pos + count;
}
