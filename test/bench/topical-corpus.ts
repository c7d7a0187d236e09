/**
 * A topical SPLADE-like synthetic corpus: the default corpus of the benchmarks (`--corpus topical`).
 *
 * Real text is about things, and a learned sparse encoder gives a document high weights on the terms of
 * what it is about and low weights on the many expansion terms it shares with everything else. The
 * generator models exactly that, and nothing that favours a particular pruning method:
 *
 * - **Topics in two levels.** `broad` topics each own a vocabulary of ~1,500 mid-frequency terms; each
 *   of the fine topics (≈ 2·√docs of them) takes ~220 terms, 70% from its broad topic's vocabulary
 *   and 30% from anywhere, ordered so the first few are its core words. Sibling topics therefore share
 *   words, as neighbouring subjects do, and fine topics are popular in a Zipf-like way.
 * - **Documents mix topics.** A main topic (share 0.5–0.85), a second one (a sibling 60% of the time)
 *   and a background of common terms drawn from a corpus-wide Zipf law (a quarter of the non-zeros).
 *   A topic term's weight grows with the topic's share and the term's place in the topic, with
 *   log-normal noise: log1p(relu(x)), as SPLADE's activation.
 * - **Queries come from documents**, as MS MARCO queries come with a relevant passage: a source
 *   document lends its strongest words (highest query weights), the rest are expansion terms of its
 *   main topic and a few common terms with low weights.
 *
 * Calibration (the bench prints the measured statistics under `corpus_stats` so they can be checked):
 * documents carry ~150 non-zeros (log-normal, 5th–95th percentile ≈ 90–250) and queries ~30 (≈ 15–50),
 * the ranges published for SPLADE-family encoders on MS MARCO passages (~120 non-zeros per document and
 * ~44 per query for SPLADE++ — the team's reference notes —, 120–200 per document and 20–40 per query
 * across SPLADE variants per the search-at-scale issue). Weights are skewed as SPLADE's are: most
 * non-zeros below 0.6, a few per document near the cap of 3, so quantized impacts use the full 8 bits.
 * Term document frequencies follow a Zipf-like law (a few expansion terms in most documents, a long
 * tail in few). What it does not model: exact phrase structure, duplicates, and real vocabularies'
 * subword quirks — real collections (SciFact end to end) stay the quality check.
 *
 * The worst case beside it is `--corpus independent` (synthetic-corpus.ts): terms drawn independently of
 * any topic structure beyond one topic lending a third of them, which no clustering can exploit.
 */
import { mulberry32 } from '../../shared/random.ts';
import type { QuantizedVector } from '../../shared/sparse/types.ts';

export interface TopicalCorpusOptions {
  readonly docs: number;
  readonly vocab: number;
  readonly queries?: number;
  readonly seed?: number;
  /** Mean non-zeros per document (default 150). */
  readonly docTerms?: number;
  /** Mean non-zeros per query (default 30). */
  readonly queryTerms?: number;
}

export interface TopicalCorpus {
  readonly vocab: number;
  readonly documents: QuantizedVector[];
  /** Query weights are integers in 1..255, stored in `impacts`. */
  readonly queries: QuantizedVector[];
  /** Main fine topic of each document (diagnostics only; doc ids carry no topic order). */
  readonly docTopics: Uint16Array;
}

/** Document impacts: weight 3 (log1p(~19)) and above saturate at 255, as in the independent corpus. */
const DOC_IMPACT_SCALE = 255 / 3;
const BROAD_TERMS = 1500;
const FINE_TERMS = 220;
const BACKGROUND_SHARE = 0.25;
const QUERY_WORDS = 6;

