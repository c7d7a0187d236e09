/**
 * The forward index of approximate search: documents grouped into clusters of consecutive local doc ids
 * (the build stage clusters doc ids by topic, so a cluster holds documents about the same things), each
 * cluster one self-contained record that ONE range read fetches: the external ids of its documents and
 * its documents' vectors, in blocks of `blockSize` documents.
 *
 * A block is stored term-major — its distinct terms (sorted), where each term's postings start, then
 * (document in block, impact) pairs — so scoring a block for a query costs one binary search per query
 * term over the block's terms and a few additions, instead of a dense lookup for every non-zero of every
 * document. Scores are exact integer dot products, the same numbers the exact engine computes.
 *
 * Record layout (little-endian; every typed section starts at a multiple of 4 inside the record):
 *
 *   header   u16 version (1), u16 flags (bit 0: u32 term ids, bit 1: u16 impacts, bit 2: u32 starts),
 *            u16 numDocs, u16 blockSize, u16 numBlocks, u16 reserved, u32 idsLength
 *   blocks   numBlocks × u32: offset of each block from the record start
 *   ids      u32 offsets[numDocs + 1] into UTF-8 bytes of the external ids (idsLength bytes in all)
 *   block i  u32 numTerms, u32 numPostings, terms (u16|u32)[numTerms], starts (u16|u32)[numTerms + 1]
 *            (posting starts per term; starts[numTerms] = numPostings), docs u8[numPostings],
 *            impacts (u8|u16)[numPostings], padded to 4
 *
 * The record's CRC-32 is kept by its directory entry (approximate/head.ts), not inside the record.
 */
import { ShardFormatError } from '../shard/errors.ts';

export const FORWARD_VERSION = 1;
const FLAG_WIDE_TERMS = 1;
const FLAG_WIDE_IMPACTS = 2;
/** Set when some block has more than 65,535 postings (starts no longer fit 16 bits). */
const FLAG_WIDE_STARTS = 4;
const HEADER_BYTES = 16;

/** One block's postings, term-major, viewed in place over the record's bytes. */
export interface ForwardBlock {
  /** Local doc id (within the shard) of the block's first document. */
  readonly firstDoc: number;
  readonly numDocs: number;
  readonly terms: Uint16Array | Uint32Array;
  /** starts[i]..starts[i+1] are term i's postings; length terms.length + 1. */
  readonly starts: Uint16Array | Uint32Array;
  /** Document of each posting, relative to firstDoc. */
  readonly docs: Uint8Array;
  readonly impacts: Uint8Array | Uint16Array;
}

/** One parsed cluster record: its blocks and, decoded on demand, its documents' external ids. */
export class ForwardCluster {
  readonly #bytes: Uint8Array;
  readonly #idsAt: number;
  readonly numDocs: number;
  readonly firstDoc: number;
  readonly blocks: readonly ForwardBlock[];

  private constructor(
    bytes: Uint8Array,
    firstDoc: number,
    numDocs: number,
    idsAt: number,
    blocks: ForwardBlock[],
  ) {
    this.#bytes = bytes;
    this.firstDoc = firstDoc;
    this.numDocs = numDocs;
    this.#idsAt = idsAt;
    this.blocks = blocks;
  }

  get byteLength(): number {
    return this.#bytes.length;
  }

