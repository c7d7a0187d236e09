/**
 * BEIR SciFact, reproduced: the data set's files, Anserini's published BM25 numbers with the tolerances
 * we hold ourselves to — "flat-wp" (WordPiece tokens) and "flat" (the Lucene English analyzer) — and the
 * unquantized in-process run.
 *
 * Anserini's regression (beir-v1.0.0-scifact.flat-wp): corpus and queries pre-tokenized with
 * bert-base-uncased WordPiece (title + " " + text), Lucene BM25 k1 = 0.9, b = 0.4 (Lucene ≥ 8
 * formula, no (k1 + 1) factor), document lengths through Lucene's one-byte norms, query terms as
 * SHOULD clauses (a repeated token counts twice), `-removeQuery` (a hit whose id equals the query id
 * is dropped: no SciFact test query id is a corpus id, so it changes nothing and we do not emulate it),
 * 1,000 hits, `trec_eval -c`. Our encoder input is title + "\n" + text: whitespace either way, so the
 * same WordPiece tokens (the token count check below proves it: 1,737,313).
 *
 * Anserini's beir-v1.0.0-scifact.flat: the same BM25 over Lucene's English analysis of title + " " + text
 * (StandardTokenizer, possessive filter, lower case, English stop words, Porter stemmer), our
 * `--analyzer english` (shared/tokenizers/english/).
 */
import { join } from 'node:path';
import { Bm25Encoder } from '../../shared/encoders/bm25/bm25-encoder.ts';
import { Bm25StatsBuilder } from '../../shared/encoders/bm25/stats.ts';
import { type EvaluationResult, evaluateRun } from '../../shared/eval/evaluate.ts';
import type { MetricValues, Qrels } from '../../shared/eval/types.ts';
import { analyzeEnglish } from '../../shared/tokenizers/english/analyzer.ts';
import { EnglishTokenizer } from '../../shared/tokenizers/english/tokenizer.ts';
import { createTokenizer } from '../../shared/tokenizers/registry.ts';
import { SortedTerms } from '../../shared/tokenizers/term-dictionary.ts';
import type { Tokenizer } from '../../shared/tokenizers/tokenizer.ts';
import type { Bm25Parameters } from '../pipeline/document-encoder.ts';
import { collectRun } from './collect-run.ts';
import { buildFloatIndex, createFloatSearcher, type EncodedCorpus } from './encoder-searcher.ts';
import { loadCorpusTexts } from './load-corpus.node.ts';
import { parseQrels } from './qrels-file.ts';
import { type EvalQuery, parseQueries } from './queries-file.ts';
import { readTextFile } from './text-file.node.ts';

/** Where CI and developers keep the data set: beside the checkout. */
export const scifactDir = (repoRoot: string) => join(repoRoot, '..', 'shared', 'datasets', 'scifact');

export const SCIFACT_BM25 = { tokenizer: 'bert-base-uncased', k1: 0.9, b: 0.4, luceneNorms: true } as const;
export const SCIFACT_CORPUS_TOKENS = 1_737_313;

export type ScifactAnalyzer = 'flat-wp' | 'english';
export const SCIFACT_ANALYZERS: readonly ScifactAnalyzer[] = ['flat-wp', 'english'];

type Targets = Readonly<Partial<Record<keyof MetricValues, { target: number; tolerance?: number }>>>;

export interface ScifactSetting {
  /** Anserini's regression this reproduces. */
  readonly anserini: string;
  /** How the table names the text analysis. */
  readonly analysis: string;
  /** The pipeline's bm25 parameters (the document encoder spec without `kind`). */
  readonly bm25: Bm25Parameters;
  /** Anserini's published numbers; ndcg and R@100 carry the tolerance this project must meet. */
  readonly targets: Targets;
  /** Corpus tokens Anserini's index statistics report, where they are published. */
  readonly corpusTokens?: number;
}

