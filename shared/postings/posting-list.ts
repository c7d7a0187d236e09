/**
 * Read access to one term's posting-list blob (format version 1, see README.md).
 *
 * `PostingList.decode` validates the header and the whole skip table (O(number of blocks), no
 * postings decoded) and derives every block's byte offset from its widths, so afterwards a query
 * can decode any single block in O(block size) without touching the others. Block decoding
 * checks that the gaps land exactly on the block's stored last doc id, so a corrupt payload is
 * reported as a PostingsFormatError instead of yielding out-of-range doc ids. The engine reads
 * block and range maxima straight from the bytes through the accessors below.
 */
import { unpackDocGaps, unpackPlusOne } from '../codec/bitpack.ts';
import {
  FLAG_RANGE_MAXIMA,
  FLAG_WIDE_IMPACTS,
  HEADER_BYTES,
  KNOWN_FLAGS,
  POSTINGS_MAGIC_0,
  POSTINGS_MAGIC_1,
  POSTINGS_VERSION,
  PostingsFormatError,
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
  readonly blockSize: number;
  readonly numBlocks: number;
  /** Range block = 2^rangeBlockBits docs; meaningful for the maxima only when hasRangeMaxima. */
  readonly rangeBlockBits: number;
  readonly superBlockBits: number;
  readonly hasRangeMaxima: boolean;
  readonly numRangeBlocks: number;
  readonly numSuperBlocks: number;
  /** Byte offset of block j's payload is blockOffsets[j]; blockOffsets[numBlocks] = byteLength. */
  readonly blockOffsets: Uint32Array;
  private readonly view: DataView;
  private readonly wide: boolean;
  private readonly lastDocsAt: number;
  private readonly blockMaxAt: number;
  private readonly docWidthAt: number;
  private readonly rangeMaxAt: number;
  private readonly superMaxAt: number;

  private constructor(bytes: Uint8Array) {
    if (bytes.length < HEADER_BYTES) {
      throw new PostingsFormatError(
        `blob of ${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`,
      );
    }
    if (bytes[0] !== POSTINGS_MAGIC_0 || bytes[1] !== POSTINGS_MAGIC_1) {
      throw new PostingsFormatError(`bad magic ${bytes[0]},${bytes[1]} (expected 'PL')`);
    }
    if (bytes[2] !== POSTINGS_VERSION) {
      throw new PostingsFormatError(
        `unsupported postings version ${bytes[2]} (this reader knows ${POSTINGS_VERSION})`,
      );
    }
    const flags = bytes[3];
    if ((flags & ~KNOWN_FLAGS) !== 0) throw new PostingsFormatError(`unknown flags ${flags}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bytes = bytes;
    this.view = view;
    this.wide = (flags & FLAG_WIDE_IMPACTS) !== 0;
    this.hasRangeMaxima = (flags & FLAG_RANGE_MAXIMA) !== 0;
    this.blockSize = view.getUint16(4, true);
    this.rangeBlockBits = bytes[6];
    this.superBlockBits = bytes[7];
    this.df = view.getUint32(8, true);
    this.numDocs = view.getUint32(12, true);
    this.maxImpact = view.getUint16(16, true);
    if (this.blockSize === 0) throw new PostingsFormatError('blockSize is 0');
    if (this.rangeBlockBits > 24) throw new PostingsFormatError(`rangeBlockBits ${this.rangeBlockBits} > 24`);
    if (this.rangeBlockBits + this.superBlockBits > 24) {
      throw new PostingsFormatError(
        `rangeBlockBits + superBlockBits = ${this.rangeBlockBits + this.superBlockBits} > 24`,
      );
    }
    if (this.df > this.numDocs)
      throw new PostingsFormatError(`df ${this.df} exceeds numDocs ${this.numDocs}`);
    if ((this.df === 0) !== (this.maxImpact === 0)) {
      throw new PostingsFormatError(`maxImpact ${this.maxImpact} inconsistent with df ${this.df}`);
    }
    if (!this.wide && this.maxImpact > 0xff) {
      throw new PostingsFormatError(`maxImpact ${this.maxImpact} > 255 without the wide-impacts flag`);
    }
    const impactBytes = this.wide ? 2 : 1;
    const numBlocks = Math.ceil(this.df / this.blockSize);
    this.numBlocks = numBlocks;
    // Check sizes before any loop so a huge df or numDocs in a corrupt header cannot make us spin.
    const skipBytes = numBlocks * (5 + impactBytes);
    this.numRangeBlocks = this.hasRangeMaxima ? Math.ceil(this.numDocs / 2 ** this.rangeBlockBits) : 0;
    this.numSuperBlocks = this.hasRangeMaxima ? Math.ceil(this.numRangeBlocks / 2 ** this.superBlockBits) : 0;
    const rangeBytes = (this.numRangeBlocks + this.numSuperBlocks) * impactBytes;
    if (HEADER_BYTES + skipBytes + rangeBytes > bytes.length) {
      throw new PostingsFormatError(
        `skip table and range maxima need ${HEADER_BYTES + skipBytes + rangeBytes} bytes, blob has ${bytes.length}`,
      );
    }
    this.lastDocsAt = HEADER_BYTES;
    this.blockMaxAt = this.lastDocsAt + 4 * numBlocks;
    this.docWidthAt = this.blockMaxAt + impactBytes * numBlocks;
    this.rangeMaxAt = this.docWidthAt + numBlocks;
    this.superMaxAt = this.rangeMaxAt + impactBytes * this.numRangeBlocks;
    const payloadAt = this.superMaxAt + impactBytes * this.numSuperBlocks;
    this.blockOffsets = this.validateSkipTable(payloadAt);
    this.byteLength = this.blockOffsets[numBlocks];
    if (this.byteLength !== bytes.length) {
      throw new PostingsFormatError(
        `blocks end at byte ${this.byteLength} but the blob has ${bytes.length} bytes`,
      );
    }
  }

  /** Validates and wraps a blob (no copy). Throws PostingsFormatError on any inconsistency. */
  static decode(bytes: Uint8Array): PostingList {
    return new PostingList(bytes);
  }

  private validateSkipTable(payloadAt: number): Uint32Array {
    const { numBlocks, blockSize, df, view, bytes, wide } = this;
    const offsets = new Uint32Array(numBlocks + 1);
    const lastDocsAt = this.lastDocsAt;
    const blockMaxAt = this.blockMaxAt;
    const docWidthAt = this.docWidthAt;
    const numDocs = this.numDocs;
    const maxImpact = this.maxImpact;
    let offset = payloadAt;
    let prevLast = -1;
    let maxSeen = 0;
    for (let j = 0; j < numBlocks; j++) {
      const n = j < numBlocks - 1 ? blockSize : df - blockSize * (numBlocks - 1);
      const last = view.getUint32(lastDocsAt + 4 * j, true);
      const bmax = wide ? view.getUint16(blockMaxAt + 2 * j, true) : bytes[blockMaxAt + j];
      const dw = bytes[docWidthAt + j];
      if (last - prevLast < n || last >= numDocs || bmax < 1 || bmax > maxImpact || dw > 32) {
        throw this.skipEntryError(j, n, prevLast, last, bmax, dw);
      }
      if (bmax > maxSeen) maxSeen = bmax;
      offsets[j] = offset;
      // n <= 65535 and widths <= 32: the products stay far below 2^31.
      offset += ((n * dw + 7) >>> 3) + ((n * (32 - Math.clz32(bmax - 1)) + 7) >>> 3);
      prevLast = last;
    }
    if (offset > bytes.length) {
      throw new PostingsFormatError(`blocks end at byte ${offset}, past the blob's ${bytes.length} bytes`);
    }
    if (maxSeen !== maxImpact) {
      throw new PostingsFormatError(
        `maxImpact ${maxImpact} differs from the largest block maximum ${maxSeen}`,
      );
    }
    offsets[numBlocks] = offset;
    return offsets;
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
    const n = j < this.numBlocks - 1 ? this.blockSize : this.df - this.blockSize * (this.numBlocks - 1);
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
    const docs = new Uint32Array(this.df);
    const impacts = new Uint16Array(this.df);
    const d = new Uint32Array(this.blockSize);
    const im = new Uint32Array(this.blockSize);
    for (let j = 0; j < this.numBlocks; j++) {
      const n = this.decodeBlock(j, d, im);
      const bmax = this.blockMaxImpact(j);
      const base = j * this.blockSize;
      for (let i = 0; i < n; i++) {
        if (im[i] > bmax)
          throw new PostingsFormatError(`block ${j}: impact ${im[i]} exceeds block max ${bmax}`);
        docs[base + i] = d[i];
        impacts[base + i] = im[i];
      }
    }
    return { docs, impacts };
  }
}
