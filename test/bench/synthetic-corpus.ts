/**
 * A deterministic SPLADE-like synthetic corpus and query set for benchmarks (engine, edge).
 *
 * Shape, after what SPLADE++ produces on MS MARCO: ~120 non-zeros per document, ~44 per query.
 * Term popularity is Zipf-like (inclusion probability c/(rank+3), capped at 0.9), so the
 * commonest terms sit in most documents as SPLADE's expansion terms do; on top, each document
 * and query draws a third of its terms from one of 1,000 "topics" (random sets of mid/rare
 * terms), which gives queries real matches with many shared terms instead of noise. Weights are
 * log1p(relu(x))-shaped and lower for common terms; document weights are quantized to 8-bit
 * impacts with one corpus-wide scale, query weights to 1..255 per query. Doc ids are in random
 * order (no clustering/reordering), the hard case for block-max pruning.
 */
import { mulberry32 } from '../../shared/random.ts';
import type { QuantizedVector } from '../../shared/sparse/types.ts';

export interface SyntheticCorpusOptions {
  docs: number;
  vocab: number;
  queries?: number;
  seed?: number;
  /** Mean non-zeros per document (default 120). */
  docTerms?: number;
  /** Mean non-zeros per query (default 44). */
  queryTerms?: number;
}

export interface SyntheticCorpus {
  readonly vocab: number;
  readonly documents: QuantizedVector[];
  /** Query weights are integers in 1..255, stored in `impacts`. */
  readonly queries: QuantizedVector[];
  /** Topic of each document (for diagnostics; ids carry no topic order). */
  readonly docTopics: Uint16Array;
  /** The generating model's parameters, for computing what any code of this corpus must spend. */
  readonly model: CorpusModel;
}

export interface CorpusModel {
  /** Popularity rank of each term id (0 = commonest). */
  readonly rankOfTerm: Uint32Array;
  /** Probability that a document draws rank r as a background term. */
  readonly backgroundInclusion: Float64Array;
  /** Topic i's candidate terms: topicTerms[i * termsPerTopic .. (i + 1) * termsPerTopic). */
  readonly topicTerms: Uint32Array;
  readonly termsPerTopic: number;
}

/** Rarity of a term in 0.1 (commonest) .. 1 (rarest): what document weights scale with. */
export function rarityOfRank(rank: number, vocab: number): number {
  return Math.log(rank + 3) / Math.log(vocab + 3);
}

/**
 * A term weight from two uniform draws v, u in [0, 1): log1p(relu(x)) with x a scaled exponential
 * (scale growing with rarity) plus a little noise. Exported so the information floor can
 * integrate over exactly the distribution the generator samples.
 */
export function weightFromDraws(rarity: number, boost: number, v: number, u: number): number {
  const x = (rarity * 1.4 + 0.1) * boost * -Math.log(1 - v * 0.999) + (u - 0.5) * 0.2;
  return Math.log1p(Math.max(0.02, x));
}

/** Document impacts saturate at 255 for weights >= 3 (SPLADE++ document weights rarely exceed it). */
export const DOC_IMPACT_SCALE = 255 / 3;

export function documentImpact(weight: number): number {
  return Math.min(255, Math.max(1, Math.round(weight * DOC_IMPACT_SCALE)));
}

const TOPICS = 1000;
const TERMS_PER_TOPIC = 120;
const TOPIC_SHARE = 1 / 3;
const QUERY_WORDS = 6;

