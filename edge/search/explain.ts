/**
 * Explanations: why a document scored what it did. For each query term the document also has, the
 * vocabulary token, the query's weight, the document's weight and their contribution to the score.
 * Contributions use the same quantized integers the engine scored, so they add up to the hit's score
 * exactly (up to float rounding): what the user reads is what ranked the document.
 */
import type { PostingList } from '../../shared/postings/posting-list.ts';

export interface ExplainTerm {
  readonly token: string;
  readonly term: number;
  readonly query_weight: number;
  readonly doc_weight: number;
  readonly contribution: number;
}

export interface ExplainInput {
  /** Query terms with their float weight (as encoded) and their quantized integer weight. */
  readonly terms: readonly { term: number; weight: number; quantized: number }[];
  readonly postings: ReadonlyMap<number, PostingList>;
  readonly indexScale: number;
  readonly queryScale: number;
  readonly tokenOf: (term: number) => string;
}

/** The impact of `doc` in `list`, or 0 when the document does not contain the term. */
export function impactOf(list: PostingList, doc: number): number {
  const block = list.findBlock(doc);
  if (block >= list.numBlocks) return 0;
  const docs = new Uint32Array(list.blockSize);
  const impacts = new Uint32Array(list.blockSize);
  const n = list.decodeBlock(block, docs, impacts);
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid] === doc) return impacts[mid];
    if (docs[mid] < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Explanation of local document `doc`, terms by contribution descending. */
export function explainHit(input: ExplainInput, doc: number): ExplainTerm[] {
  const out: ExplainTerm[] = [];
  for (const { term, weight, quantized } of input.terms) {
    const list = input.postings.get(term);
    if (!list) continue;
    const impact = impactOf(list, doc);
    if (impact === 0) continue;
    out.push({
      token: input.tokenOf(term),
      term,
      query_weight: weight,
      doc_weight: impact * input.indexScale,
      contribution: quantized * impact * input.indexScale * input.queryScale,
    });
  }
  return out.sort((a, b) => b.contribution - a.contribution || a.term - b.term);
}

/**
 * Explanation from a document's own vector (approximate search reads documents from the forward index,
 * not from posting lists): the same quantities as explainHit, so both modes explain alike.
 */
export function explainVector(
  terms: ExplainInput['terms'],
  doc: { terms: readonly number[]; impacts: readonly number[] },
  indexScale: number,
  queryScale: number,
  tokenOf: (term: number) => string,
): ExplainTerm[] {
  const impactOfTerm = new Map(doc.terms.map((t, i) => [t, doc.impacts[i]]));
  const out: ExplainTerm[] = [];
  for (const { term, weight, quantized } of terms) {
    const impact = impactOfTerm.get(term);
    if (!impact) continue;
    out.push({
      token: tokenOf(term),
      term,
      query_weight: weight,
      doc_weight: impact * indexScale,
      contribution: quantized * impact * indexScale * queryScale,
    });
  }
  return out.sort((a, b) => b.contribution - a.contribution || a.term - b.term);
}