export function generateTopicalCorpus(options: TopicalCorpusOptions): TopicalCorpus {
  const { docs, vocab } = options;
  const rng = mulberry32(options.seed ?? 42);
  const meanDocTerms = options.docTerms ?? 150;
  const meanQueryTerms = options.queryTerms ?? 30;
  const numQueries = options.queries ?? 200;
  const gauss = gaussian(rng);
  const drawer = new VectorDrawer(rng, buildTopics(vocab, docs, rng));

  const documents: QuantizedVector[] = new Array(docs);
  const docTopics = new Uint16Array(docs);
  for (let d = 0; d < docs; d++) {
    const main = drawer.mainTopic();
    docTopics[d] = main;
    const length = clampRound(meanDocTerms * Math.exp(0.32 * gauss() - 0.05), 24, 600);
    const mainShare = 0.5 + 0.35 * rng();
    const topical = length * (1 - BACKGROUND_SHARE);
    // Draws repeat words (a topic's core words come up again), so draw more than the distinct target.
    drawer.drawTopicTerms(main, Math.round(topical * mainShare * 1.6), 2.2 * mainShare);
    drawer.drawTopicTerms(
      drawer.secondTopic(main),
      Math.round(topical * (1 - mainShare) * 1.6),
      2.2 * (1 - mainShare),
    );
    drawer.drawBackground(Math.round(length * BACKGROUND_SHARE), 1);
    const { terms, weights } = drawer.collect();
    const impacts = new Uint16Array(terms.length);
    for (let i = 0; i < terms.length; i++)
      impacts[i] = Math.min(255, Math.max(1, Math.round(weights[i] * DOC_IMPACT_SCALE)));
    documents[d] = { terms, impacts };
  }

  const queries: QuantizedVector[] = new Array(numQueries);
  for (let q = 0; q < numQueries; q++) {
    const sourceId = Math.floor(rng() * docs);
    const length = clampRound(meanQueryTerms * Math.exp(0.35 * gauss() - 0.06), 6, 120);
    drawer.drawQueryTerms(documents[sourceId], docTopics[sourceId], length);
    // Query weights are quantized per query, largest → 255, as the edge quantizes a query.
    const { terms, weights } = drawer.collect();
    let max = 0;
    for (let i = 0; i < weights.length; i++) max = Math.max(max, weights[i]);
    const impacts = new Uint16Array(terms.length);
    for (let i = 0; i < terms.length; i++) impacts[i] = Math.max(1, Math.round((weights[i] / max) * 255));
    queries[q] = { terms, impacts };
  }
  return { vocab, documents, queries, docTopics };
}

/** The two levels of topics and the vocabulary they draw from. */
interface Topics {
  readonly vocab: number;
  readonly termOfRank: Uint32Array;
  /** Rarity of each term id in 0.1 (commonest) .. 1 (rarest). */
  readonly rarity: Float64Array;
  /** Fine topic f's terms: fineTerms[f * FINE_TERMS .. (f + 1) * FINE_TERMS), core words first. */
  readonly fineTerms: Uint32Array;
  readonly broadOf: Uint16Array;
  /** Fine topics of each broad topic. */
  readonly siblingsOf: number[][];
  readonly numFine: number;
}

function buildTopics(vocab: number, docs: number, rng: () => number): Topics {
  // Popularity rank -> term id: a random permutation, so popularity is not tied to id order.
  const termOfRank = new Uint32Array(vocab);
  for (let i = 0; i < vocab; i++) termOfRank[i] = i;
  for (let i = vocab - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [termOfRank[i], termOfRank[j]] = [termOfRank[j], termOfRank[i]];
  }
  const rarity = new Float64Array(vocab);
  for (let r = 0; r < vocab; r++) rarity[termOfRank[r]] = Math.log(r + 3) / Math.log(vocab + 3);

  // Topic words come from below the commonest ranks, biased toward mid frequency.
  const firstTopicRank = Math.min(200, Math.floor(vocab / 4));
  const topicalRank = () => firstTopicRank + Math.floor((vocab - firstTopicRank) * rng() ** 1.6);
  const numFine = Math.max(64, Math.min(4096, Math.round(2 * Math.sqrt(docs))));
  const numBroad = Math.max(8, Math.round(numFine / 50));
  const broadTerms = new Uint32Array(numBroad * BROAD_TERMS);
  for (let i = 0; i < broadTerms.length; i++) broadTerms[i] = termOfRank[topicalRank()];
  const broadOf = new Uint16Array(numFine);
  const fineTerms = new Uint32Array(numFine * FINE_TERMS);
  for (let f = 0; f < numFine; f++) {
    const b = Math.floor(rng() * numBroad);
    broadOf[f] = b;
    for (let i = 0; i < FINE_TERMS; i++) {
      fineTerms[f * FINE_TERMS + i] =
        rng() < 0.7
          ? broadTerms[b * BROAD_TERMS + Math.floor(BROAD_TERMS * rng() ** 1.3)]
          : termOfRank[topicalRank()];
    }
  }
  const siblingsOf: number[][] = Array.from({ length: numBroad }, () => []);
  for (let f = 0; f < numFine; f++) siblingsOf[broadOf[f]].push(f);
  return { vocab, termOfRank, rarity, fineTerms, broadOf, siblingsOf, numFine };
}

