/**
 * Block-max pruning (BMP; Mallia, Suel, Tonellotto, SIGIR 2024), exact, with a coarse level.
 *
 * Doc ids are cut into range blocks of 2^rangeBlockBits docs, grouped into superblocks of
 * 2^superBlockBits range blocks. Every query term gets a superblock upper bound, by the
 * cheapest source that is tight enough for its list: long lists ("ranged") store per-range and
 * per-superblock maxima in the blob; rare lists (at most EXACT_MAX_BLOCKS posting blocks) are
 * decoded whole, their exact maxima costing O(df); mid lists use their skip table (each posting
 * block's maximum over the doc span it covers). Blocks are then visited best bound first from one
 * max-heap that starts with superblocks. A popped superblock is opened: the rare and mid lists'
 * postings inside it are added into a dense accumulator (only the posting blocks overlapping it
 * are decoded), and each of its range blocks is pushed with the bound max(partial score of a doc
 * in the block) + Σ weight × ranged list's maximum in the block. A popped range block is
 * completed by the ranged lists (again decoding only overlapping posting blocks) and its docs
 * are offered to the top-k queue. The search stops when the best remaining bound cannot beat the
 * k-th hit (ties: smaller doc wins). Doc ids should be clustered (shared/postings/reorder.ts):
 * in arrival order nearly every block's bound beats the threshold.
 */

import { DEFAULT_RANGE_BLOCK_BITS, DEFAULT_SUPER_BLOCK_BITS } from '../../postings/format.ts';
import type { PostingList } from '../../postings/posting-list.ts';
import { validateSearchRequest } from '../errors.ts';
import { TopKQueue } from '../topk-queue.ts';
import type { QueryTerm, SearchRequest, TopKAlgorithm, TopKResult } from '../types.ts';
import { BlockHeap } from './block-heap.ts';

/** Lists with at most this many posting blocks are decoded whole for exact bounds. */
const EXACT_MAX_BLOCKS = 16;
/** Decoded posting blocks kept per ranged/mid term (direct-mapped by block index). */
const CACHE_SLOTS = 8;

enum Kind {
  Ranged = 0,
  Exact = 1,
  Mid = 2,
}

/** Per-term state for one query. All fields set in the constructor so the shape is monomorphic. */
class TermCursor {
  readonly weight: number;
  readonly list: PostingList;
  readonly kind: Kind;
  /** Byte offset of u8 range maxima in list.bytes, or -1 (wide impacts: use list.rangeMax). */
  readonly rangeMaxAt: number;
  /** Whole list (Exact) or CACHE_SLOTS decoded blocks of blockSize (Ranged, Mid). */
  readonly docs: Uint32Array;
  readonly impacts: Uint32Array;
  readonly slotBlock: Int32Array;
  readonly slotLength: Int32Array;

  constructor(term: QueryTerm, kind: Kind) {
    const list = term.postings;
    this.weight = term.weight;
    this.list = list;
    this.kind = kind;
    this.rangeMaxAt = kind === Kind.Ranged && !list.wideImpacts ? list.rangeMaxByteOffset : -1;
    const size = kind === Kind.Exact ? list.df : list.blockSize * CACHE_SLOTS;
    this.docs = new Uint32Array(size);
    this.impacts = new Uint32Array(size);
    this.slotBlock = new Int32Array(CACHE_SLOTS).fill(-1);
    this.slotLength = new Int32Array(CACHE_SLOTS);
  }

  /** Decodes posting block j into its cache slot unless there already; returns the slot. */
  load(j: number): number {
    const slot = j & (CACHE_SLOTS - 1);
    if (this.slotBlock[slot] !== j) {
      bmpStats.postingBlocksDecoded++;
      const at = slot * this.list.blockSize;
      this.slotLength[slot] = this.list.decodeBlock(j, this.docs.subarray(at), this.impacts.subarray(at));
      this.slotBlock[slot] = j;
    }
    return slot;
  }
}

// Scratch reused across queries (searches are synchronous, so one set per isolate suffices).
let ubSuper = new Float64Array(0);
/** Scores of the docs of opened superblocks (each region is zeroed when its superblock opens). */
let scores = new Float64Array(0);
const heap = new BlockHeap(1024);

/** Work counters of the last search (for explain output and benchmark diagnostics). */
export const bmpStats = {
  superblocksOpened: 0,
  rangeBlocksScored: 0,
  postingBlocksDecoded: 0,
  exactPostings: 0,
};