export function generateCorpus(options: SyntheticCorpusOptions): SyntheticCorpus {
  const { docs, vocab } = options;
  const rng = mulberry32(options.seed ?? 42);
  const docTerms = options.docTerms ?? 120;
  const queryTerms = options.queryTerms ?? 44;
  const numQueries = options.queries ?? 200;
  const { termOfRank, rankOfTerm } = shuffledRanks(vocab, rng);
  const background = new Sampler(vocab, docTerms * (1 - TOPIC_SHARE));
  const topicTerms = new Uint32Array(TOPICS * TERMS_PER_TOPIC);
  const firstTopicRank = Math.min(100, Math.floor(vocab / 2));
  for (let i = 0; i < topicTerms.length; i++) {
    topicTerms[i] = termOfRank[firstTopicRank + Math.floor(rng() * (vocab - firstTopicRank))];
  }
  const drawer = new TermDrawer(rng, { vocab, termOfRank, rankOfTerm, background, topicTerms });
  const documents: QuantizedVector[] = new Array(docs);
  const docTopics = new Uint16Array(docs);
  for (let d = 0; d < docs; d++) {
    docTopics[d] = Math.floor(rng() * TOPICS);
    const terms = drawer.draw(docTopics[d], Math.round(docTerms * TOPIC_SHARE * (0.5 + rng())), 1);
    const impacts = new Uint16Array(terms.length);
    for (let i = 0; i < terms.length; i++) {
      impacts[i] = documentImpact(drawer.weightOf(terms[i], 1));
    }
    documents[d] = { terms, impacts };
  }
  const queries: QuantizedVector[] = new Array(numQueries);
  for (let q = 0; q < numQueries; q++) {
    queries[q] = drawQuery(drawer, rng, documents, docTopics, queryTerms);
  }
  return {
    vocab,
    documents,
    queries,
    docTopics,
    model: {
      rankOfTerm,
      backgroundInclusion: background.inclusion,
      topicTerms,
      termsPerTopic: TERMS_PER_TOPIC,
    },
  };
}

/** rank -> term id: a random permutation, so popularity is not correlated with id order; and back. */
function shuffledRanks(
  vocab: number,
  rng: () => number,
): { termOfRank: Uint32Array; rankOfTerm: Uint32Array } {
  const termOfRank = new Uint32Array(vocab);
  for (let i = 0; i < vocab; i++) termOfRank[i] = i;
  for (let i = vocab - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = termOfRank[i];
    termOfRank[i] = termOfRank[j];
    termOfRank[j] = t;
  }
  const rankOfTerm = new Uint32Array(vocab);
  for (let r = 0; r < vocab; r++) rankOfTerm[termOfRank[r]] = r;
  return { termOfRank, rankOfTerm };
}

/**
 * Like an MS MARCO query and its relevant passage: a source document lends its strongest terms
 * (the "query words"), the rest are expansion terms of its topic and common terms.
 */
function drawQuery(
  drawer: TermDrawer,
  rng: () => number,
  documents: readonly QuantizedVector[],
  docTopics: Uint16Array,
  queryTerms: number,
): QuantizedVector {
  const sourceId = Math.floor(rng() * documents.length);
  const words = strongestTerms(documents[sourceId], QUERY_WORDS);
  const topic = docTopics[sourceId];
  const scale = (queryTerms * 0.4) / drawer.model.background.expected;
  const terms = drawer.draw(topic, Math.round(queryTerms * 0.4), scale, words);
  const weights = new Float64Array(terms.length);
  let max = 0;
  for (let i = 0; i < terms.length; i++) {
    weights[i] = drawer.weightOf(terms[i], words.includes(terms[i]) ? 2 : 1);
    if (weights[i] > max) max = weights[i];
  }
  const impacts = new Uint16Array(terms.length);
  for (let i = 0; i < terms.length; i++) impacts[i] = Math.max(1, Math.round((weights[i] / max) * 255));
  return { terms, impacts };
}

/** The vocabulary's shape: what TermDrawer draws from. */
interface TermModel {
  readonly vocab: number;
  readonly termOfRank: Uint32Array;
  readonly rankOfTerm: Uint32Array;
  readonly background: Sampler;
  readonly topicTerms: Uint32Array;
}

/** Draws a vector's terms (background and topic terms) and their weights from one random stream. */
class TermDrawer {
  private readonly scratch: Uint32Array;
  private readonly seen: Uint8Array;

  constructor(
    private readonly rng: () => number,
    readonly model: TermModel,
  ) {
    this.scratch = new Uint32Array(model.vocab);
    this.seen = new Uint8Array(model.vocab);
  }