/**
 * Draws one vector at a time: terms add up a strength each (a term drawn twice grows stronger), and
 * `collect` turns the strengths into SPLADE-shaped weights and starts the next vector.
 */
class VectorDrawer {
  // Inside a topic, term i is drawn with probability ∝ 1/(i+4): the first words are its core.
  private readonly inTopic = new FastSampler(zipfTable(FINE_TERMS, 4, 1));
  // Fine topics are popular in a Zipf-like way (some subjects are written about far more).
  private readonly topicPopularity: FastSampler;
  private readonly background: ZipfBackground;
  // Log-normal noise and term prominence from tables: a large corpus takes hundreds of millions of
  // draws, and transcendental functions per draw would dominate the generation time.
  private readonly topicNoise = logNormalTable(0.55);
  private readonly backgroundNoise = logNormalTable(0.6);
  private readonly queryNoise = logNormalTable(0.3);
  private readonly prominenceOf = Float64Array.from(
    { length: FINE_TERMS },
    (_, i) => 1.6 / Math.sqrt(1 + i / 6),
  );
  private readonly strength: Float64Array;
  private readonly touched: Uint32Array;
  private numTouched = 0;

  constructor(
    private readonly rng: () => number,
    private readonly topics: Topics,
  ) {
    this.topicPopularity = new FastSampler(zipfTable(topics.numFine, 20, 0.7));
    this.background = new ZipfBackground(topics.vocab, topics.termOfRank);
    this.strength = new Float64Array(topics.vocab);
    this.touched = new Uint32Array(topics.vocab);
  }

  private noise(table: Float64Array): number {
    return table[Math.floor(this.rng() * NOISE_STEPS)];
  }

  private add(term: number, x: number): void {
    if (this.strength[term] === 0) this.touched[this.numTouched++] = term;
    this.strength[term] += x;
  }

  mainTopic(): number {
    return this.topicPopularity.draw(this.rng());
  }

  /** A document's second topic: a sibling of its main one 60% of the time. */
  secondTopic(main: number): number {
    if (this.rng() < 0.6) {
      const siblings = this.topics.siblingsOf[this.topics.broadOf[main]];
      return siblings[Math.floor(this.rng() * siblings.length)];
    }
    return this.topicPopularity.draw(this.rng());
  }

  drawTopicTerms(topic: number, count: number, share: number): void {
    const { fineTerms } = this.topics;
    const { inTopic, prominenceOf, topicNoise, rng } = this;
    for (let n = 0; n < count; n++) {
      const i = inTopic.draw(rng());
      // Core words weigh more; the share makes a secondary topic's words weaker than the main one's.
      this.add(fineTerms[topic * FINE_TERMS + i], share * prominenceOf[i] * this.noise(topicNoise));
    }
  }

  drawBackground(count: number, scale: number): void {
    const { rarity } = this.topics;
    for (let n = 0; n < count; n++) {
      const t = this.background.draw(this.rng);
      this.add(t, scale * (0.15 + 0.5 * rarity[t]) * this.noise(this.backgroundNoise));
    }
  }

