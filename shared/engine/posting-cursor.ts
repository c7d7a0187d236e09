/**
 * A cursor over one query term's posting list: the one way the exact top-k algorithms walk postings.
 *
 * It moves through the list in doc order (`next`, `advance`) and gives, without decoding anything,
 * an upper bound of what a doc can gain from the list (`blockBound`: the maximum impact of the
 * posting block that would hold the doc; `bound`: the finer range maximum when the list stores
 * them). Postings are decoded a block at a time, only when a doc inside the block is asked for, so
 * stepping over a block costs one skip-table lookup.
 *
 * Two positions: the shallow one (`block`, the block that holds or follows the last target) moves
 * with bound lookups and never decodes; the deep one (`entered`, `pos`, `doc`) is the current
 * posting, in a decoded block. The decoded blocks live in the cursor's buffers, direct-mapped by
 * block index into `slots` slots: one for a walk in doc order; BMP, which comes back to blocks out
 * of doc order (`load`), keeps several.
 *
 * Every field is set in the constructor and no method allocates or closes over anything: the
 * algorithms call it from their hottest loops, where it must stay monomorphic and inlinable.
 */
import type { PostingList } from '../postings/posting-list.ts';

/** The `doc` of a cursor past its last posting: above every doc id (ids are below 2^32 - 1). */
export const END = 0x100000000;

/** Buffers a caller lends the cursor instead of letting it allocate: room for `slots` blocks. */
export interface CursorBuffers {
  readonly docs: Uint32Array;
  readonly impacts: Uint32Array;
  /** Number of decoded blocks kept; a power of two. */
  readonly slots: number;
}

export class PostingCursor {
  // Declared hottest first, so that the fields a walk reads on every posting sit together in the object.
  /** Current doc: -1 before the first posting, END past the last. */
  doc = -1;
  /** Index of the current posting in docs/impacts; the end of its block there (of the last block loaded). */
  pos = 0;
  end = 0;
  /** Decoded postings: slot s holds one block from s × list.blockSize on. */
  readonly docs: Uint32Array;
  readonly impacts: Uint32Array;
  /** The query term's weight: every score and bound is weight × impact. */
  readonly weight: number;
  /** The block of the current posting (-1 before the first, numBlocks past the last). */
  entered = -1;
  /** Shallow position: the block holding or following the last target (numBlocks past the end). */
  block = 0;
  readonly list: PostingList;
  readonly numBlocks: number;
  readonly blockSize: number;
  private readonly slotMask: number;
  /** The block decoded in each slot (-1: none) and its number of postings. */
  private readonly slotBlock: Int32Array;
  private readonly slotLength: Int32Array;
  /** weight × the list's largest impact: no doc gains more from this list. */
  readonly maxScore: number;
  /** Whether the list stores range maxima (`bound` reads them). */
  readonly ranged: boolean;
  /** The list's range block is 2^rangeBits docs. */
  readonly rangeBits: number;
  readonly numRanges: number;
  /** Byte offset of the u8 range maxima in list.bytes, or -1 (none, or 16-bit: use list.rangeMax). */
  readonly rangeMaxAt: number;
  /** Posting blocks this cursor has decoded (work counter). */
  blocksDecoded = 0;

  constructor(list: PostingList, weight: number, buffers?: CursorBuffers) {
    this.list = list;
    this.weight = weight;
    this.maxScore = weight * list.maxImpact;
    this.numBlocks = list.numBlocks;
    this.blockSize = list.blockSize;
    this.ranged = list.hasRangeMaxima;
    this.rangeBits = list.rangeBlockBits;
    this.numRanges = list.numRangeBlocks;
    this.rangeMaxAt = list.hasRangeMaxima && !list.wideImpacts ? list.rangeMaxByteOffset : -1;
    const slots = buffers?.slots ?? 1;
    this.docs = buffers?.docs ?? new Uint32Array(list.blockSize);
    this.impacts = buffers?.impacts ?? new Uint32Array(list.blockSize);
    this.slotMask = slots - 1;
    this.slotBlock = new Int32Array(slots).fill(-1);
    this.slotLength = new Int32Array(slots);
  }

  /** Back to before the first posting (decoded blocks stay cached). */
  reset(): void {
    this.block = 0;
    this.entered = -1;
    this.pos = 0;
    this.end = 0;
    this.doc = -1;
  }

  /** weight × impact of the current posting. */
  score(): number {
    return this.weight * this.impacts[this.pos];
  }

  /** Moves to the next posting (the first one from before the start; END after the last). */
  next(): void {
    if (++this.pos < this.end) this.doc = this.docs[this.pos];
    else this.enter(this.entered + 1);
  }

  /** Moves to the first posting with doc >= target (never backwards). */
  advance(target: number): void {
    if (this.doc >= target) return;
    const j = this.shallowAdvance(target);
    if (j !== this.entered) {
      this.enter(j);
      if (this.doc >= target) return;
    }
    // Block j ends at a doc >= target, so the scan stops inside it.
    const docs = this.docs;
    let i = this.pos;
    while (docs[i] < target) i++;
    this.pos = i;
    this.doc = docs[i];
  }

  /** weight × impact of doc d, 0 when the list does not hold it; d must not decrease between calls. */
  scoreOf(d: number): number {
    this.advance(d);
    return this.doc === d ? this.weight * this.impacts[this.pos] : 0;
  }

  /**
   * Moves the shallow position to the first block whose last doc is >= target and returns it
   * (numBlocks when none), without decoding. Targets come in increasing order and are usually
   * close, so the next block is tried before a binary search.
   */
  shallowAdvance(target: number): number {
    let j = this.block;
    const list = this.list;
    if (j < this.numBlocks && list.blockLastDoc(j) < target) {
      j++;
      if (j < this.numBlocks && list.blockLastDoc(j) < target) j = list.findBlock(target, j + 1);
      this.block = j;
    }
    return j;
  }

  /** weight × the largest impact of the block that would hold target (0 past the end). */
  blockBound(target: number): number {
    const j = this.shallowAdvance(target);
    return j < this.numBlocks ? this.weight * this.list.blockMaxImpact(j) : 0;
  }

  /** The tightest stored upper bound of target's weight × impact: its range maximum, else blockBound. */
  bound(target: number): number {
    if (!this.ranged) return this.blockBound(target);
    const r = target >>> this.rangeBits;
    return r < this.numRanges ? this.weight * this.list.rangeMax(r) : 0;
  }

  /**
   * Makes block j's first posting the current one, decoding the block unless its slot still holds it.
   * Past the last block the cursor is at END.
   */
  enter(j: number): void {
    if (j >= this.numBlocks) {
      this.block = this.numBlocks;
      this.entered = this.numBlocks;
      this.pos = 0;
      this.end = 0;
      this.doc = END;
      return;
    }
    const at = this.load(j);
    this.block = j;
    this.entered = j;
    this.pos = at;
    this.doc = this.docs[at];
  }

  /**
   * Block j's postings, for access out of doc order: decodes the block into its slot unless the slot
   * still holds it, sets `end`, and returns where the block starts in docs/impacts. Moves no position.
   */
  load(j: number): number {
    const slot = j & this.slotMask;
    const at = slot * this.blockSize;
    if (this.slotBlock[slot] !== j) {
      // Marked empty first: a block that fails to decode must not be taken for the slot's old one.
      this.slotBlock[slot] = -1;
      this.slotLength[slot] = this.list.decodeBlock(j, this.docs, this.impacts, at);
      this.slotBlock[slot] = j;
      this.blocksDecoded++;
    }
    this.end = at + this.slotLength[slot];
    return at;
  }
}
