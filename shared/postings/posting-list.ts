/**
 * Read access to one term's posting-list blob (format versions 1 and 2, see README.md).
 *
 * `PostingList.decode` validates the header and the section sizes. The skip table is checked, and
 * each block's byte offset derived from its count and widths, one group of 16 blocks at a time
 * when a block of the group is first decoded (version 2 stores where each group starts; version 1
 * is checked whole at decode), so a query can decode any single block in O(block size) and pays
 * only for the skip entries it uses. Block decoding checks that the gaps land exactly on the
 * block's stored last doc id, so a corrupt payload is reported as a PostingsFormatError instead of
 * yielding out-of-range doc ids. The engine reads block and range maxima straight from the bytes
 * through the accessors below.
 */
import { unpackDocGaps, unpackPlusOne } from '../codec/bitpack.ts';
import {
  blockCountBytes,
  FLAG_RANGE_MAXIMA,
  FLAG_WIDE_IMPACTS,
  HEADER_BYTES,
  KNOWN_FLAGS,
  POSTINGS_MAGIC_0,
  POSTINGS_MAGIC_1,
  PostingsFormatError,
  SKIP_GROUP_BITS,
  SKIP_GROUP_BLOCKS,
  SUPPORTED_POSTINGS_VERSIONS,
} from './format.ts';

export type { PostingListEncodeOptions } from './encode.ts';
export { encodePostingList } from './encode.ts';
export { PostingsFormatError, PostingsInputError } from './format.ts';

export class PostingList {
  readonly bytes: Uint8Array;
  readonly df: number;
  readonly numDocs: number;
  readonly maxImpact: number;
  readonly byteLength: number;
  /** Blob format version (1: fixed-size blocks, 2: a posting count per block). */
  readonly version: number;
  /** Most postings in one block (every block but the last in version 1). */
  readonly blockSize: number;
  readonly numBlocks: number;
  /** Range block = 2^rangeBlockBits docs; meaningful for the maxima only when hasRangeMaxima. */
  readonly rangeBlockBits: number;
  readonly superBlockBits: number;
  readonly hasRangeMaxima: boolean;
  readonly numRangeBlocks: number;
  readonly numSuperBlocks: number;
  /**
   * Byte offset of block j's payload is blockOffsets[j] (blockOffsets[numBlocks] = byteLength),
   * valid once j's group of SKIP_GROUP_BLOCKS blocks is checked (all at once in version 1).
   */
  private readonly blockOffsets: Uint32Array;
  /** 1 where a group of skip entries has been checked and its offsets filled in. */
  private readonly groupChecked: Uint8Array;
  private readonly payloadAt: number;
  /** Byte offset of the version 2 start offsets of groups 1.. (u32 each, relative to payloadAt). */
  private readonly groupStartAt: number;
  private readonly view: DataView;
  private readonly wide: boolean;
  private readonly lastDocsAt: number;
  private readonly blockMaxAt: number;
  private readonly docWidthAt: number;
  /** Byte offset of the per-block posting counts (version 2), -1 in version 1. */
  private readonly countAt: number;
  private readonly countBytes: number;
  private readonly rangeMaxAt: number;
  private readonly superMaxAt: number;

