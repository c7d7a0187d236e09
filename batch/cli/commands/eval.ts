/**
 * `csplade eval`: retrieval quality of a published index with trec_eval's conventions. Queries go
 * through the edge API over HTTP (`--endpoint`, the real end-to-end path) or through the same API
 * code in-process over `--store`; the run is written as a TREC run file on request, and the metrics
 * are printed as a table or, with `--json`, as one JSON object.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateRun } from '../../../shared/eval/evaluate.ts';
import { openStore } from '../../../shared/store/open.node.ts';
import { createHttpSearcher } from '../../eval/http-searcher.ts';
import { createInProcessSearcher } from '../../eval/in-process-searcher.ts';
import { parseQrels } from '../../eval/qrels-file.ts';
import { evalJson, formatTable } from '../../eval/report.ts';
import { readEvalInputs, runEvaluation } from '../../eval/run-eval.ts';
import { parseTrecRun } from '../../eval/run-file.ts';
import type { Searcher } from '../../eval/searcher.ts';
import { readTextFile } from '../../eval/text-file.node.ts';
import { type CliContext, type Command, UsageError } from '../command.ts';

const usage = `usage: csplade eval --index <name> --queries <queries.jsonl|.tsv> --qrels <qrels.tsv|TREC qrels>
                    [--store <dir|s3://bucket/prefix>] [--endpoint <URL>] [--k 1000]
                    [--run-file out.trec] [--json] [--concurrency 8] [--api-key <key>]
       csplade eval --from-run <run.trec> --qrels <qrels> [--k N] [--json]

Scores a published index on judged queries: nDCG@10, MRR@10, R@100, R@1000, MAP (trec_eval
definitions; queries without a relevant judgment are left out; judged queries without results count 0).
  --index        index name
  --queries      BEIR queries.jsonl ({"_id","text"}) or TSV (id<TAB>text); .gz accepted
  --qrels        BEIR qrels TSV (header "query-id corpus-id score") or TREC qrels (qid 0 docid rel)
  --endpoint     search through the edge API at this URL (POST /v1/indexes/<index>/search)
  --store        else search in-process: the index published in this folder or s3:// prefix (default ./store)
  --k            hits per query (default 1000, the API's maximum)
  --run-file     write the run in TREC format (trec_eval ranks it exactly as we do)
  --json         print {"ndcg_at_10","mrr_at_10","recall_at_100","recall_at_1000","map","queries"}
  --concurrency  queries in flight (default 8)
  --api-key      bearer key for --endpoint (default: $CSPLADE_API_KEY)
  --from-run     score an existing TREC run file instead of searching (like trec_eval -c; --k cuts it as -M)`;

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${name} must be an integer ≥ 1, got "${value}"`);
  return Number(value);
}

/** `--from-run`: trec_eval on a file someone else produced (Anserini, Pyserini, an older csplade). */
async function scoreRunFile(
  runPath: string,
  values: { qrels?: string; k?: string; json?: boolean },
  ctx: CliContext,
): Promise<number> {
  if (!values.qrels) throw new UsageError('--qrels is required');
  const at = (path: string) => resolve(ctx.cwd, path);
  const run = parseTrecRun(await readTextFile(at(runPath), 'run'), runPath);
  const qrels = parseQrels(await readTextFile(at(values.qrels), 'qrels'), values.qrels);
  const depth = values.k === undefined ? undefined : positiveInteger('k', values.k, 1000);
  const evaluation = evaluateRun(run, qrels, { depth });
  ctx.stdout.write(
    values.json ? `${JSON.stringify(evalJson(evaluation))}\n` : `${runPath}\n${formatTable(evaluation)}`,
  );
  return 0;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'retrieval quality (nDCG@10, MRR@10, recall, MAP) of an index on judged queries',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        index: { type: 'string' },
        queries: { type: 'string' },
        qrels: { type: 'string' },
        store: { type: 'string' },
        endpoint: { type: 'string' },
        k: { type: 'string' },
        'run-file': { type: 'string' },
        json: { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        'api-key': { type: 'string' },
        'from-run': { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values['from-run']) return scoreRunFile(values['from-run'], values, ctx);
    for (const required of ['index', 'queries', 'qrels'] as const) {
      if (!values[required]) throw new UsageError(`--${required} is required`);
    }
    if (values.endpoint && values.store) throw new UsageError('give --endpoint or --store, not both');
    const k = positiveInteger('k', values.k, 1000);
    const concurrency = positiveInteger('concurrency', values.concurrency, 8);
    const index = values.index as string;
    const at = (path: string) => resolve(ctx.cwd, path);

    let searcher: Searcher;
    if (values.endpoint) {
      searcher = createHttpSearcher({
        endpoint: values.endpoint,
        index,
        apiKey: values['api-key'] ?? ctx.env.CSPLADE_API_KEY,
      });
    } else {
      const storeSpec = values.store ?? './store';
      // Folder paths are relative to the caller's cwd; URLs (s3://, file://, memory:) pass through.
      const location = /^[a-z][a-z0-9+.-]*:/i.test(storeSpec) ? storeSpec : resolve(ctx.cwd, storeSpec);
      searcher = createInProcessSearcher(openStore(location, { env: ctx.env }), index, storeSpec);
    }
    const inputs = await readEvalInputs(at(values.queries as string), at(values.qrels as string));
    const result = await runEvaluation(searcher, inputs, {
      k,
      concurrency,
      runFile: values['run-file'] ? at(values['run-file']) : undefined,
      runTag: `csplade-${index}`,
    });
    await searcher.close?.();

    const { evaluation, unansweredQueries } = result;
    if (unansweredQueries.length > 0) {
      ctx.stderr.write(
        `csplade eval: ${unansweredQueries.length} judged quer${unansweredQueries.length === 1 ? 'y is' : 'ies are'} missing from ${values.queries} and count 0 (first: ${unansweredQueries[0]})\n`,
      );
    }
    if (evaluation.withoutRelevant.length > 0) {
      ctx.stderr.write(
        `csplade eval: ${evaluation.withoutRelevant.length} qrels queries have no relevant judgment and are left out\n`,
      );
    }
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify(evalJson(evaluation))}\n`);
    } else {
      ctx.stdout.write(
        `${searcher.description}: ${result.searchSeconds.toFixed(1)} s for ${evaluation.queries} queries, k=${k}\n`,
      );
      ctx.stdout.write(formatTable(evaluation));
    }
    return 0;
  },
};
