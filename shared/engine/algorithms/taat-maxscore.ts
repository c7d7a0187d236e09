/**
 * Term-at-a-time MaxScore ("taat-maxscore"), exact: the default algorithm (see registry.ts).
 *
 * SPLADE queries have a few short, high-weight lists and many long, low-weight ones. Classic
 * (document-at-a-time) MaxScore walks the long lists doc by doc; BMP decodes every list without
 * range maxima whole and then scores the doc space block by block, which at large k (low
 * threshold) means half the collection. Here the lists are split once per query:
 *
 * 1. Essential lists E are accumulated exactly, term at a time, into a dense Int32 partial-score
 *    array (docs marked in a bitmap). Lists enter E in decreasing order of upper bound per
 *    posting (weight × maxImpact / df): the cheapest way to shrink the bound of the rest.
 * 2. L = the k-th largest partial score (a lower bound of it from a histogram of partials that
 *    accumulation keeps up to date, so no pass over the touched docs and no heap) is a lower
 *    bound of the final k-th score, since partials never exceed exact scores. Lists keep moving
 *    into E (L recomputed each time E grows by ROUND_GROWTH) until the non-essential lists N
 *    have Σ weight × maxImpact < L: then a doc in no essential list scores below the k-th hit
 *    and is never looked at. Lists of N shorter than the number of surviving candidates are
 *    accumulated too (probing them would decode most of their blocks anyway).
 * 3. Pass A, touched docs in doc order: partial + Σ bound(N) must reach L; the bound is then
 *    tightened with each N list's stored range maximum (block maximum for lists without range
 *    maxima) and survivors are kept as candidates.
 *    Pass B: the k candidates with the best bounds are completed exactly (in doc order), which
 *    lifts the threshold close to its final value before the bulk is looked at.
 *    Pass C: the other candidates, in doc order, completed only while partial + remaining
 *    bounds can still beat the k-th hit. Completing walks one cursor per N list forward
 *    (posting-cursor.ts), which decodes only the posting blocks holding candidates, with early
 *    exit per doc.
 *
 * Exactness and ties: a doc is dropped only when an upper bound of its score is strictly below L
 * (a proven lower bound of the k-th score) or when the queue's canBeat (smaller doc wins ties)
 * says no. Sums of weight × maxImpact above 2^31 go to exhaustive scoring. A filter (`accept`) is
 * applied while accumulating: postings of docs outside it are skipped, so they are never candidates
 * and L bounds the k-th score among the docs that may be returned.
 *
 * Where the time goes: accumulating E (decoding and adding every posting of the essential lists)
 * and, at large k, decoding the posting blocks that complete candidates. A tighter bound for docs
 * outside E (per range block instead of global maxima) would shrink E further.
 */
import type { PostingList } from '../../postings/posting-list.ts';
import type { DocSet } from '../doc-set.ts';
import { validateSearchRequest } from '../errors.ts';
import { PostingCursor } from '../posting-cursor.ts';
import { TopKQueue } from '../topk-queue.ts';
import type { QueryTerm, SearchRequest, TopKAlgorithm, TopKResult } from '../types.ts';
import { exhaustive } from './exhaustive.ts';

/** Work counters of one search (SearchRequest.stats receives them). */
class TaatStats {
  /** Lists and postings accumulated whole (the essential lists, and all of them on fallback). */
  essentialLists = 0;
  essentialPostings = 0;
  /** Candidates past pass A, and those pass C completed. */
  boundPassed = 0;
  tightPassed = 0;
  /** Posting blocks decoded to complete candidates. */
  blocksDecoded = 0;
  /** Times L was recomputed while E grew. */
  rounds = 0;
}

/** First essential lists: about numDocs / START_SHARE postings. */
const START_SHARE = 16;
/** L is recomputed each time E's postings grow by this factor. */
const ROUND_GROWTH = 1.5;
/** After the split, lists with df below this × the number of candidates are accumulated too. */
const ACCUMULATE_SHARE = 1;
/**
 * When the essential lists already hold this share of the query's postings, pruning cannot save
 * enough to pay for its passes: the rest is added up whole and the touched docs scanned, as
 * exhaustive scoring does, so the algorithm is never much slower than exhaustive scoring.
 */