  /**
   * Queries come from documents: the source lends its strongest words (highest query weights), the
   * rest are expansion terms of its main topic and a few common terms with low weights.
   */
  drawQueryTerms(source: QuantizedVector, topic: number, length: number): void {
    for (const t of strongestTerms(source, QUERY_WORDS)) this.add(t, 3 * this.noise(this.queryNoise));
    this.drawTopicTerms(topic, Math.round(length * 0.8), 1.1);
    this.drawBackground(Math.round(length * 0.15), 0.6);
  }

  /** The drawn terms in id order with their SPLADE-shaped weights, log1p(relu(strength)). */
  collect(): { terms: Uint32Array; weights: Float64Array } {
    const strength = this.strength;
    const terms = this.touched.slice(0, this.numTouched).sort();
    const weights = new Float64Array(terms.length);
    for (let i = 0; i < terms.length; i++) {
      weights[i] = Math.log1p(Math.max(0, strength[terms[i]]));
      strength[terms[i]] = 0;
    }
    this.numTouched = 0;
    return { terms, weights };
  }
}

/** Cumulative distribution of p_i ∝ 1/(i + offset)^power over n items, for inverse-CDF sampling. */
function zipfTable(n: number, offset: number, power: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + offset) ** power;
    cdf[i] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return cdf;
}

function sample(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Inverse-CDF sampling in O(1) on average: a table of 2^16 starting points (the first index whose
 * cumulative probability reaches each 1/65,536 step), then a short forward scan. Same result as the
 * binary search, far fewer branches for the millions of draws a large corpus takes.
 */
class FastSampler {
  readonly #cdf: Float64Array;
  readonly #start: Uint32Array;
  constructor(cdf: Float64Array) {
    this.#cdf = cdf;
    this.#start = new Uint32Array(STEPS + 1);
    for (let j = 0; j <= STEPS; j++) this.#start[j] = sample(cdf, j / STEPS);
  }
  draw(u: number): number {
    const cdf = this.#cdf;
    let i = this.#start[Math.floor(u * STEPS)];
    while (cdf[i] < u) i++;
    return i;
  }
}
const STEPS = 65536;

/**
 * Common terms: rank r drawn with probability ∝ 1/(r + 10), so a handful of expansion terms sit in
 * most documents and the tail is long. Sampled by inverse CDF over ranks.
 */
class ZipfBackground {
  readonly #ranks: FastSampler;
  constructor(
    vocab: number,
    private readonly termOfRank: Uint32Array,
  ) {
    this.#ranks = new FastSampler(zipfTable(vocab, 10, 1.05));
  }
  draw(rng: () => number): number {
    return this.termOfRank[this.#ranks.draw(rng())];
  }
}

const NOISE_STEPS = 65536;

/**
 * exp(sigma × z) at 65,536 quantiles of the standard normal z, taken from a sorted sample of 16 × as many
 * Box–Muller draws (fixed seed): drawing a uniform index gives a log-normal draw.
 */
function logNormalTable(sigma: number): Float64Array {
  const gauss = gaussian(mulberry32(0x5eed));
  const sample = Float64Array.from({ length: 16 * NOISE_STEPS }, gauss).sort();
  return Float64Array.from({ length: NOISE_STEPS }, (_, j) => Math.exp(sigma * sample[16 * j + 8]));
}

/** Standard normal draws, two per pair of uniforms (Box–Muller). */
function gaussian(rng: () => number): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const r = Math.sqrt(-2 * Math.log(Math.max(1e-12, rng())));
    const a = 2 * Math.PI * rng();
    spare = r * Math.sin(a);
    hasSpare = true;
    return r * Math.cos(a);
  };
}

function clampRound(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(x)));
}

function strongestTerms(doc: QuantizedVector, count: number): number[] {
  const idx = Array.from(doc.terms.keys()).sort((a, b) => doc.impacts[b] - doc.impacts[a] || a - b);
  return idx.slice(0, count).map((i) => doc.terms[i]);
}
