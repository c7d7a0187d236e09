/**
 * The `csplade model prepare` and `csplade model quantize` verbs, as `Command` objects for the
 * CLI registry (`batch/cli/commands/index.ts` lists them). Thin wrappers: argument parsing and
 * printing here, the work in prepare.ts and quantize.ts.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { MODEL_CONFIG_FILE } from '../../shared/encoders/onnx/config.ts';
import { type CliContext, type Command, UsageError } from '../cli/command.ts';
import { OnnxEncoder } from '../onnx/onnx-encoder.node.ts';
import { prepareModel, prepareModelDir } from './prepare.ts';
import { type QuantizeBits, quantizeModel } from './quantize.ts';
import { SAMPLE_TEXTS } from './sample-texts.ts';
import { measureDrift } from './vector-drift.ts';

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

export const modelPrepareCommand: Command = {
  name: 'model prepare',
  summary: 'append the SPLADE head (ReLU, log1p, masked max-pool, top-k) to an ONNX LM export',
  usage: [
    'usage: csplade model prepare <model.onnx | model-dir> [--k N] [--pooling pooling_mask|attention_mask] [--output path]',
    '  A model directory (with csplade-model.json) is prepared in place and its config updated.',
    '  A bare .onnx file is written to <name>.prepared.onnx beside it (external data is shared).',
  ].join('\n'),
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { k: { type: 'string' }, pooling: { type: 'string' }, output: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one model path');
    const k = values.k === undefined ? undefined : Number(values.k);
    if (k !== undefined && !(Number.isInteger(k) && k > 0))
      throw new UsageError(`--k must be a positive integer (got ${values.k})`);
    const pooling = values.pooling as 'pooling_mask' | 'attention_mask' | undefined;
    if (pooling !== undefined && pooling !== 'pooling_mask' && pooling !== 'attention_mask') {
      throw new UsageError('--pooling must be pooling_mask or attention_mask');
    }
    const target = join(ctx.cwd, positionals[0]);
    const isDir = (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
    const result = isDir
      ? await prepareModelDir(target, { k, pooling })
      : await prepareModel(target, {
          k: k ?? 256,
          pooling,
          output: values.output && join(ctx.cwd, values.output),
        });
    ctx.stdout.write(
      `prepared ${result.saved.path}: top-${result.k} per sequence, pooling by ${result.pooling}, logits ${result.logitsType}` +
        `${result.saved.externalFiles.length ? `, external data ${result.saved.externalFiles.join(', ')}` : ''}\n`,
    );
    return 0;
  },
};

export const modelQuantizeCommand: Command = {
  name: 'model quantize',
  summary: 'weight-only int8 (QDQ, per channel) or 4-bit (MatMulNBits) quantization of an ONNX model',
  usage: [
    'usage: csplade model quantize <model.onnx> [--bits 8|4] [--output path]',
    '  Writes <name>.int8.onnx / <name>.int4.onnx beside the input. When the folder has a csplade-model.json',
    '  naming this model, also prints how far vectors move on sample texts.',
  ].join('\n'),
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { bits: { type: 'string', default: '8' }, output: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('expected exactly one .onnx path');
    const bits = Number(values.bits);
    if (bits !== 8 && bits !== 4) throw new UsageError(`--bits must be 8 or 4 (got ${values.bits})`);
    const input = join(ctx.cwd, positionals[0]);
    const result = await quantizeModel(input, {
      bits: bits as QuantizeBits,
      output: values.output && join(ctx.cwd, values.output),
    });
    ctx.stdout.write(
      `quantized ${result.tensors.length} weights to ${bits} bits: ${mib(result.bytesBefore)} → ${mib(result.bytesAfter)} ` +
        `(${((100 * result.bytesAfter) / result.bytesBefore).toFixed(1)}%) at ${result.saved.path}\n`,
    );
    const dir = dirname(input);
    const hasConfig = await stat(join(dir, MODEL_CONFIG_FILE)).then(
      () => true,
      () => false,
    );
    if (hasConfig && dirname(result.saved.path) === dir) {
      const drift = await driftOnSamples(dir, basename(input), basename(result.saved.path));
      if (drift) ctx.stdout.write(`${JSON.stringify(drift)}\n`);
    }
    return 0;
  },
};

/** Encodes the sample texts with both models of one directory; undefined when the config names another model. */
export async function driftOnSamples(
  dir: string,
  original: string,
  quantized: string,
  texts: readonly string[] = SAMPLE_TEXTS,
) {
  // The config may describe a prepared graph while the quantized file is the raw export, or the reverse.
  const open = (model: string) =>
    OnnxEncoder.open(dir, { tokenizerThreads: 0, configOverrides: { model } }).catch(() =>
      OnnxEncoder.open(dir, { tokenizerThreads: 0, configOverrides: { model, prepared: false } }),
    );
  const reference = await open(original).catch(() => undefined);
  if (!reference) return undefined;
  const candidate = await open(quantized);
  try {
    return measureDrift(await reference.encode(texts, 'document'), await candidate.encode(texts, 'document'));
  } finally {
    await reference.close();
    await candidate.close();
  }
}
