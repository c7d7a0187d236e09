/**
 * Block-max pruning (BMP; Mallia, Suel, Tonellotto, SIGIR 2024), exact, with a coarse level.
 *
 * Doc ids are cut into fine range blocks of 2^rangeBlockBits docs (the finest any list uses),
 * grouped into superblocks (the same doc size for every list). Lists with range maxima
 * ("ranged") store one maximum per range block of their own size (coarser for sparser lists, see
 * the encoder) and per superblock. Lists without (short: few postings, that is why) are scored
 * exhaustively first: decoded whole and added into a dense partial-score array, O(Σ short df).
 * A block's upper bound is then max(partial score of a doc in the block) + Σ weight × ranged
 * list's maximum over the block, tighter than summing per-term maxima. Blocks are visited best
 * bound first from one max-heap that starts with superblocks: a popped superblock is refined
 * (its fine blocks get their bounds and are pushed), so dense maxima are read only where the
 * coarse bound can still beat the k-th score. A popped fine block is completed exactly by
 * decoding, per ranged list with a non-zero maximum there, only the posting blocks overlapping
 * it (a few kept decoded per list by its cursor), and its docs are offered to the top-k queue. The
 * search stops when the best remaining bound cannot beat the k-th hit (ties: smaller doc wins). Doc
 * ids should be clustered (shared/postings/reorder.ts): in arrival order nearly every block beats
 * the threshold. A filter (`accept`) leaves docs outside it out of the short lists' partials and out
 * of the queue; the ranged lists' maxima stay upper bounds, so pruning stays exact.
 */
import { DEFAULT_RANGE_BLOCK_BITS, DEFAULT_SUPER_BLOCK_BITS } from '../../postings/format.ts';
import { type DocSet, hasDoc } from '../doc-set.ts';
import { validateSearchRequest } from '../errors.ts';
import { PostingCursor } from '../posting-cursor.ts';
import { TopKQueue } from '../topk-queue.ts';
import type { QueryTerm, SearchRequest, TopKAlgorithm, TopKResult } from '../types.ts';
import { BlockHeap } from './block-heap.ts';
import { exhaustive } from './exhaustive.ts';

/** Dense bound/clear passes when short postings exceed numDocs / this. */
const DENSE_PASS_RATIO = 8;
/** A superblock is scored whole when at least 1/this of its fine blocks could beat the threshold. */
const WHOLE_SUPERBLOCK_SHARE = 4;
/**
 * Decoded posting blocks kept per ranged list (direct-mapped by block index; power of two): fine
 * blocks are visited in bound order, so a posting block spanning several is often asked for again.
 */
const CACHE_SLOTS = 8;

/** Work counters of one search (SearchRequest.stats receives them). */
class BmpStats {
  superblocksOpened = 0;
  rangeBlocksScored = 0;
  postingBlocksDecoded = 0;
  shortPostings = 0;
}

/** A short list (no range maxima), decoded whole. */
interface ShortList {
  readonly weight: number;
  readonly docs: Uint32Array;
  readonly impacts: Uint32Array;
}

// Scratch reused across queries (searches are synchronous, so one set per isolate suffices).
let docScratch = new Uint32Array(1 << 16);
let impactScratch = new Uint32Array(1 << 16);
let scratchUsed = 0;

/** Reserves `size` entries of the pooled doc/impact scratch for this search; returns the offset. */
function takeScratch(size: number): number {
  if (scratchUsed + size > docScratch.length) {
    // Earlier lists keep views of the old buffers, which stay valid; only new ones move.
    const capacity = Math.max(docScratch.length * 2, scratchUsed + size);
    docScratch = new Uint32Array(capacity);
    impactScratch = new Uint32Array(capacity);
    scratchUsed = 0;
  }
  const at = scratchUsed;
  scratchUsed += size;
  return at;
}
// Int32 rather than Float64: half the cache footprint for the random accesses of short lists;
// searches whose largest possible score does not fit are delegated to exhaustive scoring.
let ubFine = new Int32Array(0);
let ubSuper = new Int32Array(0);
/** Short lists' partial scores; all zero between searches (cleared through the short postings). */
let partial = new Int32Array(0);
let blockScores = new Int32Array(0);
const heap = new BlockHeap(1024);