interface Geometry {
  numDocs: number;
  rbb: number;
  sbb: number;
  numRange: number;
  numSuper: number;
}

export const bmp: TopKAlgorithm = {
  name: 'bmp',
  search(request: SearchRequest): TopKResult {
    validateSearchRequest(request);
    const { numDocs } = request;
    const queue = new TopKQueue(Math.min(request.k, numDocs));
    if (queue.capacity === 0 || request.terms.length === 0) return queue.toResult();

    // Geometry: that of the first list carrying range maxima for exactly this doc space.
    let rbb = DEFAULT_RANGE_BLOCK_BITS;
    let sbb = DEFAULT_SUPER_BLOCK_BITS;
    for (const t of request.terms) {
      if (t.postings.hasRangeMaxima && t.postings.numDocs === numDocs) {
        rbb = t.postings.rangeBlockBits;
        sbb = t.postings.superBlockBits;
        break;
      }
    }
    const numRange = Math.ceil(numDocs / 2 ** rbb);
    const geo: Geometry = { numDocs, rbb, sbb, numRange, numSuper: Math.ceil(numRange / 2 ** sbb) };
    if (ubSuper.length < geo.numSuper) ubSuper = new Float64Array(geo.numSuper);
    if (scores.length < numDocs) scores = new Float64Array(numDocs);
    ubSuper.fill(0, 0, geo.numSuper);
    bmpStats.superblocksOpened = 0;
    bmpStats.rangeBlocksScored = 0;
    bmpStats.postingBlocksDecoded = 0;
    bmpStats.exactPostings = 0;

    const ranged: TermCursor[] = [];
    const partial: TermCursor[] = [];
    const superShift = rbb + sbb;
    for (const t of request.terms) {
      const list = t.postings;
      if (list.df === 0) continue;
      if (
        list.hasRangeMaxima &&
        list.numDocs === numDocs &&
        list.rangeBlockBits === rbb &&
        list.superBlockBits === sbb
      ) {
        const c = new TermCursor(t, Kind.Ranged);
        ranged.push(c);
        for (let s = 0; s < geo.numSuper; s++) ubSuper[s] += c.weight * list.superMax(s);
      } else if (list.numBlocks <= EXACT_MAX_BLOCKS) {
        const c = new TermCursor(t, Kind.Exact);
        partial.push(c);
        addExactBounds(c, superShift);
      } else {
        const c = new TermCursor(t, Kind.Mid);
        partial.push(c);
        addSkipTableBounds(c, superShift);
      }
    }

    heap.clear();
    for (let s = 0; s < geo.numSuper; s++) if (ubSuper[s] > 0) heap.push(ubSuper[s], -1 - s);

    while (heap.size > 0) {
      const bound = heap.topBound();
      const id = heap.topId();
      const firstDoc = id < 0 ? (-1 - id) * 2 ** superShift : id * 2 ** rbb;
      if (!queue.canBeat(bound, firstDoc)) {
        // Bounds pop in decreasing order: nothing later can beat the k-th hit, except an equal
        // bound over smaller doc ids, so only a strictly lower bound ends the search.
        if (bound < queue.thresholdScore) break;
        heap.pop();
        continue;
      }
      heap.pop();
      if (id < 0) {
        bmpStats.superblocksOpened++;
        openSuperblock(-1 - id, geo, partial, ranged);
      } else {
        bmpStats.rangeBlocksScored++;
        scoreRangeBlock(id, geo, ranged, queue);
      }
    }
    return queue.toResult();
  },
};

/** Decodes a rare list whole and adds its exact superblock maxima to the bounds. */
function addExactBounds(c: TermCursor, superShift: number): void {
  const { list, weight, docs, impacts } = c;
  let at = 0;
  for (let j = 0; j < list.numBlocks; j++) at += list.decodeBlock(j, docs.subarray(at), impacts.subarray(at));
  bmpStats.exactPostings += list.df;
  let cur = -1;
  let max = 0;
  for (let i = 0; i < docs.length; i++) {
    const s = docs[i] >>> superShift;
    if (s !== cur) {
      if (cur >= 0) ubSuper[cur] += weight * max;
      cur = s;
      max = 0;
    }
    if (impacts[i] > max) max = impacts[i];
  }
  if (cur >= 0) ubSuper[cur] += weight * max;
}