export const SCIFACT_SETTINGS: Readonly<Record<ScifactAnalyzer, ScifactSetting>> = {
  'flat-wp': {
    anserini: 'beir-v1.0.0-scifact.flat-wp',
    analysis: `${SCIFACT_BM25.tokenizer} WordPiece`,
    bm25: { ...SCIFACT_BM25 },
    targets: {
      ndcg_at_10: { target: 0.6718, tolerance: 0.005 },
      recall_at_100: { target: 0.9213, tolerance: 0.01 },
      recall_at_1000: { target: 0.9743 },
    },
    corpusTokens: SCIFACT_CORPUS_TOKENS,
  },
  english: {
    anserini: 'beir-v1.0.0-scifact.flat',
    analysis: 'Lucene English analyzer (stop words, Porter stems)',
    bm25: { analyzer: 'english', k1: SCIFACT_BM25.k1, b: SCIFACT_BM25.b, luceneNorms: true },
    targets: {
      ndcg_at_10: { target: 0.6789, tolerance: 0.005 },
      recall_at_100: { target: 0.9253, tolerance: 0.01 },
    },
  },
};

/** The flat-wp targets (kept under their old name for callers that only know that setting). */
export const SCIFACT_TARGETS: Targets = SCIFACT_SETTINGS['flat-wp'].targets;

export interface ScifactData {
  readonly dir: string;
  readonly corpus: EncodedCorpus;
  /** Test queries only (those the test qrels judge), in queries-file order. */
  readonly queries: readonly EvalQuery[];
  readonly qrels: Qrels;
}

export async function loadScifact(dir: string): Promise<ScifactData> {
  const qrelsPath = join(dir, 'qrels', 'test.tsv');
  const queriesPath = join(dir, 'queries.jsonl');
  const qrels = parseQrels(await readTextFile(qrelsPath, 'qrels'), qrelsPath);
  const all = parseQueries(await readTextFile(queriesPath, 'queries'), queriesPath);
  const queries = all.filter((q) => qrels.has(q.id));
  const corpus = await loadCorpusTexts(dir);
  return { dir, corpus, queries, qrels };
}

export interface TargetCheck {
  readonly metric: keyof MetricValues;
  readonly target: number;
  readonly tolerance?: number;
  readonly value: number;
  /** undefined when the number is reported without a tolerance. */
  readonly pass?: boolean;
}

export function checkTargets(mean: MetricValues, targets: Targets = SCIFACT_TARGETS): TargetCheck[] {
  return Object.entries(targets).map(([metric, spec]) => {
    const value = mean[metric as keyof MetricValues];
    const pass = spec.tolerance === undefined ? undefined : Math.abs(value - spec.target) <= spec.tolerance;
    return {
      metric: metric as keyof MetricValues,
      target: spec.target,
      tolerance: spec.tolerance,
      value,
      pass,
    };
  });
}

export interface UnquantizedResult {
  readonly evaluation: EvaluationResult;
  readonly corpusTokens: number;
  readonly seconds: number;
}

/** The tokenizer of a setting: WordPiece, or the English analyzer over the corpus's own vocabulary. */
function scifactTokenizer(data: ScifactData, analyzer: ScifactAnalyzer): Tokenizer {
  if (analyzer === 'flat-wp') return createTokenizer(SCIFACT_BM25.tokenizer);
  const terms = new Set<string>();
  for (const text of data.corpus.texts) for (const term of analyzeEnglish(text)) terms.add(term);
  return new EnglishTokenizer(SortedTerms.of(terms));
}

/**
 * Float BM25 in-process: statistics over the corpus, float document vectors, exact dot products,
 * top 1,000 per query. No quantization anywhere: the reference the 8-bit index is compared with.
 */
export async function runUnquantized(
  data: ScifactData,
  k = 1000,
  analyzer: ScifactAnalyzer = 'flat-wp',
): Promise<UnquantizedResult> {
  const started = performance.now();
  const tokenizer = scifactTokenizer(data, analyzer);
  const stats = new Bm25StatsBuilder(tokenizer);
  for (const text of data.corpus.texts) stats.add(text);
  const built = stats.build();
  const encoder = new Bm25Encoder({
    tokenizer,
    stats: built,
    k1: SCIFACT_BM25.k1,
    b: SCIFACT_BM25.b,
    luceneNorms: SCIFACT_BM25.luceneNorms,
  });
  const index = await buildFloatIndex(encoder, data.corpus);
  const searcher = createFloatSearcher(encoder, index, 'in-process float BM25');
  const run = await collectRun(searcher, data.queries, { k, concurrency: 1 });
  return {
    evaluation: evaluateRun(run, data.qrels),
    corpusTokens: built.totalTokens,
    seconds: (performance.now() - started) / 1000,
  };
}