interface Geometry {
  numDocs: number;
  /** Fine range block = 2^fineBits docs; superblock = 2^superShift docs. */
  fineBits: number;
  superShift: number;
  numFine: number;
  numSuper: number;
}

/** One search's state, shared by its steps. */
interface BlockSearch {
  readonly geo: Geometry;
  readonly ranged: readonly PostingCursor[];
  readonly queue: TopKQueue;
  readonly accept: DocSet | undefined;
  readonly stats: BmpStats;
}

/** Superblock size of the first list with maxima; fine size = the finest such list's range block. */
function chooseGeometry(request: SearchRequest): Geometry {
  let superShift = -1;
  let fineBits = DEFAULT_RANGE_BLOCK_BITS;
  for (const t of request.terms) {
    const list = t.postings;
    if (!list.hasRangeMaxima || list.numDocs !== request.numDocs) continue;
    const shift = list.rangeBlockBits + list.superBlockBits;
    if (superShift < 0) {
      superShift = shift;
      fineBits = list.rangeBlockBits;
    } else if (shift === superShift && list.rangeBlockBits < fineBits) {
      fineBits = list.rangeBlockBits;
    }
  }
  if (superShift < 0) superShift = DEFAULT_RANGE_BLOCK_BITS + DEFAULT_SUPER_BLOCK_BITS;
  const numFine = Math.ceil(request.numDocs / 2 ** fineBits);
  return {
    numDocs: request.numDocs,
    fineBits,
    superShift,
    numFine,
    numSuper: Math.ceil(request.numDocs / 2 ** superShift),
  };
}

export const bmp: TopKAlgorithm = {
  name: 'bmp',
  search(request: SearchRequest): TopKResult {
    const stats = new BmpStats();
    const result = searchCounting(request, stats);
    if (request.stats !== undefined) Object.assign(request.stats, stats);
    return result;
  },
};

function searchCounting(request: SearchRequest, stats: BmpStats): TopKResult {
  validateSearchRequest(request);
  const { numDocs } = request;
  const queue = new TopKQueue(Math.min(request.k, numDocs));
  if (queue.capacity === 0 || request.terms.length === 0) return queue.toResult();
  let largestScore = 0;
  for (const t of request.terms) largestScore += t.weight * t.postings.maxImpact;
  if (largestScore > 0x7fffffff) return exhaustive.search(request);
  const geo = chooseGeometry(request);
  prepareScratch(geo);
  const ranged: PostingCursor[] = [];
  const short: ShortList[] = [];
  for (const t of request.terms) {
    if (t.postings.df === 0) continue;
    if (isRanged(t, geo)) ranged.push(rangedCursor(t));
    else short.push(decodeShortList(t, request.accept, stats));
  }
  // Short lists first: their bound is a maximum of partial scores; ranged maxima add on top.
  // With many short postings (long SPLADE queries over a large shard), dense sequential passes over
  // the partial scores beat per-posting random accesses.
  const dense = stats.shortPostings * DENSE_PASS_RATIO > numDocs;
  if (dense) addDenseBounds(geo);
  else for (const list of short) addShortBounds(list, geo);
  addSuperBounds(ranged, geo);
  visitBlocks({ geo, ranged, queue, accept: request.accept, stats });
  for (const c of ranged) stats.postingBlocksDecoded += c.blocksDecoded;
  clearPartials(short, dense, numDocs);
  return queue.toResult();
}

/** Sizes and zeroes the bound arrays for this search's geometry; frees the pooled scratch. */
function prepareScratch(geo: Geometry): void {
  if (ubFine.length < geo.numFine) ubFine = new Int32Array(geo.numFine);
  if (ubSuper.length < geo.numSuper) ubSuper = new Int32Array(geo.numSuper);
  if (partial.length < geo.numDocs) partial = new Int32Array(geo.numDocs);
  if (blockScores.length < 2 ** geo.fineBits) blockScores = new Int32Array(2 ** geo.fineBits);
  ubFine.fill(0, 0, geo.numFine);
  ubSuper.fill(0, 0, geo.numSuper);
  scratchUsed = 0;
}

/** Whether the term's range maxima fit the geometry (else it is scored as a short list). */
function isRanged(term: QueryTerm, geo: Geometry): boolean {
  const list = term.postings;
  return (
    list.hasRangeMaxima &&
    list.numDocs === geo.numDocs &&
    list.rangeBlockBits + list.superBlockBits === geo.superShift &&
    list.rangeBlockBits >= geo.fineBits
  );
}

