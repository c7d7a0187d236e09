/**
 * `csplade model quantize`: weight-only int8 (QDQ, per channel) or 4-bit (MatMulNBits) quantization of an
 * ONNX model, with the vector drift on sample texts when the folder's config names the original model.
 */
import { defineVerb } from '../verb.ts';

interface Values {
  readonly bits: '8' | '4';
  readonly output?: string;
}

export const modelQuantizeVerb = defineVerb<Values>({
  name: 'model quantize',
  summary: 'weight-only int8 (QDQ, per channel) or 4-bit (MatMulNBits) quantization of an ONNX model',
  description:
    'Writes <name>.int8.onnx / <name>.int4.onnx beside the input. When the folder has a csplade-model.json\n' +
    'naming this model, also prints how far vectors move on sample texts.',
  arguments: [{ name: '<model>', description: 'the .onnx file' }],
  options: [
    { flags: '--bits <bits>', description: 'weight width', default: '8', choices: ['8', '4'] },
    { flags: '--output <path>', description: 'where to write the quantized model' },
  ],
  examples: ['csplade model quantize ./models/splade/model.onnx --bits 4'],
  async run({ options, args }, ctx) {
    const { stat } = await import('node:fs/promises');
    const { basename, dirname, join } = await import('node:path');
    const { MODEL_CONFIG_FILE } = await import('../../../shared/encoders/onnx/config.ts');
    const { quantizeModel } = await import('../../model/quantize.ts');
    const { driftOnSamples } = await import('../../model/drift-on-samples.ts');
    const { bytes, printJson } = await import('../output.ts');
    const { pathFrom } = await import('../runtime.ts');
    const input = pathFrom(ctx, args[0]);
    const bits = Number(options.bits) as 8 | 4;
    const result = await quantizeModel(input, {
      bits,
      output: options.output && pathFrom(ctx, options.output),
    });
    ctx.stdout.write(
      `quantized ${result.tensors.length} weights to ${bits} bits: ${bytes(result.bytesBefore)} → ${bytes(result.bytesAfter)} ` +
        `(${((100 * result.bytesAfter) / result.bytesBefore).toFixed(1)}%) at ${result.saved.path}\n`,
    );
    const dir = dirname(input);
    const hasConfig = await stat(join(dir, MODEL_CONFIG_FILE)).then(
      () => true,
      () => false,
    );
    if (hasConfig && dirname(result.saved.path) === dir) {
      const drift = await driftOnSamples(dir, basename(input), basename(result.saved.path));
      if (drift) printJson(ctx, drift);
    }
    return 0;
  },
});
