/**
 * `csplade model prepare`: appends the SPLADE head (ReLU, log1p, masked max-pool, top-k) to an ONNX LM
 * export, so the session returns (term id, weight) pairs instead of batch × length × vocabulary logits.
 */
import { integer } from '../options.ts';
import { defineVerb } from '../verb.ts';

interface Values {
  readonly k?: number;
  readonly pooling?: 'pooling_mask' | 'attention_mask';
  readonly output?: string;
}

export const modelPrepareVerb = defineVerb<Values>({
  name: 'model prepare',
  summary: 'append the SPLADE head (ReLU, log1p, masked max-pool, top-k) to an ONNX LM export',
  description:
    'A model directory (with csplade-model.json) is prepared in place and its config updated.\n' +
    'A bare .onnx file is written to <name>.prepared.onnx beside it (external data is shared).',
  arguments: [{ name: '<model>', description: 'model.onnx file or model directory' }],
  options: [
    {
      flags: '--k <n>',
      description: 'terms kept per sequence',
      defaultHelp: "256, or the config's",
      parse: integer(1),
    },
    {
      flags: '--pooling <mask>',
      description: 'positions pooled',
      choices: ['pooling_mask', 'attention_mask'],
    },
    { flags: '--output <path>', description: 'where to write a prepared .onnx file' },
  ],
  examples: ['csplade model prepare ./models/splade', 'csplade model prepare /abs/path/model.onnx --k 128'],
  async run({ options, args }, ctx) {
    const { stat } = await import('node:fs/promises');
    const { prepareModel, prepareModelDir } = await import('../../model/prepare.ts');
    const { pathFrom } = await import('../runtime.ts');
    const target = pathFrom(ctx, args[0]);
    const isDir = (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
    const result = isDir
      ? await prepareModelDir(target, { k: options.k, pooling: options.pooling })
      : await prepareModel(target, {
          k: options.k ?? 256,
          pooling: options.pooling,
          output: options.output && pathFrom(ctx, options.output),
        });
    ctx.stdout.write(
      `prepared ${result.saved.path}: top-${result.k} per sequence, pooling by ${result.pooling}, logits ${result.logitsType}` +
        `${result.saved.externalFiles.length ? `, external data ${result.saved.externalFiles.join(', ')}` : ''}\n`,
    );
    return 0;
  },
});