const FALLBACK_SHARE = 0.6;

// Scratch reused across searches (searches are synchronous; every search leaves it zeroed).
let acc = new Int32Array(0);
let touchedBits = new Int32Array(0);
let blockDocs = new Uint32Array(128);
let blockImps = new Uint32Array(128);

/** Room for one posting block of `list` in the shared block buffers. */
function blockBuffersFor(list: PostingList): void {
  if (blockDocs.length < list.blockSize) {
    blockDocs = new Uint32Array(list.blockSize);
    blockImps = new Uint32Array(list.blockSize);
  }
}

/**
 * acc[d] += weight × impact for every posting of the list; marks docs in the bitmap and keeps the
 * histogram of touched docs' partial scores (bucket = partial >>> histShift) up to date, so the
 * k-th partial and candidate counts need no pass over the touched docs. With a filter, postings of
 * docs outside it are skipped: such docs never become candidates, and the histogram (so L) counts
 * only docs that may be returned.
 */
function accumulate(
  list: PostingList,
  weight: number,
  a: Int32Array,
  bits: Int32Array,
  accept: DocSet | undefined,
): void {
  blockBuffersFor(list);
  const docs = blockDocs;
  const imps = blockImps;
  const h = hist;
  const shift = histShift;
  for (let j = 0; j < list.numBlocks; j++) {
    const n = list.decodeBlock(j, docs, imps);
    for (let i = 0; i < n; i++) {
      const d = docs[i];
      if (accept !== undefined && ((accept[d >>> 5] >>> (d & 31)) & 1) === 0) continue;
      const before = a[d];
      const after = before + weight * imps[i];
      a[d] = after;
      if (before !== 0) h[before >>> shift]--;
      h[after >>> shift]++;
      bits[d >>> 5] |= 1 << (d & 31);
    }
  }
}

/** acc[d] += weight × impact for every posting (of docs in `accept`), marking docs; no histogram upkeep. */
function addWhole(
  list: PostingList,
  weight: number,
  a: Int32Array,
  bits: Int32Array,
  accept: DocSet | undefined,
): void {
  blockBuffersFor(list);
  const docs = blockDocs;
  const imps = blockImps;
  for (let j = 0; j < list.numBlocks; j++) {
    const n = list.decodeBlock(j, docs, imps);
    for (let i = 0; i < n; i++) {
      const d = docs[i];
      if (accept !== undefined && ((accept[d >>> 5] >>> (d & 31)) & 1) === 0) continue;
      a[d] += weight * imps[i];
      bits[d >>> 5] |= 1 << (d & 31);
    }
  }
}

/** Every touched doc, in doc order, into the queue (exact scores); clears partials and bitmap. */
function scanTouched(a: Int32Array, bits: Int32Array, words: number, queue: TopKQueue): TopKResult {
  let threshold = 0;
  for (let w = 0; w < words; w++) {
    let m = bits[w];
    if (m === 0) continue;
    bits[w] = 0;
    while (m !== 0) {
      const b = 31 - Math.clz32(m & -m);
      m &= m - 1;
      const d = (w << 5) | b;
      const s = a[d];
      a[d] = 0;
      // Doc order: a later doc never wins a tie, so only strictly higher scores can enter.
      if (s > threshold) {
        queue.offer(d, s);
        if (queue.isFull) threshold = queue.thresholdScore;
      }
    }
  }
  return queue.toResult();
}

const HIST_BITS = 12;
/** Touched docs per bucket of partial score, maintained by accumulate; cleared after each search. */
const hist = new Int32Array((1 << HIST_BITS) + 1);
/** Bucket of a partial p is p >>> histShift (set per search from the largest possible score). */
let histShift = 0;