/** A cursor keeping CACHE_SLOTS decoded blocks, in pooled scratch (fresh arrays per query cost more than the search). */
function rangedCursor(term: QueryTerm): PostingCursor {
  const size = term.postings.blockSize * CACHE_SLOTS;
  const at = takeScratch(size);
  return new PostingCursor(term.postings, term.weight, {
    docs: docScratch.subarray(at, at + size),
    impacts: impactScratch.subarray(at, at + size),
    slots: CACHE_SLOTS,
  });
}

/**
 * Decodes a short list whole and adds it into the partial scores. Docs outside the filter keep a
 * partial of 0: they are never offered, so bounds over the docs that may be returned are tighter.
 */
function decodeShortList(term: QueryTerm, accept: DocSet | undefined, stats: BmpStats): ShortList {
  const { postings: list, weight } = term;
  const at = takeScratch(list.df);
  const docs = docScratch.subarray(at, at + list.df);
  const impacts = impactScratch.subarray(at, at + list.df);
  let n = 0;
  for (let j = 0; j < list.numBlocks; j++) n += list.decodeBlock(j, docs, impacts, n);
  stats.shortPostings += list.df;
  // Module-level `let` scratch is copied to locals: hot loops must not re-read a mutable binding.
  const part = partial;
  if (accept === undefined) {
    for (let i = 0; i < docs.length; i++) part[docs[i]] += weight * impacts[i];
  } else {
    for (let i = 0; i < docs.length; i++) if (hasDoc(accept, docs[i])) part[docs[i]] += weight * impacts[i];
  }
  return { weight, docs, impacts };
}

/** Raises fine/superblock bounds to the largest partial score among the list's docs there. */
function addShortBounds(list: ShortList, geo: Geometry): void {
  const docs = list.docs;
  const partial_ = partial;
  const fine = ubFine;
  const coarse = ubSuper;
  const fineBits = geo.fineBits;
  const superShift = geo.superShift;
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i];
    const p = partial_[d];
    const r = d >>> fineBits;
    if (p > fine[r]) fine[r] = p;
    const s = d >>> superShift;
    if (p > coarse[s]) coarse[s] = p;
  }
}

/** Adds each ranged list's superblock maxima to the superblock bounds. */
function addSuperBounds(ranged: readonly PostingCursor[], geo: Geometry): void {
  const coarse = ubSuper;
  for (const c of ranged) {
    for (let s = 0; s < geo.numSuper; s++) coarse[s] += c.weight * c.list.superMax(s);
  }
}

/** Fine/superblock bounds from one sequential scan of all partial scores. */
function addDenseBounds(geo: Geometry): void {
  const fineDocs = 2 ** geo.fineBits;
  const superShift = geo.superShift - geo.fineBits;
  const numDocs = geo.numDocs;
  const part = partial;
  const fine = ubFine;
  const coarse = ubSuper;
  for (let r = 0, d = 0; r < geo.numFine; r++) {
    let max = 0;
    const end = Math.min(numDocs, d + fineDocs);
    for (; d < end; d++) {
      const p = part[d];
      if (p > max) max = p;
    }
    fine[r] = max;
    const s = r >>> superShift;
    if (max > coarse[s]) coarse[s] = max;
  }
}

/** Zeroes the short lists' partial scores: all of them, or through their postings when few. */
function clearPartials(short: readonly ShortList[], dense: boolean, numDocs: number): void {
  const part = partial;
  if (dense) {
    part.fill(0, 0, numDocs);
    return;
  }
  for (const list of short) {
    const docs = list.docs;
    for (let i = 0; i < docs.length; i++) part[docs[i]] = 0;
  }
}