  /**
   * Parses a record read from `where` (a name for errors). `firstDoc` is the local doc id of the
   * cluster's first document. Checks every length against the record; the CRC is the caller's.
   * Copies the record once when it is not 4-byte aligned (typed views need it).
   */
  static parse(bytes: Uint8Array, firstDoc: number, where: string): ForwardCluster {
    const data = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    const fail = (what: string): never => {
      throw new ShardFormatError(where, 'forward index', what);
    };
    if (data.length < HEADER_BYTES) fail(`record of ${data.length} bytes is shorter than its header`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const version = view.getUint16(0, true);
    const flags = view.getUint16(2, true);
    if (version !== FORWARD_VERSION) fail(`record version ${version}, expected ${FORWARD_VERSION}`);
    if ((flags & ~(FLAG_WIDE_TERMS | FLAG_WIDE_IMPACTS | FLAG_WIDE_STARTS)) !== 0)
      fail(`unknown flags ${flags}`);
    const numDocs = view.getUint16(4, true);
    const blockSize = view.getUint16(6, true);
    const numBlocks = view.getUint16(8, true);
    const idsLength = view.getUint32(12, true);
    if (blockSize === 0 || blockSize > 256) fail(`block size ${blockSize} outside 1..256`);
    if (numBlocks !== Math.ceil(numDocs / blockSize)) fail(`${numBlocks} blocks for ${numDocs} docs`);
    const blockTableAt = HEADER_BYTES;
    const idsAt = blockTableAt + 4 * numBlocks;
    if (idsAt + idsLength > data.length) fail('ids section runs past the record');
    const wideTerms = (flags & FLAG_WIDE_TERMS) !== 0;
    const wideImpacts = (flags & FLAG_WIDE_IMPACTS) !== 0;
    const wideStarts = (flags & FLAG_WIDE_STARTS) !== 0;
    const blocks: ForwardBlock[] = [];
    for (let b = 0; b < numBlocks; b++) {
      const at = view.getUint32(blockTableAt + 4 * b, true);
      if (at % 4 !== 0 || at < idsAt + idsLength || at + 8 > data.length) fail(`block ${b} offset ${at}`);
      const numTerms = view.getUint32(at, true);
      const numPostings = view.getUint32(at + 4, true);
      const termsAt = at + 8;
      const startsAt = termsAt + align4(numTerms * (wideTerms ? 4 : 2));
      const docsAt = startsAt + align4((numTerms + 1) * (wideStarts ? 4 : 2));
      const impactsAt = docsAt + align4(numPostings);
      const end = impactsAt + numPostings * (wideImpacts ? 2 : 1);
      if (end > data.length) fail(`block ${b} runs past the record`);
      const starts = wideStarts
        ? new Uint32Array(data.buffer, data.byteOffset + startsAt, numTerms + 1)
        : new Uint16Array(data.buffer, data.byteOffset + startsAt, numTerms + 1);
      if (starts[0] !== 0 || starts[numTerms] !== numPostings) fail(`block ${b} posting starts`);
      const firstInBlock = b * blockSize;
      blocks.push({
        firstDoc: firstDoc + firstInBlock,
        numDocs: Math.min(blockSize, numDocs - firstInBlock),
        terms: wideTerms
          ? new Uint32Array(data.buffer, data.byteOffset + termsAt, numTerms)
          : new Uint16Array(data.buffer, data.byteOffset + termsAt, numTerms),
        starts,
        docs: new Uint8Array(data.buffer, data.byteOffset + docsAt, numPostings),
        impacts: wideImpacts
          ? new Uint16Array(data.buffer, data.byteOffset + impactsAt, numPostings)
          : new Uint8Array(data.buffer, data.byteOffset + impactsAt, numPostings),
      });
    }
    return new ForwardCluster(data, firstDoc, numDocs, idsAt, blocks);
  }

  /** External id of the cluster's i-th document. */
  externalId(i: number): string {
    if (!(i >= 0 && i < this.numDocs))
      throw new RangeError(`document ${i} of a ${this.numDocs}-document cluster`);
    const view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset + this.#idsAt);
    const from = view.getUint32(4 * i, true);
    const to = view.getUint32(4 * (i + 1), true);
    const textAt = this.#idsAt + 4 * (this.numDocs + 1);
    return utf8.decode(this.#bytes.subarray(textAt + from, textAt + to));
  }

  /** The (term, impact) pairs of the cluster's i-th document, term order (for explain). */
  documentVector(i: number): { terms: number[]; impacts: number[] } {
    const block = this.blocks[Math.floor(i / (this.blocks[0]?.numDocs || 1))];
    const inBlock = this.firstDoc + i - block.firstDoc;
    const terms: number[] = [];
    const impacts: number[] = [];
    for (let j = 0; j < block.terms.length; j++) {
      for (let p = block.starts[j]; p < block.starts[j + 1]; p++) {
        if (block.docs[p] === inBlock) {
          terms.push(block.terms[j]);
          impacts.push(block.impacts[p]);
        }
      }
    }
    return { terms, impacts };
  }
}

/** Documents of one cluster, local order, as the writer takes them. */
export interface ForwardClusterInput {
  readonly vectors: readonly { readonly terms: Uint32Array; readonly impacts: Uint16Array }[];
  readonly externalIds: readonly string[];
  readonly blockSize: number;
  readonly wideTerms: boolean;
  readonly wideImpacts: boolean;
  /** Reused counters; pass one per build to avoid reallocating per cluster. */
  readonly scratch?: BlockScratch;
}

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** Encodes one cluster record (see the layout above). */
export function encodeForwardCluster(input: ForwardClusterInput): Uint8Array {
  const { vectors, externalIds, blockSize, wideTerms, wideImpacts } = input;
  const scratch = input.scratch ?? new BlockScratch();
  const numDocs = vectors.length;
  if (numDocs === 0 || numDocs > 0xffff)
    throw new RangeError(`a cluster holds 1..65535 documents, got ${numDocs}`);
  if (blockSize < 1 || blockSize > 256) throw new RangeError(`block size ${blockSize} outside 1..256`);
  const numBlocks = Math.ceil(numDocs / blockSize);
  const ids = externalIds.map((id) => utf8Encoder.encode(id));
  const idsLength = 4 * (numDocs + 1) + align4(ids.reduce((n, b) => n + b.length, 0));
  let most = 0;
  for (let b = 0; b < numBlocks; b++) {
    let n = 0;
    for (const v of vectors.slice(b * blockSize, (b + 1) * blockSize)) n += v.terms.length;
    most = Math.max(most, n);
  }
  const wideStarts = most > 0xffff;
  const blocks = Array.from({ length: numBlocks }, (_, b) =>
    encodeBlock(
      vectors.slice(b * blockSize, (b + 1) * blockSize),
      wideTerms,
      wideImpacts,
      wideStarts,
      scratch,
    ),
  );
  const blocksAt = HEADER_BYTES + 4 * numBlocks + idsLength;
  const total = blocksAt + blocks.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint16(0, FORWARD_VERSION, true);
  view.setUint16(
    2,
    (wideTerms ? FLAG_WIDE_TERMS : 0) |
      (wideImpacts ? FLAG_WIDE_IMPACTS : 0) |
      (wideStarts ? FLAG_WIDE_STARTS : 0),
    true,
  );
  view.setUint16(4, numDocs, true);
  view.setUint16(6, blockSize, true);
  view.setUint16(8, numBlocks, true);
  view.setUint32(12, idsLength, true);
  let at = blocksAt;
  blocks.forEach((bytes, b) => {
    view.setUint32(HEADER_BYTES + 4 * b, at, true);
    out.set(bytes, at);
    at += bytes.length;
  });
  const idsAt = HEADER_BYTES + 4 * numBlocks;
  const textAt = idsAt + 4 * (numDocs + 1);
  let text = 0;
  ids.forEach((bytes, i) => {
    view.setUint32(idsAt + 4 * i, text, true);
    out.set(bytes, textAt + text);
    text += bytes.length;
  });
  view.setUint32(idsAt + 4 * numDocs, text, true);
  return out;
}

/** Per-term counters reused across blocks (indexed by term id, all zero between blocks). */
export class BlockScratch {
  counts: Uint32Array;
  /** The distinct terms of the block being encoded (typed, so sorting them is a native numeric sort). */
  terms = new Uint32Array(1024);
  constructor(vocab = 0) {
    this.counts = new Uint32Array(vocab);
  }
  ensure(term: number): void {
    if (term >= this.counts.length) {
      const grown = new Uint32Array(Math.max(term + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
  }
  push(n: number, term: number): void {
    if (n === this.terms.length) {
      const grown = new Uint32Array(this.terms.length * 2);
      grown.set(this.terms);
      this.terms = grown;
    }
    this.terms[n] = term;
  }
}

function encodeBlock(
  vectors: readonly { readonly terms: Uint32Array; readonly impacts: Uint16Array }[],
  wideTerms: boolean,
  wideImpacts: boolean,
  wideStarts: boolean,
  scratch: BlockScratch,
): Uint8Array {
  // Count each distinct term's postings, then fill (doc, impact) pairs term by term in doc order.
  let numTerms = 0;
  let numPostings = 0;
  for (const v of vectors) {
    numPostings += v.terms.length;
    for (let i = 0; i < v.terms.length; i++) {
      scratch.ensure(v.terms[i]);
      if (scratch.counts[v.terms[i]]++ === 0) scratch.push(numTerms++, v.terms[i]);
    }
  }
  const terms = scratch.terms.subarray(0, numTerms).sort();
  const counts = scratch.counts;
  const termsBytes = align4(numTerms * (wideTerms ? 4 : 2));
  const startsAt = 8 + termsBytes;
  const docsAt = startsAt + align4((numTerms + 1) * (wideStarts ? 4 : 2));
  const impactsAt = docsAt + align4(numPostings);
  const out = new Uint8Array(align4(impactsAt + numPostings * (wideImpacts ? 2 : 1)));
  const view = new DataView(out.buffer);
  view.setUint32(0, numTerms, true);
  view.setUint32(4, numPostings, true);
  // counts[t] becomes the next write position of term t.
  let start = 0;
  for (let i = 0; i < numTerms; i++) {
    const t = terms[i];
    if (wideTerms) view.setUint32(8 + 4 * i, t, true);
    else view.setUint16(8 + 2 * i, t, true);
    if (wideStarts) view.setUint32(startsAt + 4 * i, start, true);
    else view.setUint16(startsAt + 2 * i, start, true);
    const n = counts[t];
    counts[t] = start;
    start += n;
  }
  if (wideStarts) view.setUint32(startsAt + 4 * numTerms, start, true);
  else view.setUint16(startsAt + 2 * numTerms, start, true);
  for (let d = 0; d < vectors.length; d++) {
    const v = vectors[d];
    for (let i = 0; i < v.terms.length; i++) {
      const at = counts[v.terms[i]]++;
      out[docsAt + at] = d;
      if (wideImpacts) view.setUint16(impactsAt + 2 * at, v.impacts[i], true);
      else out[impactsAt + at] = v.impacts[i];
    }
  }
  for (let i = 0; i < numTerms; i++) counts[terms[i]] = 0;
  return out;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