/** A lower bound of the k-th largest partial score among touched docs (0 if fewer than k). */
function kthPartialAtLeast(k: number): number {
  const h = hist;
  let count = 0;
  let at = h.length - 1;
  for (; at > 0; at--) {
    count += h[at];
    if (count >= k) break;
  }
  return count >= k ? at << histShift : 0;
}

/** An upper bound of the number of touched docs with partial >= v (whole buckets). */
function countAtLeast(v: number): number {
  const h = hist;
  let n = 0;
  for (let at = Math.max(0, v) >>> histShift; at < h.length; at++) n += h[at];
  return n;
}

let candDocs = new Uint32Array(1024);
let candPartial = new Int32Array(1024);
let candBound = new Int32Array(1024);

function growCandidates(): void {
  const n = candDocs.length * 2;
  const d = new Uint32Array(n);
  const p = new Int32Array(n);
  const b = new Int32Array(n);
  d.set(candDocs);
  p.set(candPartial);
  b.set(candBound);
  candDocs = d;
  candPartial = p;
  candBound = b;
}

/** The non-essential lists, largest bound first, with flat copies for the hot loops. */
class NonEssential {
  readonly cursors: PostingCursor[] = [];
  readonly n: number;
  readonly ub: Int32Array;
  readonly weight: Int32Array;
  /** Byte offset of narrow range maxima in bytes[i], or -1 (use the cursor). */
  readonly rangeAt: Int32Array;
  readonly rangeBits: Int32Array;
  readonly numRanges: Int32Array;
  readonly bytes: Uint8Array[] = [];
  restUb = 0;

  constructor(terms: readonly QueryTerm[], from: number) {
    for (let i = from; i < terms.length; i++)
      this.cursors.push(new PostingCursor(terms[i].postings, terms[i].weight));
    // Complete the most valuable lists first so early exit comes sooner.
    this.cursors.sort((x, y) => y.maxScore - x.maxScore);
    const n = this.cursors.length;
    this.n = n;
    this.ub = new Int32Array(n);
    this.weight = new Int32Array(n);
    this.rangeAt = new Int32Array(n);
    this.rangeBits = new Int32Array(n);
    this.numRanges = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = this.cursors[i];
      this.ub[i] = c.maxScore;
      this.restUb += c.maxScore;
      this.weight[i] = c.weight;
      this.rangeAt[i] = c.rangeMaxAt;
      this.rangeBits[i] = c.rangeBits;
      this.numRanges[i] = c.numRanges;
      this.bytes.push(c.list.bytes);
    }
  }

  reset(): void {
    for (const c of this.cursors) c.reset();
  }

  /** Posting blocks the cursors have decoded. */
  blocksDecoded(): number {
    let n = 0;
    for (const c of this.cursors) n += c.blocksDecoded;
    return n;
  }

  /** Upper bound of list i's weight × impact for doc d: its range maximum (or block maximum). */
  private boundOf(i: number, d: number): number {
    const at = this.rangeAt[i];
    if (at < 0) return this.cursors[i].bound(d);
    const r = d >>> this.rangeBits[i];
    return r < this.numRanges[i] ? this.weight[i] * this.bytes[i][at + r] : 0;
  }

  /** Upper bound of doc d with partial p from the lists' range (or block) maxima; -1 if below thr. */
  tight(d: number, p: number, thr: number): number {
    let bound = p + this.restUb;
    const n = this.n;
    for (let i = 0; i < n; i++) {
      const x = this.boundOf(i, d);
      bound -= this.ub[i] - x;
      if (bound < thr) return -1;
    }
    return bound;
  }

  /**
   * Exact score of doc d (partial p, upper bound `bound`), or -1 as soon as it cannot reach thr
   * or beat the queue's k-th hit. Docs must come in increasing order between resets.
   */
  exact(d: number, p: number, bound: number, thr: number, queue: TopKQueue): number {
    let s = p;
    let rest = bound - p;
    const n = this.n;
    for (let i = 0; i < n; i++) {
      if (rest === 0) break;
      const x = this.boundOf(i, d);
      if (x === 0) continue;
      rest -= x;
      s += this.cursors[i].scoreOf(d);
      const ub = s + rest;
      if (ub < thr || !queue.canBeat(ub, d)) return -1;
    }
    return s;
  }
}