/**
 * Superblock bounds of a mid list from its skip table: each posting block's maximum applies to
 * every superblock its doc span touches; a superblock touched by several posting blocks gets
 * their largest maximum, not their sum.
 */
function addSkipTableBounds(c: TermCursor, superShift: number): void {
  const { list, weight } = c;
  let curSuper = -1;
  let curMax = 0;
  let prevLast = -1;
  for (let j = 0; j < list.numBlocks; j++) {
    const last = list.blockLastDoc(j);
    const bmax = list.blockMaxImpact(j);
    let from = (prevLast + 1) >>> superShift;
    const to = last >>> superShift;
    if (from === curSuper) {
      if (bmax > curMax) {
        ubSuper[curSuper] += weight * (bmax - curMax);
        curMax = bmax;
      }
      from++;
    }
    for (let s = from; s <= to; s++) ubSuper[s] += weight * bmax;
    if (to >= from) curMax = bmax;
    curSuper = to;
    prevLast = last;
  }
}

/** Adds the non-ranged lists' postings of superblock s into `scores` and pushes its range blocks. */
function openSuperblock(s: number, geo: Geometry, partial: TermCursor[], ranged: TermCursor[]): void {
  const { rbb, sbb } = geo;
  const lo = s * 2 ** (rbb + sbb);
  const hi = Math.min(geo.numDocs, lo + 2 ** (rbb + sbb));
  const acc = scores;
  acc.fill(0, lo, hi);
  for (const c of partial) {
    if (c.kind === Kind.Exact) addDecoded(c.docs, c.impacts, 0, c.docs.length, c.weight, lo, hi, acc);
    else addPostings(c, lo, hi, acc);
  }
  const fromRange = s * 2 ** sbb;
  const toRange = Math.min(geo.numRange, fromRange + 2 ** sbb);
  const rangeDocs = 2 ** rbb;
  for (let r = fromRange; r < toRange; r++) {
    let bound = 0;
    const rlo = r * rangeDocs;
    const rhi = Math.min(hi, rlo + rangeDocs);
    for (let d = rlo; d < rhi; d++) if (acc[d] > bound) bound = acc[d];
    for (const c of ranged) {
      bound += c.weight * (c.rangeMaxAt >= 0 ? c.list.bytes[c.rangeMaxAt + r] : c.list.rangeMax(r));
    }
    if (bound > 0) heap.push(bound, r);
  }
}

/** Adds the ranged lists' postings of range block r and offers its docs. */
function scoreRangeBlock(r: number, geo: Geometry, ranged: TermCursor[], queue: TopKQueue): void {
  const lo = r * 2 ** geo.rbb;
  const hi = Math.min(geo.numDocs, lo + 2 ** geo.rbb);
  const acc = scores;
  for (const c of ranged) {
    const m = c.rangeMaxAt >= 0 ? c.list.bytes[c.rangeMaxAt + r] : c.list.rangeMax(r);
    if (m !== 0) addPostings(c, lo, hi, acc);
  }
  for (let d = lo; d < hi; d++) if (acc[d] > 0) queue.offer(d, acc[d]);
}

/** acc[d] += weight × impact for the term's postings with lo <= d < hi (cached block decoding). */
function addPostings(c: TermCursor, lo: number, hi: number, acc: Float64Array): void {
  const list = c.list;
  const blockSize = list.blockSize;
  for (let j = list.findBlock(lo); j < list.numBlocks; j++) {
    // Block j's docs lie in (lastDoc(j-1), lastDoc(j)]: no need to decode when that misses [lo, hi).
    if (j > 0 && list.blockLastDoc(j - 1) + 1 >= hi) return;
    const slot = c.load(j);
    const from = slot * blockSize;
    const to = from + c.slotLength[slot];
    if (!addDecoded(c.docs, c.impacts, from, to, c.weight, lo, hi, acc)) return;
  }
}

/** Adds decoded postings [from, to) with lo <= doc < hi; returns false once a doc >= hi was seen. */
function addDecoded(
  docs: Uint32Array,
  impacts: Uint32Array,
  from: number,
  to: number,
  weight: number,
  lo: number,
  hi: number,
  acc: Float64Array,
): boolean {
  for (let i = lowerBound(docs, from, to, lo); i < to; i++) {
    const d = docs[i];
    if (d >= hi) return false;
    acc[d] += weight * impacts[i];
  }
  return true;
}

/** First index in a[from..to) with a[i] >= value. */
function lowerBound(a: Uint32Array, from: number, to: number, value: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
