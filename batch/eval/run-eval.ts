/**
 * One evaluation, shared by `csplade eval` and the SciFact driver: read queries and qrels, keep the
 * queries the qrels judge (only they are scored, so the rest need not be searched), collect a run
 * from a `Searcher`, evaluate it with trec_eval's conventions and, when asked, write the TREC run
 * file that trec_eval would score identically. Judged queries the queries file lacks are scored 0
 * (trec_eval -c) and listed in `unansweredQueries`, never dropped from the mean.
 */
import { type EvaluationResult, evaluateRun } from '../../shared/eval/evaluate.ts';
import type { Qrels } from '../../shared/eval/types.ts';
import { collectRun } from './collect-run.ts';
import { parseQrels } from './qrels-file.ts';
import { type EvalQuery, parseQueries } from './queries-file.ts';
import { formatTrecRun } from './run-file.ts';
import type { Searcher } from './searcher.ts';
import { readTextFile, writeTextFileAtomic } from './text-file.node.ts';

export interface EvalInputs {
  readonly queries: readonly EvalQuery[];
  readonly qrels: Qrels;
}

export async function readEvalInputs(queriesPath: string, qrelsPath: string): Promise<EvalInputs> {
  const [queriesText, qrelsText] = await Promise.all([
    readTextFile(queriesPath, 'queries'),
    readTextFile(qrelsPath, 'qrels'),
  ]);
  return { queries: parseQueries(queriesText, queriesPath), qrels: parseQrels(qrelsText, qrelsPath) };
}

/** The queries worth searching: those with at least one relevant judgment. */
export function judgedQueries(inputs: EvalInputs): { queries: EvalQuery[]; unanswered: string[] } {
  const judged = new Set<string>();
  for (const [queryId, docs] of inputs.qrels)
    if ([...docs.values()].some((rel) => rel > 0)) judged.add(queryId);
  const queries = inputs.queries.filter((q) => judged.has(q.id));
  const present = new Set(queries.map((q) => q.id));
  return { queries, unanswered: [...judged].filter((id) => !present.has(id)) };
}

export interface RunEvaluationOptions {
  readonly k: number;
  readonly concurrency?: number;
  readonly runFile?: string;
  readonly runTag?: string;
}

export interface RunEvaluationResult {
  readonly evaluation: EvaluationResult;
  /** Judged queries absent from the queries file (scored 0). */
  readonly unansweredQueries: readonly string[];
  readonly searchSeconds: number;
}

export async function runEvaluation(
  searcher: Searcher,
  inputs: EvalInputs,
  options: RunEvaluationOptions,
): Promise<RunEvaluationResult> {
  const { queries, unanswered } = judgedQueries(inputs);
  const started = performance.now();
  const run = await collectRun(searcher, queries, { k: options.k, concurrency: options.concurrency });
  const searchSeconds = (performance.now() - started) / 1000;
  if (options.runFile)
    await writeTextFileAtomic(options.runFile, formatTrecRun(run, options.runTag ?? 'csplade'));
  return { evaluation: evaluateRun(run, inputs.qrels), unansweredQueries: unanswered, searchSeconds };
}