export const taatMaxscore: TopKAlgorithm = {
  name: 'taat-maxscore',
  search(request: SearchRequest): TopKResult {
    const stats = new TaatStats();
    const result = searchCounting(request, stats);
    if (request.stats !== undefined) Object.assign(request.stats, stats);
    return result;
  },
};

/** One search's inputs and scratch, shared by its steps. */
interface TaatSearch {
  /** The query's non-empty lists, in essential priority order. */
  readonly terms: readonly QueryTerm[];
  readonly k: number;
  readonly numDocs: number;
  readonly queue: TopKQueue;
  /** Partial scores and the bitmap of touched docs (words of 32 docs). */
  readonly a: Int32Array;
  readonly bits: Int32Array;
  readonly words: number;
  readonly accept: DocSet | undefined;
  readonly stats: TaatStats;
}

/** Where the lists were split: terms[0..essential) are accumulated. */
interface Split {
  readonly essential: number;
  /** Postings accumulated, Σ weight × maxImpact of the rest, and L. */
  readonly postings: number;
  readonly restUb: number;
  readonly L: number;
}

function searchCounting(request: SearchRequest, stats: TaatStats): TopKResult {
  validateSearchRequest(request);
  const { numDocs } = request;
  const k = Math.min(request.k, numDocs);
  const queue = new TopKQueue(k);
  if (k === 0 || request.terms.length === 0) return queue.toResult();
  let largest = 0;
  for (const t of request.terms) largest += t.weight * t.postings.maxImpact;
  if (largest > 0x7fffffff) return exhaustive.search(request);

  const terms = request.terms.filter((t) => t.postings.df > 0);
  // Essential priority: bound per posting, largest first.
  terms.sort(
    (a, b) =>
      (b.weight * b.postings.maxImpact) / b.postings.df - (a.weight * a.postings.maxImpact) / a.postings.df,
  );
  const words = (numDocs + 31) >>> 5;
  if (acc.length < numDocs) acc = new Int32Array(numDocs);
  if (touchedBits.length < words) touchedBits = new Int32Array(words);
  const a = acc;
  const bits = touchedBits;
  histShift = Math.max(0, 32 - Math.clz32(largest) - HIST_BITS);
  try {
    return searchWith({ terms, k, numDocs, queue, a, bits, words, accept: request.accept, stats });
  } catch (error) {
    // A corrupt block: leave the shared partial scores and bitmap clean for the next search.
    a.fill(0, 0, numDocs);
    bits.fill(0, 0, words);
    throw error;
  } finally {
    hist.fill(0);
  }
}

function searchWith(s: TaatSearch): TopKResult {
  const { terms, stats } = s;
  const split = splitEssential(s);
  let total = split.postings;
  for (let i = split.essential; i < terms.length; i++) total += terms[i].postings.df;
  if (split.essential < terms.length && split.postings >= FALLBACK_SHARE * total) {
    for (let i = split.essential; i < terms.length; i++)
      addWhole(terms[i].postings, terms[i].weight, s.a, s.bits, s.accept);
    stats.essentialLists = terms.length;
    stats.essentialPostings = total;
    return scanTouched(s.a, s.bits, s.words, s.queue);
  }
  const rest = new NonEssential(terms, split.essential);
  const candidates = collectCandidates(s, rest, split);
  stats.boundPassed = candidates;
  completeCandidates(s, rest, candidates, split.L);
  stats.blocksDecoded = rest.blocksDecoded();
  return s.queue.toResult();
}

/**
 * Accumulates lists into E until the rest cannot reach L: it starts with lists worth
 * ~numDocs/START_SHARE postings and recomputes L each time E's postings grow by ROUND_GROWTH.
 */
