/**
 * How far sparse vectors move when a model changes (quantization, a re-export): per text, the
 * share of the reference's top-10 and top-k terms the candidate keeps, the relative L2 error of
 * the weights, and — what retrieval actually feels — the relative error of dot-product scores
 * between every pair of sample texts.
 */
import type { SparseVector } from '../../shared/sparse/types.ts';

export interface VectorDrift {
  readonly texts: number;
  /** Mean |top10(ref) ∩ top10(candidate)| / min(10, |ref|). */
  readonly top10Overlap: number;
  /** Mean |terms(ref) ∩ terms(candidate)| / |terms(ref)|. */
  readonly termOverlap: number;
  /** Mean ‖ref − candidate‖₂ / ‖ref‖₂ over the union of terms. */
  readonly relativeWeightError: number;
  /** Mean |s_ref − s_cand| / s_ref over text pairs (i < j) with s_ref > 0. */
  readonly relativeScoreError: number;
}

const toMap = (v: SparseVector): Map<number, number> =>
  new Map(Array.from(v.terms, (t, i) => [t, v.weights[i]]));

const topTerms = (v: SparseVector, n: number): number[] =>
  Array.from(v.terms.keys())
    .sort((a, b) => v.weights[b] - v.weights[a])
    .slice(0, n)
    .map((i) => v.terms[i]);

function dot(a: Map<number, number>, b: Map<number, number>): number {
  let s = 0;
  for (const [t, w] of a) s += w * (b.get(t) ?? 0);
  return s;
}

export function measureDrift(
  reference: readonly SparseVector[],
  candidate: readonly SparseVector[],
): VectorDrift {
  const n = reference.length;
  let top10 = 0;
  let overlap = 0;
  let weightError = 0;
  const refMaps = reference.map(toMap);
  const candMaps = candidate.map(toMap);
  for (let i = 0; i < n; i++) {
    const ref = refMaps[i];
    const cand = candMaps[i];
    const refTop = topTerms(reference[i], 10);
    const candTop = new Set(topTerms(candidate[i], 10));
    top10 += refTop.length === 0 ? 1 : refTop.filter((t) => candTop.has(t)).length / refTop.length;
    overlap += ref.size === 0 ? 1 : [...ref.keys()].filter((t) => cand.has(t)).length / ref.size;
    let diff = 0;
    let norm = 0;
    for (const t of new Set([...ref.keys(), ...cand.keys()]))
      diff += ((ref.get(t) ?? 0) - (cand.get(t) ?? 0)) ** 2;
    for (const w of ref.values()) norm += w * w;
    weightError += norm > 0 ? Math.sqrt(diff / norm) : 0;
  }
  let scoreError = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = dot(refMaps[i], refMaps[j]);
      if (s <= 0) continue;
      scoreError += Math.abs(s - dot(candMaps[i], candMaps[j])) / s;
      pairs++;
    }
  }
  return {
    texts: n,
    top10Overlap: n ? top10 / n : 1,
    termOverlap: n ? overlap / n : 1,
    relativeWeightError: n ? weightError / n : 0,
    relativeScoreError: pairs ? scoreError / pairs : 0,
  };
}