  /** Distinct terms in id order: `seed`'s, the background's (scaled) and `topicCount` draws of the topic's. */
  draw(topic: number, topicCount: number, backgroundScale: number, seed?: Uint32Array): Uint32Array {
    const { scratch, seen, rng } = this;
    const { termOfRank, topicTerms } = this.model;
    let n = 0;
    if (seed) {
      for (let i = 0; i < seed.length; i++) {
        if (seen[seed[i]] === 0) {
          seen[seed[i]] = 1;
          scratch[n++] = seed[i];
        }
      }
    }
    n = this.model.background.sample(rng, backgroundScale, scratch, n, termOfRank, seen);
    for (let i = 0; i < topicCount; i++) {
      const t = topicTerms[topic * TERMS_PER_TOPIC + Math.floor(rng() * TERMS_PER_TOPIC)];
      if (seen[t] === 0) {
        seen[t] = 1;
        scratch[n++] = t;
      }
    }
    const terms = scratch.slice(0, n).sort();
    for (let i = 0; i < n; i++) seen[terms[i]] = 0;
    return terms;
  }

  /** Weight of term t: log1p(relu(x)), x larger for rarer terms. Common terms get low weights. */
  weightOf(t: number, boost: number): number {
    const v = this.rng();
    const u = this.rng();
    return weightFromDraws(rarityOfRank(this.model.rankOfTerm[t], this.model.vocab), boost, v, u);
  }
}

function strongestTerms(doc: QuantizedVector, count: number): Uint32Array {
  const idx = Array.from(doc.terms.keys()).sort((a, b) => doc.impacts[b] - doc.impacts[a] || a - b);
  return Uint32Array.from(idx.slice(0, count), (i) => doc.terms[i]);
}

/**
 * Draws each rank r independently with probability min(0.9, c/(r+3)), c chosen so the expected
 * count is `expected`. Ranks are scanned in bands where the probability halves; inside a band,
 * geometric skips with the band's largest probability plus thinning keep the cost proportional
 * to the number of terms drawn rather than to the vocabulary.
 */
class Sampler {
  readonly expected: number;
  private readonly prob: Float64Array;
  /** Probability that rank r is drawn at scale 1 (a document's background terms). */
  get inclusion(): Float64Array {
    return this.prob;
  }
  private readonly bandStarts: number[] = [];

  constructor(vocab: number, expected: number) {
    let harmonic = 0;
    for (let r = 0; r < vocab; r++) harmonic += 1 / (r + 3);
    // Solve for c with the 0.9 cap by a few fixed-point iterations.
    let c = expected / harmonic;
    for (let it = 0; it < 20; it++) {
      let sum = 0;
      for (let r = 0; r < vocab; r++) sum += Math.min(0.9, c / (r + 3));
      c *= expected / sum;
    }
    this.prob = new Float64Array(vocab);
    for (let r = 0; r < vocab; r++) this.prob[r] = Math.min(0.9, c / (r + 3));
    this.expected = expected;
    let r = 0;
    while (r < vocab) {
      this.bandStarts.push(r);
      const half = this.prob[r] / 2;
      while (r < vocab && this.prob[r] > half) r++;
    }
    this.bandStarts.push(vocab);
  }

  /** Appends drawn term ids (scaled probabilities by `scale`) to out[n..]; returns the new n. */
  sample(
    rng: () => number,
    scale: number,
    out: Uint32Array,
    n: number,
    termOfRank: Uint32Array,
    seen: Uint8Array,
  ): number {
    const prob = this.prob;
    for (let b = 0; b + 1 < this.bandStarts.length; b++) {
      const from = this.bandStarts[b];
      const to = this.bandStarts[b + 1];
      const pmax = Math.min(0.95, prob[from] * scale);
      const logq = Math.log(1 - pmax);
      let r = from - 1;
      for (;;) {
        r += 1 + Math.floor(Math.log(1 - rng()) / logq);
        if (r >= to) break;
        if (rng() * pmax < prob[r] * scale) {
          const t = termOfRank[r];
          seen[t] = 1;
          out[n++] = t;
        }
      }
    }
    return n;
  }
}
