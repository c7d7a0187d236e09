/**
 * Block-max pruning (BMP; Mallia, Suel, Tonellotto, SIGIR 2024), exact, with a coarse level.
 *
 * Doc ids are cut into range blocks of 2^rangeBlockBits docs, grouped into superblocks of
 * 2^superBlockBits range blocks. Long lists ("ranged") store per-range and per-superblock
 * impact maxima in the blob. Short lists (df below the encoder's rangeMaximaMinDf) are scored
 * exhaustively first: their postings are few (that is why they carry no maxima), so they are
 * decoded and added into a dense accumulator, O(Σ short df). A block's upper bound is then
 * max(short partial score of a doc in the block) + Σ weight × ranged list's maximum in the block,
 * tighter than summing per-term maxima. Blocks are visited best bound first from one max-heap
 * that starts with superblocks: a popped superblock is refined (its range blocks get their
 * bounds and are pushed), so dense range maxima are read only where the coarse bound can still
 * beat the k-th score. A popped range block is completed exactly by decoding, per ranged list
 * with a non-zero maximum there, only the posting blocks overlapping it, and its docs are offered
 * to the top-k queue. The search stops when the best remaining bound cannot beat the k-th hit
 * (ties: smaller doc wins). Doc ids should be clustered (shared/postings/reorder.ts): in arrival
 * order nearly every block's bound beats the threshold.
 */
import type { PostingList } from '../../postings/posting-list.ts';
import { DEFAULT_RANGE_BLOCK_BITS, DEFAULT_SUPER_BLOCK_BITS } from '../../postings/format.ts';
import { validateSearchRequest } from '../errors.ts';
import { TopKQueue } from '../topk-queue.ts';
import type { QueryTerm, SearchRequest, TopKAlgorithm, TopKResult } from '../types.ts';
import { BlockHeap } from './block-heap.ts';

/** Per-term state for one query. All fields set in the constructor so the shape is monomorphic. */
class TermCursor {
  readonly weight: number;
  readonly list: PostingList;
  /** Uses the blob's range maxima; rangeMaxAt >= 0 selects the u8 fast path. */
  readonly ranged: boolean;
  readonly rangeMaxAt: number;
  /** Whole list, decoded (short lists only). */
  docs: Uint32Array;
  impacts: Uint32Array;
  /** Last decoded posting block (ranged lists). */
  readonly blockDocs: Uint32Array;
  readonly blockImpacts: Uint32Array;
  cachedBlock = -1;
  cachedLength = 0;

  constructor(term: QueryTerm, ranged: boolean) {
    this.weight = term.weight;
    this.list = term.postings;
    this.ranged = ranged;
    this.rangeMaxAt = ranged && !this.list.wideImpacts ? this.list.rangeMaxByteOffset : -1;
    const empty = new Uint32Array(0);
    this.docs = empty;
    this.impacts = empty;
    this.blockDocs = ranged ? new Uint32Array(this.list.blockSize) : empty;
    this.blockImpacts = ranged ? new Uint32Array(this.list.blockSize) : empty;
  }

  /** Decodes posting block j unless it is the cached one; returns its length. */
  load(j: number): number {
    if (j !== this.cachedBlock) {
      bmpStats.postingBlocksDecoded++;
      this.cachedLength = this.list.decodeBlock(j, this.blockDocs, this.blockImpacts);
      this.cachedBlock = j;
    }
    return this.cachedLength;
  }
}

// Scratch reused across queries (searches are synchronous, so one set per isolate suffices).
let ubFine = new Float64Array(0);
let ubSuper = new Float64Array(0);
let scoreScratch = new Float64Array(0);
/** Short lists' partial scores; all zero between searches (cleared through the short postings). */
let partial = new Float64Array(0);
const heap = new BlockHeap(1024);

