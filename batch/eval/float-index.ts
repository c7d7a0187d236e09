/**
 * An in-memory inverted index over float sparse vectors, scored exhaustively: the unquantized
 * reference an evaluation compares the published (integer-impact) index with. Scores are exact dot
 * products of the encoder's float32 weights, accumulated in doubles, with no impact rounding and
 * no pruning, so "quantized vs unquantized" isolates what quantization costs. Ranking follows
 * trec_eval (score desc, docId desc), so the top-k cut is the one trec_eval would make.
 */
import { rankForTrecEval } from '../../shared/eval/ranking.ts';
import type { ScoredDoc } from '../../shared/eval/types.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';

export class FloatInvertedIndex {
  private readonly docIds: readonly string[];
  /** term → [doc ordinals], [weights] */
  private readonly postings = new Map<number, { docs: number[]; weights: number[] }>();

  constructor(docIds: readonly string[], vectors: readonly SparseVector[]) {
    if (docIds.length !== vectors.length) {
      throw new RangeError(`${docIds.length} document ids but ${vectors.length} vectors`);
    }
    this.docIds = docIds;
    for (let d = 0; d < vectors.length; d++) {
      const { terms, weights } = vectors[d];
      for (let i = 0; i < terms.length; i++) {
        let list = this.postings.get(terms[i]);
        if (!list) this.postings.set(terms[i], (list = { docs: [], weights: [] }));
        list.docs.push(d);
        list.weights.push(weights[i]);
      }
    }
  }

  get size(): number {
    return this.docIds.length;
  }

  /** The k best documents by float dot product (only documents sharing a term with the query). */
  search(query: SparseVector, k: number): ScoredDoc[] {
    const scores = new Float64Array(this.docIds.length);
    const touched: number[] = [];
    for (let i = 0; i < query.terms.length; i++) {
      const list = this.postings.get(query.terms[i]);
      if (!list) continue;
      const w = query.weights[i];
      for (let j = 0; j < list.docs.length; j++) {
        const d = list.docs[j];
        if (scores[d] === 0) touched.push(d);
        scores[d] += w * list.weights[j];
      }
    }
    const hits = touched.map((d) => ({ docId: this.docIds[d], score: scores[d] }));
    return rankForTrecEval('(float index)', hits, { depth: k });
  }
}
