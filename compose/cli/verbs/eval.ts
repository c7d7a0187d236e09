/**
 * `csplade eval`: retrieval quality of a published index with trec_eval's conventions. Queries go through
 * the edge API over HTTP (`--endpoint`, the real end-to-end path) or through the same API code in-process
 * over `--store`; the run is written as a TREC run file on request, and the metrics are printed as a table
 * or, with `--json`, as one JSON object. `--from-run` scores an existing run file instead.
 */
import { integer, jsonOption } from '../../../batch/cli/options.ts';
import { defineVerb, UsageError } from '../../../batch/cli/verb.ts';

interface Values {
  readonly index?: string;
  readonly queries?: string;
  readonly qrels?: string;
  readonly store?: string;
  readonly endpoint?: string;
  readonly k?: number;
  readonly runFile?: string;
  readonly json?: boolean;
  readonly concurrency: number;
  readonly apiKey?: string;
  readonly fromRun?: string;
}

export const evalVerb = defineVerb<Values>({
  name: 'eval',
  summary: 'retrieval quality (nDCG@10, MRR@10, recall, MAP) of an index on judged queries',
  description:
    'Scores a published index on judged queries: nDCG@10, MRR@10, R@100, R@1000, MAP (trec_eval definitions;\n' +
    'queries without a relevant judgment are left out; judged queries without results count 0).',
  options: [
    { flags: '--index <name>', description: 'index name' },
    {
      flags: '--queries <file>',
      description: 'BEIR queries.jsonl ({"_id","text"}) or TSV (id<TAB>text); .gz accepted',
    },
    {
      flags: '--qrels <file>',
      description: 'BEIR qrels TSV (header "query-id corpus-id score") or TREC qrels',
      required: true,
    },
    {
      flags: '--endpoint <url>',
      description: 'search through the edge API at this URL (POST /v1/indexes/<index>/search)',
    },
    {
      flags: '--store <dir|url>',
      description: 'else search in-process: the index published in this folder or s3:// prefix',
      defaultHelp: './store',
    },
    {
      flags: '-k, --k <n>',
      description: 'hits per query (with --from-run: cut the run, as trec_eval -M)',
      defaultHelp: "1000, the API's maximum",
      parse: integer(1),
    },
    {
      flags: '--run-file <file>',
      description: 'write the run in TREC format (trec_eval ranks it exactly as we do)',
    },
    jsonOption,
    { flags: '--concurrency <n>', description: 'queries in flight', default: 8, parse: integer(1) },
    { flags: '--api-key <key>', description: 'bearer key for --endpoint', env: 'CSPLADE_API_KEY' },
    {
      flags: '--from-run <file>',
      description: 'score an existing TREC run file instead of searching (like trec_eval -c)',
    },
  ],
  examples: [
    'csplade eval --index scifact --queries queries.jsonl --qrels qrels/test.tsv --store ./store',
    'csplade eval --index scifact --queries queries.jsonl --qrels qrels/test.tsv --endpoint http://127.0.0.1:8787 --json',
    'csplade eval --from-run anserini.trec --qrels qrels/test.tsv --k 100',
  ],
  async run({ options }, ctx) {
    const { pathFrom } = await import('../../../batch/cli/runtime.ts');
    const { evalJson, formatTable } = await import('../../../batch/eval/report.ts');
    const at = (path: string) => pathFrom(ctx, path);
    const qrelsPath = options.qrels as string;
    if (options.fromRun) {
      const { evaluateRun } = await import('../../../shared/eval/evaluate.ts');
      const { parseQrels } = await import('../../../batch/eval/qrels-file.ts');
      const { parseTrecRun } = await import('../../../batch/eval/run-file.ts');
      const { readTextFile } = await import('../../../batch/eval/text-file.node.ts');
      const run = parseTrecRun(await readTextFile(at(options.fromRun), 'run'), options.fromRun);
      const qrels = parseQrels(await readTextFile(at(qrelsPath), 'qrels'), qrelsPath);
      const evaluation = evaluateRun(run, qrels, { depth: options.k });
      ctx.stdout.write(
        options.json
          ? `${JSON.stringify(evalJson(evaluation))}\n`
          : `${options.fromRun}\n${formatTable(evaluation)}`,
      );
      return 0;
    }
    if (!options.index) throw new UsageError("required option '--index <name>' not specified");
    if (!options.queries) throw new UsageError("required option '--queries <file>' not specified");
    if (options.endpoint && options.store) throw new UsageError('give --endpoint or --store, not both');
    const { readEvalInputs, runEvaluation } = await import('../../../batch/eval/run-eval.ts');
    const index = options.index;
    const k = options.k ?? 1000;
    let searcher: import('../../../batch/eval/searcher.ts').Searcher;
    if (options.endpoint) {
      const { createHttpSearcher } = await import('../../../batch/eval/http-searcher.ts');
      searcher = createHttpSearcher({ endpoint: options.endpoint, index, apiKey: options.apiKey });
    } else {
      const { createInProcessSearcher } = await import('../../eval/in-process-searcher.ts');
      const { nodeEncoderFactory } = await import('../../node-query-encoders.node.ts');
      const { openStoreOption } = await import('../../../batch/cli/runtime.ts');
      const storeSpec = options.store ?? './store';
      const store = openStoreOption(storeSpec, ctx, { mustExist: true });
      searcher = createInProcessSearcher(store, index, storeSpec, nodeEncoderFactory);
    }
    const inputs = await readEvalInputs(at(options.queries), at(qrelsPath));
    const result = await runEvaluation(searcher, inputs, {
      k,
      concurrency: options.concurrency,
      runFile: options.runFile ? at(options.runFile) : undefined,
      runTag: `csplade-${index}`,
    });
    await searcher.close?.();
    const { evaluation, unansweredQueries } = result;
    if (unansweredQueries.length > 0) {
      ctx.stderr.write(
        `csplade eval: ${unansweredQueries.length} judged quer${unansweredQueries.length === 1 ? 'y is' : 'ies are'} missing from ${options.queries} and count 0 (first: ${unansweredQueries[0]})\n`,
      );
    }
    if (evaluation.withoutRelevant.length > 0) {
      ctx.stderr.write(
        `csplade eval: ${evaluation.withoutRelevant.length} qrels queries have no relevant judgment and are left out\n`,
      );
    }
    if (options.json) {
      ctx.stdout.write(`${JSON.stringify(evalJson(evaluation))}\n`);
      return 0;
    }
    ctx.stdout.write(
      `${searcher.description}: ${result.searchSeconds.toFixed(1)} s for ${evaluation.queries} queries, k=${k}\n`,
    );
    ctx.stdout.write(formatTable(evaluation));
    return 0;
  },
});
