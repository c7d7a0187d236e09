/**
 * Zeroth-order entropy of an inverted index's impacts and doc-id gaps, in bits per posting: the floor no
 * per-posting code (bit packing, varints, PFor) can beat without modelling context. bench:engine prints it
 * next to bytes_per_posting, so a size target can be checked against what the data allows.
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

export function postingsEntropy(inverted: InvertedPostings): { impacts: number; gaps: number } {
  const total = inverted.docs.length;
  const impactCounts = new Uint32Array(1 << 16);
  for (let i = 0; i < total; i++) impactCounts[inverted.impacts[i]]++;
  const gapCounts = new Uint32Array(inverted.numDocs + 1);
  for (let t = 0; t < inverted.numTerms; t++) {
    let previous = -1;
    for (let i = inverted.termStarts[t]; i < inverted.termStarts[t + 1]; i++) {
      gapCounts[inverted.docs[i] - previous]++;
      previous = inverted.docs[i];
    }
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return { impacts: round(entropyBits(impactCounts, total)), gaps: round(entropyBits(gapCounts, total)) };
}
