/**
 * MaxScore (Turtle & Flood 1995), document at a time, exact, with block-max checks.
 *
 * Terms are sorted by their largest possible contribution (weight × max impact). The longest
 * prefix whose contributions sum below the k-th score is "non-essential": a doc matching only
 * those terms cannot enter the top k, so candidates come from the essential lists alone. A
 * candidate's score is completed from the non-essential lists in decreasing contribution order,
 * stopping as soon as score + (the rest's bound, using each list's block maximum at that doc)
 * cannot beat the k-th hit. As the threshold rises, more terms become non-essential. Kept as the
 * DAAT alternative to BMP and for collections that are not clustered; see registry.ts. A filter
 * (`accept`) skips candidates outside it before they are scored, so the threshold comes from docs that
 * may be returned.
 */
import type { PostingList } from '../../postings/posting-list.ts';
import { hasDoc } from '../doc-set.ts';
import { validateSearchRequest } from '../errors.ts';
import { TopKQueue } from '../topk-queue.ts';
import type { SearchRequest, TopKAlgorithm, TopKResult } from '../types.ts';

const END = 0xffffffff + 1;

/** A forward cursor over one posting list, decoding one block at a time. */
class Cursor {
  readonly list: PostingList;
  readonly weight: number;
  readonly bound: number;
  readonly docs: Uint32Array;
  readonly impacts: Uint32Array;
  block = -1;
  length = 0;
  pos = 0;
  doc = -1;

  constructor(list: PostingList, weight: number) {
    this.list = list;
    this.weight = weight;
    this.bound = weight * list.maxImpact;
    this.docs = new Uint32Array(list.blockSize);
    this.impacts = new Uint32Array(list.blockSize);
    this.loadBlock(0);
  }

  private loadBlock(j: number): void {
    this.block = j;
    this.pos = 0;
    if (j >= this.list.numBlocks) {
      this.length = 0;
      this.doc = END;
      return;
    }
    this.length = this.list.decodeBlock(j, this.docs, this.impacts);
    this.doc = this.docs[0];
  }

  next(): void {
    if (++this.pos < this.length) this.doc = this.docs[this.pos];
    else this.loadBlock(this.block + 1);
  }

  /** Moves to the first posting with doc >= target. */
  seek(target: number): void {
    if (this.doc >= target) return;
    const list = this.list;
    if (list.blockLastDoc(this.block) < target) {
      const j = list.findBlock(target, this.block + 1);
      this.loadBlock(j);
      if (this.doc >= target) return;
    }
    const docs = this.docs;
    let i = this.pos;
    while (docs[i] < target) i++;
    this.pos = i;
    this.doc = docs[i];
  }

  /** weight × the maximum impact of the block that would hold `target` (0 past the end). */
  blockBoundAt(target: number): number {
    const list = this.list;
    if (this.block < list.numBlocks && list.blockLastDoc(this.block) >= target) {
      return this.weight * list.blockMaxImpact(this.block);
    }
    const j = list.findBlock(target, Math.max(0, this.block));
    return j < list.numBlocks ? this.weight * list.blockMaxImpact(j) : 0;
  }

  score(): number {
    return this.weight * this.impacts[this.pos];
  }
}

export const maxscore: TopKAlgorithm = {
  name: 'maxscore',
  search(request: SearchRequest): TopKResult {
    validateSearchRequest(request);
    const accept = request.accept;
    const queue = new TopKQueue(Math.min(request.k, request.numDocs));
    const cursors: Cursor[] = [];
    for (const t of request.terms) if (t.postings.df > 0) cursors.push(new Cursor(t.postings, t.weight));
    if (queue.capacity === 0 || cursors.length === 0) return queue.toResult();
    cursors.sort((a, b) => a.bound - b.bound);
    const n = cursors.length;
    // prefix[i] = Σ bounds of cursors[0..i): the bound of a doc matching only those.
    const prefix = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + cursors[i].bound;

    let firstEssential = 0;
    for (;;) {
      // Non-essential prefix: docs matching only cursors[0..firstEssential) cannot enter.
      while (firstEssential < n && !queue.canBeat(prefix[firstEssential + 1], 0)) firstEssential++;
      if (firstEssential >= n) break;
      let doc = END;
      for (let i = firstEssential; i < n; i++) if (cursors[i].doc < doc) doc = cursors[i].doc;
      if (doc === END) break;
      if (accept !== undefined && !hasDoc(accept, doc)) {
        // Filtered out: step past it without scoring.
        for (let i = firstEssential; i < n; i++) if (cursors[i].doc === doc) cursors[i].next();
        continue;
      }
      let score = 0;
      for (let i = firstEssential; i < n; i++) {
        const c = cursors[i];
        if (c.doc === doc) {
          score += c.score();
          c.next();
        }
      }
      // Complete from the non-essential lists, largest bound first, while the doc can still enter.
      for (let i = firstEssential - 1; i >= 0; i--) {
        if (!queue.canBeat(score + prefix[i + 1], doc)) break;
        const c = cursors[i];
        if (!queue.canBeat(score + prefix[i] + c.blockBoundAt(doc), doc)) continue;
        c.seek(doc);
        if (c.doc === doc) score += c.score();
      }
      if (queue.canBeat(score, doc)) queue.offer(doc, score);
    }
    return queue.toResult();
  },
};