/** Pops blocks best bound first, refining superblocks and scoring fine blocks, until none can beat the k-th hit. */
function visitBlocks(search: BlockSearch): void {
  const { geo, queue, stats } = search;
  const coarseBounds = ubSuper;
  heap.clear();
  for (let s = 0; s < geo.numSuper; s++) if (coarseBounds[s] > 0) heap.push(coarseBounds[s], -1 - s);
  while (heap.size > 0) {
    const bound = heap.topBound();
    const id = heap.topId();
    const firstDoc = id < 0 ? (-1 - id) * 2 ** geo.superShift : id * 2 ** geo.fineBits;
    if (!queue.canBeat(bound, firstDoc)) {
      // Bounds pop in decreasing order: nothing later can beat the k-th hit, except an equal
      // bound over smaller doc ids, so only a strictly lower bound ends the search.
      if (bound < queue.thresholdScore) break;
      heap.pop();
      continue;
    }
    heap.pop();
    if (id < 0) {
      stats.superblocksOpened++;
      refineSuperblock(-1 - id, search);
    } else {
      stats.rangeBlocksScored++;
      scoreRangeBlock(id, search);
    }
  }
}

/**
 * Adds the ranged lists' maxima to superblock s's fine blocks. When at least
 * 1/WHOLE_SUPERBLOCK_SHARE of them could beat the threshold, scores the whole superblock at once
 * (each overlapping posting block decoded once, instead of once per fine block visited in bound
 * order); otherwise pushes the fine blocks.
 */
function refineSuperblock(s: number, search: BlockSearch): void {
  const { geo, queue } = search;
  const fineBits = geo.fineBits;
  const from = s * 2 ** (geo.superShift - fineBits);
  const to = Math.min(geo.numFine, from + 2 ** (geo.superShift - fineBits));
  const fine = ubFine;
  for (const c of search.ranged) {
    const at = c.rangeMaxAt;
    if (at >= 0) {
      // Fine block r lies in the list's own range block r >>> shift.
      const w = c.weight;
      const shift = c.rangeBits - fineBits;
      const bytes = c.list.bytes;
      for (let r = from; r < to; r++) fine[r] += w * bytes[at + (r >>> shift)];
    } else {
      for (let r = from; r < to; r++) fine[r] += c.bound(r * 2 ** fineBits);
    }
  }
  let promising = 0;
  for (let r = from; r < to; r++) if (fine[r] > 0 && queue.canBeat(fine[r], r * 2 ** fineBits)) promising++;
  if (promising * WHOLE_SUPERBLOCK_SHARE >= to - from) {
    search.stats.rangeBlocksScored += to - from;
    scoreDocs(from * 2 ** fineBits, Math.min(geo.numDocs, to * 2 ** fineBits), search, -1);
    return;
  }
  for (let r = from; r < to; r++) if (fine[r] > 0) heap.push(fine[r], r);
}

/** Completes the scores of fine block r with the ranged lists and offers its docs. */
function scoreRangeBlock(r: number, search: BlockSearch): void {
  const fineDocs = 2 ** search.geo.fineBits;
  const lo = r * fineDocs;
  scoreDocs(lo, Math.min(search.geo.numDocs, lo + fineDocs), search, r);
}

/**
 * Scores docs [lo, hi) exactly (partial + ranged lists) and offers them. When they are fine block r
 * (else r = -1), lists whose maximum there is 0 are skipped.
 */
function scoreDocs(lo: number, hi: number, search: BlockSearch, r: number): void {
  if (blockScores.length < hi - lo) blockScores = new Int32Array(hi - lo);
  const acc = blockScores;
  const part = partial;
  for (let d = lo; d < hi; d++) acc[d - lo] = part[d];
  for (const c of search.ranged) if (r < 0 || c.bound(lo) !== 0) addRangedPostings(c, lo, hi, acc);
  const { queue, accept } = search;
  for (let i = 0; i < hi - lo; i++)
    if (acc[i] > 0 && queue.canBeat(acc[i], lo + i) && (accept === undefined || hasDoc(accept, lo + i)))
      queue.offer(lo + i, acc[i]);
}

/** acc[d - lo] += weight × impact for the list's postings with lo <= d < hi. */
function addRangedPostings(c: PostingCursor, lo: number, hi: number, acc: Int32Array): void {
  const list = c.list;
  const docs = c.docs;
  const imps = c.impacts;
  const w = c.weight;
  for (let j = list.findBlock(lo); j < c.numBlocks; j++) {
    // Block j's docs lie in (lastDoc(j-1), lastDoc(j)]: no need to decode when that misses [lo, hi).
    if (j > 0 && list.blockLastDoc(j - 1) + 1 >= hi) return;
    const from = c.load(j);
    const to = c.end;
    for (let i = lowerBound(docs, from, to, lo); i < to; i++) {
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
