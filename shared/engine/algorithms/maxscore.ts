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
import { hasDoc } from '../doc-set.ts';
import { validateSearchRequest } from '../errors.ts';
import { END as CURSOR_END, PostingCursor } from '../posting-cursor.ts';
import { TopKQueue } from '../topk-queue.ts';
import type { SearchRequest, TopKAlgorithm, TopKResult } from '../types.ts';

/**
 * A module-local copy of the cursor's END, for the hot loop: a local constant is folded into the
 * compiled loop, an imported binding is loaded on every use.
 */
const END = CURSOR_END;

export const maxscore: TopKAlgorithm = {
  name: 'maxscore',
  search(request: SearchRequest): TopKResult {
    validateSearchRequest(request);
    const accept = request.accept;
    const queue = new TopKQueue(Math.min(request.k, request.numDocs));
    const cursors: PostingCursor[] = [];
    for (const t of request.terms) {
      if (t.postings.df === 0) continue;
      const cursor = new PostingCursor(t.postings, t.weight);
      cursor.next();
      cursors.push(cursor);
    }
    if (queue.capacity === 0 || cursors.length === 0) return queue.toResult();
    cursors.sort((a, b) => a.maxScore - b.maxScore);
    const n = cursors.length;
    // prefix[i] = Σ bounds of cursors[0..i): the bound of a doc matching only those.
    const prefix = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + cursors[i].maxScore;

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
        if (!queue.canBeat(score + prefix[i] + c.blockBound(doc), doc)) continue;
        c.advance(doc);
        if (c.doc === doc) score += c.score();
      }
      if (queue.canBeat(score, doc)) queue.offer(doc, score);
    }
    return queue.toResult();
  },
};
