/**
 * `csplade model report <model dir>`: the quantization trade-off of a model, as a table (and JSON with
 * --json) plus an SVG chart of quality against encoding throughput. Documents come from --corpus
 * (first --docs of a JSONL/BEIR corpus) or, without it, the built-in sample passages; --queries and
 * --qrels add query-side numbers and retrieval quality.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, type Command, UsageError } from '../../cli/command.ts';
import { SAMPLE_TEXTS } from '../../model/sample-texts.ts';
import { cudaProviderInstalled, type ExecutionProvider } from '../../onnx/session.node.ts';
import { loadCorpusTexts } from '../load-corpus.node.ts';
import { parseQueries } from '../queries-file.ts';
import { judgedQueries, readEvalInputs } from '../run-eval.ts';
import { readTextFile } from '../text-file.node.ts';
import { buildModelReport } from './model-report.node.ts';
import { formatModelReport } from './report-table.ts';
import { modelReportSvg } from './svg-chart.ts';
import type { VariantName } from './variants.node.ts';

const usage = `usage: csplade model report <model dir> [--corpus <jsonl|BEIR dir>] [--docs 500] [--queries <file>] [--qrels <file>]
                            [--variants fp32,int8,int4] [--providers cpu,cuda] [--svg report.svg] [--json]

Encodes documents with the model as exported (fp32), its int8 weight-only version and its 4-bit MatMulNBits
version (written beside it as <model>.int8.onnx / .int4.onnx, as \`csplade model quantize\` does) on each
execution provider, and prints: model size, docs/s and tokens/s, queries/s, non-zeros per document and per
query, 8-bit index size, drift from fp32 and, with --qrels, nDCG@10 / R@100 over the documents encoded.
  --corpus     documents (default: the built-in sample passages)
  --docs       how many documents of --corpus to encode (default 500; "all" for the whole corpus —
               needed for quality comparable with published numbers)
  --queries    queries (BEIR JSONL or TSV); with --qrels only judged queries are used
  --providers  default: cpu, plus cuda where onnxruntime's CUDA provider is installed
  --svg        chart path (default ./model-report.svg)`;

const VARIANTS: readonly VariantName[] = ['fp32', 'int8', 'int4'];

export const modelReportCommand: Command = {
  name: 'model report',
  summary: 'fp32 vs int8 vs int4 model: size, throughput, non-zeros, index size, quality; SVG chart',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        corpus: { type: 'string' },
        docs: { type: 'string' },
        queries: { type: 'string' },
        qrels: { type: 'string' },
        variants: { type: 'string' },
        providers: { type: 'string' },
        svg: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one model directory');
    if (values.qrels && !values.queries) throw new UsageError('--qrels needs --queries');
    const at = (path: string) => resolve(ctx.cwd, path);
    const variants = (values.variants ?? VARIANTS.join(',')).split(',').map((v) => v.trim());
    for (const v of variants) {
      if (!VARIANTS.includes(v as VariantName))
        throw new UsageError(`--variants: unknown variant "${v}" (fp32, int8, int4)`);
    }
    const providers = (values.providers ?? (cudaProviderInstalled() ? 'cpu,cuda' : 'cpu'))
      .split(',')
      .map((p) => p.trim());
    for (const p of providers) {
      if (p !== 'cpu' && p !== 'cuda')
        throw new UsageError(`--providers: unknown provider "${p}" (cpu, cuda)`);
    }
    const limit = values.docs === 'all' ? Number.POSITIVE_INFINITY : Number(values.docs ?? 500);
    if (!(limit >= 1) || (Number.isFinite(limit) && !Number.isInteger(limit))) {
      throw new UsageError(`--docs must be a positive integer or "all", got "${values.docs}"`);
    }
    const corpus = values.corpus
      ? await loadCorpusTexts(at(values.corpus))
      : { ids: SAMPLE_TEXTS.map((_, i) => `sample-${i}`), texts: SAMPLE_TEXTS };
    const docs = { ids: corpus.ids.slice(0, limit), texts: corpus.texts.slice(0, limit) };
    let queries: ReturnType<typeof judgedQueries>['queries'] = [];
    let qrels: Awaited<ReturnType<typeof readEvalInputs>>['qrels'] | undefined;
    if (values.queries && values.qrels) {
      const inputs = await readEvalInputs(at(values.queries), at(values.qrels));
      queries = judgedQueries(inputs).queries;
      qrels = inputs.qrels;
    } else if (values.queries) {
      queries = parseQueries(await readTextFile(at(values.queries), 'queries'), values.queries);
    }
    const report = await buildModelReport({
      modelDir: at(positionals[0]),
      docs,
      queries,
      qrels,
      variants: variants as VariantName[],
      providers: providers as ExecutionProvider[],
    });
    const svgPath = at(values.svg ?? 'model-report.svg');
    await writeFile(svgPath, modelReportSvg(report));
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({ ...report, svg: svgPath })}\n`);
    } else {
      ctx.stdout.write(formatModelReport(report));
      ctx.stdout.write(`chart: ${svgPath}\n`);
    }
    return 0;
  },
};
