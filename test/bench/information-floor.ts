/**
 * The information floor of a synthetic corpus: the fewest bits per posting that ANY lossless index
 * of it can take on average, whatever its codec, context model or doc-id order. bench:engine
 * prints it next to bytes_per_posting, so a size target can be checked against what the data
 * allows (the zeroth-order entropies in postings-entropy.ts are only the floor of per-posting codes).
 *
 * The generator (synthetic-corpus.ts) draws documents independently: a topic, then each
 * background term of rank r with probability p_r, then topic terms, then each term's impact from
 * a distribution that depends only on the term's rarity. So the corpus's entropy is N × H(doc) and
 *
 *   H(doc) ≥ H(doc | topic) ≥ Σ_{r outside the topic's terms} h(p_r) + Σ_{t in doc} H(impact | t)
 *
 * (membership of a term outside the document's topic is exactly its background coin; impacts are
 * independent given the term set). An index may renumber documents, which can save at most
 * log2(N!) bits, so
 *
 *   floor = (N · min over topics Σ_{r ∉ topic} h(p_r) + Σ_t df_t · H(impact | t) − log2 N!) / postings.
 *
 * Every dropped term (the topic draw, the topic terms' membership, the topic itself) only lowers
 * the bound, so it is a floor (up to numeric integration), not an estimate. H(impact | t) is computed by integrating the
 * generator's own weight function over a fine grid of its two uniform draws.
 */
import type { InvertedPostings } from '../../shared/postings/invert.ts';
import { type CorpusModel, documentImpact, rarityOfRank, weightFromDraws } from './synthetic-corpus.ts';

export interface InformationFloor {
  /** Bits per posting spent on which terms each document holds (beyond reordering's saving). */
  membership_bits: number;
  /** Bits per posting spent on the 8-bit impacts. */
  impact_bits: number;
  /** Their sum, bits per posting. */
  bits_per_posting: number;
  /** The same in bytes per posting, to read against bytes_per_posting. */
  bytes_per_posting: number;
}

const binaryEntropy = (p: number): number =>
  p <= 0 || p >= 1 ? 0 : -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));

/** Entropy (bits) of a document impact at `rarity`, integrating over a grid of both draws. */
function impactEntropy(rarity: number): number {
  const V_STEPS = 4000;
  const U_STEPS = 64;
  const counts = new Float64Array(256);
  for (let i = 0; i < V_STEPS; i++) {
    const v = (i + 0.5) / V_STEPS;
    for (let j = 0; j < U_STEPS; j++) {
      counts[documentImpact(weightFromDraws(rarity, 1, v, (j + 0.5) / U_STEPS))]++;
    }
  }
  const total = V_STEPS * U_STEPS;
  let bits = 0;
  for (const c of counts) if (c > 0) bits -= (c / total) * Math.log2(c / total);
  return bits;
}

/** log2(n!) by summing logs (exact enough for n up to a few million). */
function log2Factorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log2(i);
  return s;
}

export function informationFloor(model: CorpusModel, inverted: InvertedPostings): InformationFloor {
  const vocab = inverted.numTerms;
  const n = inverted.numDocs;
  const postings = inverted.docs.length;
  const termOfRank = new Uint32Array(vocab);
  for (let t = 0; t < vocab; t++) termOfRank[model.rankOfTerm[t]] = t;

  let allBackground = 0;
  const hOfTerm = new Float64Array(vocab);
  for (let r = 0; r < vocab; r++) {
    const h = binaryEntropy(model.backgroundInclusion[r]);
    hOfTerm[termOfRank[r]] = h;
    allBackground += h;
  }
  // The topic whose terms carry the most background entropy gives the smallest (safest) bound.
  let worstTopic = 0;
  const topics = model.topicTerms.length / model.termsPerTopic;
  const inTopic = new Uint8Array(vocab);
  for (let i = 0; i < topics; i++) {
    let sum = 0;
    for (let j = 0; j < model.termsPerTopic; j++) {
      const t = model.topicTerms[i * model.termsPerTopic + j];
      if (inTopic[t] === 0) sum += hOfTerm[t];
      inTopic[t] = 1;
    }
    for (let j = 0; j < model.termsPerTopic; j++) inTopic[model.topicTerms[i * model.termsPerTopic + j]] = 0;
    if (sum > worstTopic) worstTopic = sum;
  }
  const membershipBits = n * (allBackground - worstTopic) - log2Factorial(n);

  // H(impact | t) depends only on rarity, which is smooth in rank: tabulate on a grid, interpolate.
  const GRID = 96;
  const lo = rarityOfRank(0, vocab);
  const table = Float64Array.from({ length: GRID + 1 }, (_, i) => impactEntropy(lo + ((1 - lo) * i) / GRID));
  let impactBits = 0;
  for (let t = 0; t < vocab; t++) {
    const df = inverted.termStarts[t + 1] - inverted.termStarts[t];
    if (df === 0) continue;
    const x = ((rarityOfRank(model.rankOfTerm[t], vocab) - lo) / (1 - lo)) * GRID;
    const i = Math.min(GRID - 1, Math.floor(x));
    impactBits += df * (table[i] + (table[i + 1] - table[i]) * (x - i));
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  const membership = Math.max(0, membershipBits) / postings;
  const impact = impactBits / postings;
  return {
    membership_bits: round(membership),
    impact_bits: round(impact),
    bits_per_posting: round(membership + impact),
    bytes_per_posting: Math.round(((membership + impact) / 8) * 1000) / 1000,
  };
}