  private constructor(bytes: Uint8Array) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const header = readHeader(bytes, view);
    const { version, numBlocks, headerBytes } = header;
    this.bytes = bytes;
    this.view = view;
    this.version = version;
    this.wide = header.wide;
    this.hasRangeMaxima = header.hasRangeMaxima;
    this.blockSize = header.blockSize;
    this.rangeBlockBits = header.rangeBlockBits;
    this.superBlockBits = header.superBlockBits;
    this.df = header.df;
    this.numDocs = header.numDocs;
    this.maxImpact = header.maxImpact;
    this.numBlocks = numBlocks;
    const impactBytes = this.wide ? 2 : 1;
    // A single block holds df postings: no counts then.
    this.countBytes = version === 1 || numBlocks < 2 ? 0 : blockCountBytes(this.blockSize);
    const numGroups = Math.ceil(numBlocks / SKIP_GROUP_BLOCKS);
    // Check sizes before any loop so a huge df or numDocs in a corrupt header cannot make us spin.
    const groupBytes = version === 1 ? 0 : 4 * Math.max(0, numGroups - 1);
    const skipBytes = numBlocks * (5 + impactBytes + this.countBytes) + groupBytes;
    this.numRangeBlocks = this.hasRangeMaxima ? Math.ceil(this.numDocs / 2 ** this.rangeBlockBits) : 0;
    this.numSuperBlocks = this.hasRangeMaxima ? Math.ceil(this.numRangeBlocks / 2 ** this.superBlockBits) : 0;
    const rangeBytes = (this.numRangeBlocks + this.numSuperBlocks) * impactBytes;
    if (headerBytes + skipBytes + rangeBytes > bytes.length) {
      throw new PostingsFormatError(
        `skip table and range maxima need ${headerBytes + skipBytes + rangeBytes} bytes, blob has ${bytes.length}`,
      );
    }
    this.lastDocsAt = headerBytes;
    this.blockMaxAt = this.lastDocsAt + 4 * numBlocks;
    this.docWidthAt = this.blockMaxAt + impactBytes * numBlocks;
    this.countAt = this.countBytes === 0 ? -1 : this.docWidthAt + numBlocks;
    this.groupStartAt = this.docWidthAt + numBlocks * (1 + this.countBytes);
    this.rangeMaxAt = this.groupStartAt + groupBytes;
    this.superMaxAt = this.rangeMaxAt + impactBytes * this.numRangeBlocks;
    this.payloadAt = this.superMaxAt + impactBytes * this.numSuperBlocks;
    this.blockOffsets = new Uint32Array(numBlocks + 1);
    this.groupChecked = new Uint8Array(numGroups);
    this.byteLength = bytes.length;
    if (version === 1) {
      // No group offsets to start from: check the whole skip table now.
      const end = this.checkBlocks(0, numBlocks, this.payloadAt);
      this.checkEnd(end);
      this.groupChecked.fill(1);
      this.checkTotals();
    } else if (numBlocks === 0) {
      this.checkEnd(this.payloadAt);
    }
  }

  /**
   * Validates the header and wraps a blob (no copy). Throws PostingsFormatError on any
   * inconsistency found now or, for skip entries of version 2, when their block is decoded.
   */
  static decode(bytes: Uint8Array): PostingList {
    return new PostingList(bytes);
  }

  /**
   * Checks the skip entries of blocks [from, to) and fills in their payload offsets, the first at
   * `offset`; returns the offset after the last. Every block is checked against its predecessor's
   * stored last doc, so the checked groups together guarantee increasing doc ids.
   */
  private checkBlocks(from: number, to: number, offset: number): number {
    const { numBlocks, blockSize, df, view, bytes, wide } = this;
    const offsets = this.blockOffsets;
    const lastDocsAt = this.lastDocsAt;
    const blockMaxAt = this.blockMaxAt;
    const docWidthAt = this.docWidthAt;
    const numDocs = this.numDocs;
    const maxImpact = this.maxImpact;
    let prevLast = from === 0 ? -1 : view.getUint32(lastDocsAt + 4 * (from - 1), true);
    const countAt = this.countAt;
    const narrowCounts = this.countBytes === 1;
    const lastLength = df - blockSize * (numBlocks - 1);
    for (let j = from; j < to; j++) {
      const n =
        countAt < 0
          ? j < numBlocks - 1
            ? blockSize
            : lastLength
          : (narrowCounts ? bytes[countAt + j] : view.getUint16(countAt + 2 * j, true)) + 1;
      if (n > blockSize) {
        throw new PostingsFormatError(`block ${j}: ${n} postings exceed the block size ${blockSize}`);
      }
      const last = view.getUint32(lastDocsAt + 4 * j, true);
      const bmax = wide ? view.getUint16(blockMaxAt + 2 * j, true) : bytes[blockMaxAt + j];
      const dw = bytes[docWidthAt + j];
      if (last - prevLast < n || last >= numDocs || bmax < 1 || bmax > maxImpact || dw > 32) {
        throw this.skipEntryError(j, n, prevLast, last, bmax, dw);
      }
      offsets[j] = offset;
      // n <= 65535 and widths <= 32: the products stay far below 2^31.
      offset += ((n * dw + 7) >>> 3) + ((n * (32 - Math.clz32(bmax - 1)) + 7) >>> 3);
      prevLast = last;
    }
    if (offset > bytes.length) {
      throw new PostingsFormatError(`blocks end at byte ${offset}, past the blob's ${bytes.length} bytes`);
    }
    offsets[to] = offset;
    return offset;
  }

  private checkEnd(end: number): void {
    if (end !== this.bytes.length) {
      throw new PostingsFormatError(`blocks end at byte ${end} but the blob has ${this.bytes.length} bytes`);
    }
  }

  /**
   * Version 2 checks a group of SKIP_GROUP_BLOCKS skip entries when a block of it is first decoded
   * (a query decodes a few blocks of its longest lists); the group must end where the next one's
   * stored start says, the last group at the end of the blob.
   */
  private checkGroup(g: number): void {
    const from = g * SKIP_GROUP_BLOCKS;
    const to = Math.min(this.numBlocks, from + SKIP_GROUP_BLOCKS);
    const start = this.groupStart(g);
    const end = this.checkBlocks(from, to, start);
    if (to === this.numBlocks) this.checkEnd(end);
    else {
      const next = this.groupStart(g + 1);
      if (end !== next) {
        throw new PostingsFormatError(
          `block group ${g} ends at byte ${end} but group ${g + 1} starts at ${next}`,
        );
      }
    }
    this.groupChecked[g] = 1;
  }

  /** Byte offset of group g's first block (group 0 starts the payload; the others are stored). */
  private groupStart(g: number): number {
    return this.payloadAt + (g === 0 ? 0 : this.view.getUint32(this.groupStartAt + 4 * (g - 1), true));
  }

  /** Checks what only the whole skip table can show: the counts add up, the maxima agree. */
  private checkTotals(): void {
    let postings = 0;
    let maxSeen = 0;
    for (let j = 0; j < this.numBlocks; j++) {
      postings += this.blockLength(j);
      const bmax = this.blockMaxImpact(j);
      if (bmax > maxSeen) maxSeen = bmax;
    }
    if (postings !== this.df) {
      throw new PostingsFormatError(`blocks hold ${postings} postings but df is ${this.df}`);
    }
    if (maxSeen !== this.maxImpact) {
      throw new PostingsFormatError(
        `maxImpact ${this.maxImpact} differs from the largest block maximum ${maxSeen}`,
      );
    }
  }

  /** Checks every group not checked yet, and the totals (decodeAll; tests). */
  checkAll(): void {
    for (let g = 0; g < this.groupChecked.length; g++) if (this.groupChecked[g] === 0) this.checkGroup(g);
    this.checkTotals();
  }

  private skipEntryError(j: number, n: number, prevLast: number, last: number, bmax: number, dw: number) {
    if (last - prevLast < n || last >= this.numDocs) {
      return new PostingsFormatError(
        `block ${j}: last doc ${last} cannot follow ${prevLast} with ${n} postings below numDocs ${this.numDocs}`,
      );
    }
    if (bmax < 1 || bmax > this.maxImpact) {
      return new PostingsFormatError(`block ${j}: max impact ${bmax} outside 1..${this.maxImpact}`);
    }
    return new PostingsFormatError(`block ${j}: doc-gap width ${dw} > 32`);
  }

  /** Number of postings in block j. */
  blockLength(j: number): number {
    if (this.countAt >= 0) {
      const at = this.countAt + this.countBytes * j;
      return (this.countBytes === 1 ? this.bytes[at] : this.view.getUint16(at, true)) + 1;
    }
    return j < this.numBlocks - 1 ? this.blockSize : this.df - this.blockSize * (this.numBlocks - 1);
  }

  /** Last (largest) doc id of block j. */
  blockLastDoc(j: number): number {
    return this.view.getUint32(this.lastDocsAt + 4 * j, true);
  }

  /** Largest impact in block j. */
  blockMaxImpact(j: number): number {
    return this.wide ? this.view.getUint16(this.blockMaxAt + 2 * j, true) : this.bytes[this.blockMaxAt + j];
  }

  /** First block whose last doc is >= doc (numBlocks if none). */
  findBlock(doc: number, fromBlock = 0): number {
    let lo = fromBlock;
    let hi = this.numBlocks;
    const view = this.view;
    const at = this.lastDocsAt;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (view.getUint32(at + 4 * mid, true) < doc) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Largest impact among docs [r·2^rangeBlockBits, (r+1)·2^rangeBlockBits); needs hasRangeMaxima. */
  rangeMax(r: number): number {
    return this.wide ? this.view.getUint16(this.rangeMaxAt + 2 * r, true) : this.bytes[this.rangeMaxAt + r];
  }

  /** Largest impact in superblock s (2^superBlockBits range blocks); needs hasRangeMaxima. */
  superMax(s: number): number {
    return this.wide ? this.view.getUint16(this.superMaxAt + 2 * s, true) : this.bytes[this.superMaxAt + s];
  }

  /** Byte offset of the u8 range-maxima array inside `bytes` (only for narrow impacts), for tight loops. */
  get rangeMaxByteOffset(): number {
    return this.rangeMaxAt;
  }

  get wideImpacts(): boolean {
    return this.wide;
  }

  /**
   * Decodes block j into docsOut/impactsOut[outAt .. outAt+n) (room for blockSize values after
   * outAt); returns n. Throws PostingsFormatError when the gaps do not end on the stored last doc.
   */
  decodeBlock(j: number, docsOut: Uint32Array, impactsOut: Uint32Array, outAt = 0): number {
    if (this.groupChecked[j >>> SKIP_GROUP_BITS] === 0) this.checkGroup(j >>> SKIP_GROUP_BITS);
    const n = this.blockLength(j);
    const bytes = this.bytes;
    const pos = this.blockOffsets[j];
    const dw = bytes[this.docWidthAt + j];
    const bmax = this.wide ? this.view.getUint16(this.blockMaxAt + 2 * j, true) : bytes[this.blockMaxAt + j];
    const prev = j === 0 ? -1 : this.view.getUint32(this.lastDocsAt + 4 * (j - 1), true);
    const doc = unpackDocGaps(bytes, pos, n, dw, prev, docsOut, outAt);
    unpackPlusOne(bytes, pos + ((n * dw + 7) >>> 3), n, 32 - Math.clz32(bmax - 1), impactsOut, outAt);
    const last = this.view.getUint32(this.lastDocsAt + 4 * j, true);
    if (doc !== last) {
      throw new PostingsFormatError(`block ${j}: doc gaps end at ${doc} but the skip table says ${last}`);
    }
    return n;
  }

  /** All postings (tests, explain). Also checks every impact against its block maximum. */
  decodeAll(): { docs: Uint32Array; impacts: Uint16Array } {
    this.checkAll();
    const docs = new Uint32Array(this.df);
    const impacts = new Uint16Array(this.df);
    const d = new Uint32Array(this.blockSize);
    const im = new Uint32Array(this.blockSize);
    let base = 0;
    for (let j = 0; j < this.numBlocks; j++) {
      const n = this.decodeBlock(j, d, im);
      const bmax = this.blockMaxImpact(j);
      for (let i = 0; i < n; i++) {
        if (im[i] > bmax)
          throw new PostingsFormatError(`block ${j}: impact ${im[i]} exceeds block max ${bmax}`);
        docs[base + i] = d[i];
        impacts[base + i] = im[i];
      }
      base += n;
    }
    return { docs, impacts };
  }
}

