/**
 * Sends every query to a `Searcher` with bounded concurrency and gathers the answers into a run.
 * Concurrency keeps an HTTP evaluation of hundreds of queries from taking one round trip each in
 * sequence, while a bound keeps a local Worker or server from being flooded. Query order in the run
 * follows the input, so run files are stable from one evaluation to the next.
 */
import type { Run, ScoredDoc } from '../../shared/eval/types.ts';
import type { EvalQuery } from './queries-file.ts';
import type { Searcher } from './searcher.ts';

export interface CollectOptions {
  readonly k: number;
  /** Queries in flight at once (default 8). */
  readonly concurrency?: number;
}

export async function collectRun(
  searcher: Searcher,
  queries: readonly EvalQuery[],
  options: CollectOptions,
): Promise<Run> {
  const results: ScoredDoc[][] = new Array(queries.length);
  let next = 0;
  const worker = async () => {
    while (next < queries.length) {
      const i = next++;
      results[i] = await searcher.search(queries[i].text, options.k);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 8, queries.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  return new Map(queries.map((q, i) => [q.id, results[i]]));
}