/** Work counters of the last search (for explain output and benchmark diagnostics). */
export const bmpStats = { superblocksOpened: 0, rangeBlocksScored: 0, postingBlocksDecoded: 0, shortPostings: 0 };

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
    if (ubFine.length < numRange) ubFine = new Float64Array(numRange);
    if (ubSuper.length < geo.numSuper) ubSuper = new Float64Array(geo.numSuper);
    if (partial.length < numDocs) partial = new Float64Array(numDocs);
    if (scoreScratch.length < 2 ** rbb) scoreScratch = new Float64Array(2 ** rbb);
    ubFine.fill(0, 0, numRange);
    ubSuper.fill(0, 0, geo.numSuper);
    bmpStats.superblocksOpened = 0;
    bmpStats.rangeBlocksScored = 0;
    bmpStats.postingBlocksDecoded = 0;
    bmpStats.shortPostings = 0;

    const ranged: TermCursor[] = [];
    const short: TermCursor[] = [];
    for (const t of request.terms) {
      const list = t.postings;
      if (list.df === 0) continue;
      const isRanged =
        list.hasRangeMaxima && list.numDocs === numDocs && list.rangeBlockBits === rbb && list.superBlockBits === sbb;
      const cursor = new TermCursor(t, isRanged);
      if (isRanged) ranged.push(cursor);
      else short.push(cursor);
    }
    // Short lists first: their bound is a maximum of partial scores, then ranged maxima add on top.
    for (const c of short) addShortList(c);
    for (const c of short) addShortBounds(c, rbb, rbb + sbb);
    for (const c of ranged) {
      for (let s = 0; s < geo.numSuper; s++) ubSuper[s] += c.weight * c.list.superMax(s);
    }

    heap.clear();
    for (let s = 0; s < geo.numSuper; s++) if (ubSuper[s] > 0) heap.push(ubSuper[s], -1 - s);

    const superDocs = 2 ** (rbb + sbb);
    while (heap.size > 0) {
      const bound = heap.topBound();
      const id = heap.topId();
      const firstDoc = id < 0 ? (-1 - id) * superDocs : id * 2 ** rbb;
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
        refineSuperblock(-1 - id, geo, ranged);
      } else {
        bmpStats.rangeBlocksScored++;
        scoreRangeBlock(id, geo, ranged, queue);
      }
    }
    for (const c of short) {
      const docs = c.docs;
      for (let i = 0; i < docs.length; i++) partial[docs[i]] = 0;
    }
    return queue.toResult();
  },
};

/** Decodes a short list whole and adds it into the partial scores. */
function addShortList(cursor: TermCursor): void {
  const { list, weight } = cursor;
  const docs = new Uint32Array(list.df);
  const impacts = new Uint32Array(list.df);
  let at = 0;
  for (let j = 0; j < list.numBlocks; j++) {
    at += list.decodeBlock(j, docs.subarray(at), impacts.subarray(at));
  }
  bmpStats.shortPostings += list.df;
  cursor.docs = docs;
  cursor.impacts = impacts;
  for (let i = 0; i < docs.length; i++) partial[docs[i]] += weight * impacts[i];
}

/** Raises range/superblock bounds to the largest partial score among the term's docs there. */
function addShortBounds(cursor: TermCursor, rbb: number, superShift: number): void {
  const docs = cursor.docs;
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i];
    const p = partial[d];
    const r = d >>> rbb;
    if (p > ubFine[r]) ubFine[r] = p;
    const s = d >>> superShift;
    if (p > ubSuper[s]) ubSuper[s] = p;
  }
}

/** Adds the ranged lists' maxima to superblock s's range blocks and pushes them. */
function refineSuperblock(s: number, geo: Geometry, ranged: TermCursor[]): void {
  const from = s * 2 ** geo.sbb;
  const to = Math.min(geo.numRange, from + 2 ** geo.sbb);
  for (const c of ranged) {
    const w = c.weight;
    const at = c.rangeMaxAt;
    if (at >= 0) {
      const bytes = c.list.bytes;
      for (let r = from; r < to; r++) ubFine[r] += w * bytes[at + r];
    } else {
      for (let r = from; r < to; r++) ubFine[r] += w * c.list.rangeMax(r);
    }
  }
  for (let r = from; r < to; r++) if (ubFine[r] > 0) heap.push(ubFine[r], r);
}

/** Completes the scores of range block r with the ranged lists and offers its docs. */
function scoreRangeBlock(r: number, geo: Geometry, ranged: TermCursor[], queue: TopKQueue): void {
  const lo = r * 2 ** geo.rbb;
  const hi = Math.min(geo.numDocs, lo + 2 ** geo.rbb);
  // Scores accumulate on top of the short partial scores; the partial array is restored after.
  const acc = scoreScratch;
  for (let d = lo; d < hi; d++) acc[d - lo] = partial[d];
  for (const c of ranged) {
    const m = c.rangeMaxAt >= 0 ? c.list.bytes[c.rangeMaxAt + r] : c.list.rangeMax(r);
    if (m !== 0) addRangedPostings(c, lo, hi, acc);
  }
  for (let i = 0; i < hi - lo; i++) {
    const score = acc[i];
    if (score > 0) queue.offer(lo + i, score);
  }
}

/** acc[d - lo] += weight × impact for the term's postings with lo <= d < hi. */
function addRangedPostings(c: TermCursor, lo: number, hi: number, acc: Float64Array): void {
  const list = c.list;
  const w = c.weight;
  const docs = c.blockDocs;
  const imps = c.blockImpacts;
  for (let j = list.findBlock(lo); j < list.numBlocks; j++) {
    // Block j's docs lie in (lastDoc(j-1), lastDoc(j)]: no need to decode when that misses [lo, hi).
    if (j > 0 && list.blockLastDoc(j - 1) + 1 >= hi) return;
    const n = c.load(j);
    for (let i = lowerBound(docs, 0, n, lo); i < n; i++) {
      const d = docs[i];
      if (d >= hi) return;
      acc[d - lo] += w * imps[i];
    }
  }
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
