/**
 * The corpora the benchmarks can run on, by name (`--corpus`):
 * - `topical` (default): documents mix latent topics, as real text does (topical-corpus.ts);
 * - `independent`: the earlier generator, whose terms are drawn with almost no topic structure — the
 *   worst case for any method that groups documents (synthetic-corpus.ts). It also carries its
 *   generating model, from which bench:engine computes the information floor.
 */
import type { QuantizedVector } from '../../shared/sparse/types.ts';
import { type CorpusModel, generateCorpus } from './synthetic-corpus.ts';
import { generateTopicalCorpus } from './topical-corpus.ts';

export const CORPUS_KINDS = ['topical', 'independent'] as const;
export type CorpusKind = (typeof CORPUS_KINDS)[number];

export interface BenchCorpus {
  readonly kind: CorpusKind;
  readonly vocab: number;
  readonly documents: QuantizedVector[];
  readonly queries: QuantizedVector[];
  /** Only the independent generator has a model to compute an information floor from. */
  readonly model?: CorpusModel;
}

export function benchCorpus(
  kind: string,
  options: { docs: number; vocab: number; queries: number; seed?: number },
): BenchCorpus {
  if (kind === 'topical') return { kind, ...generateTopicalCorpus(options) };
  if (kind === 'independent') return { kind, ...generateCorpus(options) };
  throw new Error(`--corpus must be one of ${CORPUS_KINDS.join(', ')}, got "${kind}"`);
}

/** What the bench prints under `corpus_stats`, so the calibration can be checked in every run. */
export function corpusStats(corpus: BenchCorpus) {
  const quantile = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const docLengths = corpus.documents.map((d) => d.terms.length).sort((a, b) => a - b);
  const queryLengths = corpus.queries.map((q) => q.terms.length).sort((a, b) => a - b);
  const sample: number[] = [];
  for (let d = 0; d < Math.min(corpus.documents.length, 5000); d++)
    sample.push(...corpus.documents[d].impacts);
  sample.sort((a, b) => a - b);
  const mean = (xs: number[]) =>
    Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10;
  return {
    kind: corpus.kind,
    doc_nonzeros: { mean: mean(docLengths), p5: quantile(docLengths, 0.05), p95: quantile(docLengths, 0.95) },
    query_nonzeros: {
      mean: mean(queryLengths),
      p5: quantile(queryLengths, 0.05),
      p95: quantile(queryLengths, 0.95),
    },
    doc_impact_quantiles: {
      p25: quantile(sample, 0.25),
      p50: quantile(sample, 0.5),
      p90: quantile(sample, 0.9),
      p99: quantile(sample, 0.99),
    },
  };
}