/** The header's fields, checked against each other (PostingList checks them against the blob's size). */
interface Header {
  readonly version: number;
  /** Length of the header: longer in version 2 when the block count does not fit 16 bits. */
  readonly headerBytes: number;
  readonly wide: boolean;
  readonly hasRangeMaxima: boolean;
  readonly blockSize: number;
  readonly rangeBlockBits: number;
  readonly superBlockBits: number;
  readonly df: number;
  readonly numDocs: number;
  readonly maxImpact: number;
  readonly numBlocks: number;
}

function readHeader(bytes: Uint8Array, view: DataView): Header {
  if (bytes.length < HEADER_BYTES) {
    throw new PostingsFormatError(
      `blob of ${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`,
    );
  }
  if (bytes[0] !== POSTINGS_MAGIC_0 || bytes[1] !== POSTINGS_MAGIC_1) {
    throw new PostingsFormatError(`bad magic ${bytes[0]},${bytes[1]} (expected 'PL')`);
  }
  const version = bytes[2];
  if (!SUPPORTED_POSTINGS_VERSIONS.includes(version)) {
    throw new PostingsFormatError(
      `unsupported postings version ${version} (this reader knows ${SUPPORTED_POSTINGS_VERSIONS.join(', ')})`,
    );
  }
  // Version 2 keeps its block count in bytes 18-19, or at 20-23 (a longer header) when it is
  // 0xffff or more.
  const wideBlockCount = version === 2 && bytes[18] === 0xff && bytes[19] === 0xff;
  const headerBytes = wideBlockCount ? HEADER_BYTES + 4 : HEADER_BYTES;
  if (bytes.length < headerBytes) {
    throw new PostingsFormatError(
      `blob of ${bytes.length} bytes is shorter than its ${headerBytes}-byte header`,
    );
  }
  const flags = bytes[3];
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new PostingsFormatError(`unknown flags ${flags}`);
  const wide = (flags & FLAG_WIDE_IMPACTS) !== 0;
  const blockSize = view.getUint16(4, true);
  const rangeBlockBits = bytes[6];
  const superBlockBits = bytes[7];
  const df = view.getUint32(8, true);
  const numDocs = view.getUint32(12, true);
  const maxImpact = view.getUint16(16, true);
  if (blockSize === 0) throw new PostingsFormatError('blockSize is 0');
  if (rangeBlockBits > 24) throw new PostingsFormatError(`rangeBlockBits ${rangeBlockBits} > 24`);
  if (rangeBlockBits + superBlockBits > 24) {
    throw new PostingsFormatError(
      `rangeBlockBits + superBlockBits = ${rangeBlockBits + superBlockBits} > 24`,
    );
  }
  if (df > numDocs) throw new PostingsFormatError(`df ${df} exceeds numDocs ${numDocs}`);
  if ((df === 0) !== (maxImpact === 0)) {
    throw new PostingsFormatError(`maxImpact ${maxImpact} inconsistent with df ${df}`);
  }
  if (!wide && maxImpact > 0xff) {
    throw new PostingsFormatError(`maxImpact ${maxImpact} > 255 without the wide-impacts flag`);
  }
  const numBlocks =
    version === 1
      ? Math.ceil(df / blockSize)
      : wideBlockCount
        ? view.getUint32(20, true)
        : view.getUint16(18, true);
  if (numBlocks > df || (df > 0 && numBlocks === 0) || (wideBlockCount && numBlocks < 0xffff)) {
    throw new PostingsFormatError(`${numBlocks} blocks cannot hold df ${df}`);
  }
  const hasRangeMaxima = (flags & FLAG_RANGE_MAXIMA) !== 0;
  return {
    version,
    headerBytes,
    wide,
    hasRangeMaxima,
    blockSize,
    rangeBlockBits,
    superBlockBits,
    df,
    numDocs,
    maxImpact,
    numBlocks,
  };
}
