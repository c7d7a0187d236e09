/**
 * Entropies of an inverted index's impacts and doc-id gaps, in bits per posting: what per-posting
 * codes can spend at best. bench:engine prints them next to bytes_per_posting, so a size target can
 * be checked against what the data allows.
 *
 * - `impacts`, `gaps`: zeroth-order entropy pooled over all lists (one static code for the index).
 * - `impacts_per_list`: each list's impacts coded with that list's own distribution.
 * - `gap_classes_per_list`: each gap coded as its bit length (entropy-coded with the list's own
 *   distribution of lengths) plus the bits below its leading one, sent as they are: Elias γ with an
 *   ideal adaptive prefix, the family that bit packing, PFor and Golomb codes belong to.
 * The per-list figures leave out the cost of describing each list's distribution, so they are
 * lower bounds for such codes; only codes with context across postings (runs, clusters,
 * interpolation) can go below them.
 */
import type { InvertedPostings } from '../../shared/postings/invert.ts';

function entropyBits(counts: Uint32Array, total: number): number {
  let bits = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0) bits -= c * Math.log2(c / total);
  }
  return bits / total;
}

export interface PostingsEntropy {
  impacts: number;
  gaps: number;
  impacts_per_list: number;
  gap_classes_per_list: number;
}

export function postingsEntropy(inverted: InvertedPostings): PostingsEntropy {
  const total = inverted.docs.length;
  const impactCounts = new Uint32Array(1 << 16);
  for (let i = 0; i < total; i++) impactCounts[inverted.impacts[i]]++;
  const gapCounts = new Uint32Array(inverted.numDocs + 1);
  const listImpacts = new Uint32Array(1 << 16);
  const listClasses = new Uint32Array(33);
  let impactBits = 0;
  let gapBits = 0;
  for (let t = 0; t < inverted.numTerms; t++) {
    const from = inverted.termStarts[t];
    const to = inverted.termStarts[t + 1];
    const n = to - from;
    if (n === 0) continue;
    let previous = -1;
    for (let i = from; i < to; i++) {
      const gap = inverted.docs[i] - previous;
      gapCounts[gap]++;
      const length = 32 - Math.clz32(gap);
      listClasses[length]++;
      gapBits += length - 1;
      listImpacts[inverted.impacts[i]]++;
      previous = inverted.docs[i];
    }
    gapBits += entropyBits(listClasses, n) * n;
    listClasses.fill(0);
    for (let i = from; i < to; i++) {
      const c = listImpacts[inverted.impacts[i]];
      if (c > 0) {
        impactBits -= c * Math.log2(c / n);
        listImpacts[inverted.impacts[i]] = 0;
      }
    }
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    impacts: round(entropyBits(impactCounts, total)),
    gaps: round(entropyBits(gapCounts, total)),
    impacts_per_list: round(impactBits / total),
    gap_classes_per_list: round(gapBits / total),
  };
}
