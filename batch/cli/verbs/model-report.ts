/**
 * `csplade model report <model dir>`: the quantization trade-off of a model, as a table (JSON with
 * --json) plus an SVG chart of quality against encoding throughput. Documents come from --corpus (first
 * --docs of a JSONL/BEIR corpus) or the built-in sample passages; --queries and --qrels add query-side
 * numbers and retrieval quality.
 */
import { InvalidArgumentError } from 'commander';
import { jsonOption, list } from '../options.ts';
import { defineVerb, UsageError } from '../verb.ts';

interface Values {
  readonly corpus?: string;
  readonly docs: number;
  readonly queries?: string;
  readonly qrels?: string;
  readonly variants: string[];
  readonly providers?: string[];
  readonly svg: string;
  readonly json?: boolean;
}

export const modelReportVerb = defineVerb<Values>({
  name: 'model report',
  summary: 'fp32 vs int8 vs int4 model: size, throughput, non-zeros, index size, quality; SVG chart',
  description:
    'Encodes documents with the model as exported (fp32), its int8 weight-only version and its 4-bit\n' +
    'MatMulNBits version (written beside it, as `csplade model quantize` does) on each execution provider,\n' +
    'and prints: model size, docs/s and tokens/s, queries/s, non-zeros per document and per query, 8-bit\n' +
    'index size, drift from fp32 and, with --qrels, nDCG@10 / R@100 over the documents encoded.',
  arguments: [{ name: '<model-dir>', description: 'model directory (csplade-model.json)' }],
  options: [
    {
      flags: '--corpus <path>',
      description: 'documents (JSONL or BEIR folder)',
      defaultHelp: 'the built-in sample passages',
    },
    {
      flags: '--docs <n|all>',
      description:
        'how many documents of --corpus to encode ("all" for quality comparable with published numbers)',
      default: 500,
      parse: (raw) => {
        if (raw === 'all') return Number.POSITIVE_INFINITY;
        if (!/^\d+$/.test(raw) || Number(raw) < 1)
          throw new InvalidArgumentError('must be an integer ≥ 1 or "all"');
        return Number(raw);
      },
    },
    {
      flags: '--queries <file>',
      description: 'queries (BEIR JSONL or TSV); with --qrels only judged ones are used',
    },
    { flags: '--qrels <file>', description: 'relevance judgments (needs --queries)' },
    {
      flags: '--variants <list>',
      description: 'model variants',
      default: ['fp32', 'int8', 'int4'],
      defaultHelp: 'fp32,int8,int4',
      parse: list(['fp32', 'int8', 'int4']),
    },
    {
      flags: '--providers <list>',
      description: 'execution providers',
      defaultHelp: 'cpu, plus cuda where installed',
      parse: list(['cpu', 'cuda']),
    },
    { flags: '--svg <path>', description: 'chart path', default: 'model-report.svg' },
    jsonOption,
  ],
  async run({ options, args }, ctx) {
    if (options.qrels && !options.queries) throw new UsageError('--qrels needs --queries');
    const { writeFile } = await import('node:fs/promises');
    const { SAMPLE_TEXTS } = await import('../../model/sample-texts.ts');
    const { cudaProviderInstalled } = await import('../../onnx/session.node.ts');
    const { loadCorpusTexts } = await import('../../eval/load-corpus.node.ts');
    const { parseQueries } = await import('../../eval/queries-file.ts');
    const { judgedQueries, readEvalInputs } = await import('../../eval/run-eval.ts');
    const { readTextFile } = await import('../../eval/text-file.node.ts');
    const { buildModelReport } = await import('../../eval/model-report/model-report.node.ts');
    const { formatModelReport } = await import('../../eval/model-report/report-table.ts');
    const { modelReportSvg } = await import('../../eval/model-report/svg-chart.ts');
    const { pathFrom } = await import('../runtime.ts');
    const { printJson } = await import('../output.ts');
    const at = (path: string) => pathFrom(ctx, path);
    const providers = options.providers ?? (cudaProviderInstalled() ? ['cpu', 'cuda'] : ['cpu']);
    const corpus = options.corpus
      ? await loadCorpusTexts(at(options.corpus))
      : { ids: SAMPLE_TEXTS.map((_, i) => `sample-${i}`), texts: SAMPLE_TEXTS };
    const docs = { ids: corpus.ids.slice(0, options.docs), texts: corpus.texts.slice(0, options.docs) };
    let queries: ReturnType<typeof judgedQueries>['queries'] = [];
    let qrels: Awaited<ReturnType<typeof readEvalInputs>>['qrels'] | undefined;
    if (options.queries && options.qrels) {
      const inputs = await readEvalInputs(at(options.queries), at(options.qrels));
      queries = judgedQueries(inputs).queries;
      qrels = inputs.qrels;
    } else if (options.queries) {
      queries = parseQueries(await readTextFile(at(options.queries), 'queries'), options.queries);
    }
    const report = await buildModelReport({
      modelDir: at(args[0]),
      docs,
      queries,
      qrels,
      variants: options.variants as ('fp32' | 'int8' | 'int4')[],
      providers: providers as ('cpu' | 'cuda')[],
    });
    const svgPath = at(options.svg);
    await writeFile(svgPath, modelReportSvg(report));
    if (options.json) printJson(ctx, { ...report, svg: svgPath });
    else ctx.stdout.write(`${formatModelReport(report)}chart: ${svgPath}\n`);
    return 0;
  },
});