function splitEssential(s: TaatSearch): Split {
  const { terms, a, bits, accept, stats } = s;
  let restUb = 0;
  for (const t of terms) restUb += t.weight * t.postings.maxImpact;
  let e = 0;
  let postings = 0;
  let nextRound = s.numDocs / START_SHARE;
  let L = 0;
  while (e < terms.length) {
    const t = terms[e++];
    accumulate(t.postings, t.weight, a, bits, accept);
    postings += t.postings.df;
    restUb -= t.weight * t.postings.maxImpact;
    if (restUb < L) break;
    if (postings < nextRound && e < terms.length) continue;
    nextRound = postings * ROUND_GROWTH;
    stats.rounds++;
    const h = kthPartialAtLeast(s.k);
    if (h > L) L = h;
    if (restUb < L) break;
  }
  if (e < terms.length) {
    // Lists short next to the number of candidates cost less accumulated than probed.
    const candidates = countAtLeast(L - restUb);
    while (e < terms.length && terms[e].postings.df < ACCUMULATE_SHARE * candidates) {
      const t = terms[e++];
      accumulate(t.postings, t.weight, a, bits, accept);
      postings += t.postings.df;
      restUb -= t.weight * t.postings.maxImpact;
    }
  }
  stats.essentialLists = e;
  stats.essentialPostings = postings;
  return { essential: e, postings, restUb, L };
}

/**
 * Pass A (doc order): touched docs whose partial + per-range bounds of the rest reach L become
 * candidates (candDocs, candPartial, candBound); clears the partials and the bitmap. Returns their number.
 */
function collectCandidates(s: TaatSearch, rest: NonEssential, split: Split): number {
  const { a, bits, words } = s;
  const { restUb, L } = split;
  let n = 0;
  for (let w = 0; w < words; w++) {
    let m = bits[w];
    if (m === 0) continue;
    bits[w] = 0;
    while (m !== 0) {
      const b = 31 - Math.clz32(m & -m);
      m &= m - 1;
      const d = (w << 5) | b;
      const p = a[d];
      a[d] = 0;
      if (p + restUb < L) continue;
      const bound = rest.tight(d, p, L);
      if (bound < 0) continue;
      if (n === candDocs.length) growCandidates();
      candDocs[n] = d;
      candPartial[n] = p;
      candBound[n] = bound;
      n++;
    }
  }
  return n;
}

/** Passes B and C: completes the candidates that can still beat the k-th hit and offers them. */
function completeCandidates(s: TaatSearch, rest: NonEssential, candidates: number, L: number): void {
  const { queue, stats } = s;
  const cd = candDocs;
  const cp = candPartial;
  const cb = candBound;
  let thr = L;
  rest.reset();
  if (candidates > s.k) {
    thr = completeBestBounds(rest, candidates, s.k, thr, queue);
    rest.reset();
  }
  // Pass C (doc order): everything else that can still beat the k-th hit.
  for (let i = 0; i < candidates; i++) {
    const bound = cb[i];
    const d = cd[i];
    if (bound < thr || !queue.canBeat(bound, d)) continue;
    stats.tightPassed++;
    const score = rest.exact(d, cp[i], bound, thr, queue);
    if (score > 0 && queue.offer(d, score) && queue.isFull && queue.thresholdScore > thr)
      thr = queue.thresholdScore;
  }
}

/**
 * Pass B: the k candidates with the best bounds, completed exactly (in doc order) and marked done
 * (bound -1), give a threshold close to the final one before the bulk is looked at. Returns it.
 */
function completeBestBounds(
  rest: NonEssential,
  candidates: number,
  k: number,
  thr: number,
  queue: TopKQueue,
): number {
  const cd = candDocs;
  const cp = candPartial;
  const cb = candBound;
  const best = new TopKQueue(k);
  for (let i = 0; i < candidates; i++) if (best.canBeat(cb[i], i)) best.offer(i, cb[i]);
  const picked = best.toResult().docs.slice().sort();
  for (let j = 0; j < picked.length; j++) {
    const i = picked[j];
    const score = rest.exact(cd[i], cp[i], cb[i], thr, queue);
    if (score > 0) queue.offer(cd[i], score);
    cb[i] = -1;
  }
  return queue.isFull && queue.thresholdScore > thr ? queue.thresholdScore : thr;
}
