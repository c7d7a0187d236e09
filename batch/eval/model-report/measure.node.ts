/**
 * Measures one model variant on one execution provider: opens the encoder on the variant's file,
 * warms it up (session creation and first-run allocation are not throughput), then times encoding
 * the documents and the queries. Throughput is texts and text tokens per second of wall time inside
 * `encode` (the encoder's own counters). A provider that is not available (CUDA without its library,
 * or a session that falls back to CPU) is reported as unavailable rather than measured as CPU twice.
 */
import type { SparseVector } from '../../../shared/sparse/types.ts';
import { OnnxEncoder } from '../../onnx/onnx-encoder.node.ts';
import type { ExecutionProvider } from '../../onnx/session.node.ts';
import type { ModelVariant } from './variants.node.ts';

export interface VariantMeasurement {
  readonly variant: ModelVariant;
  readonly provider: ExecutionProvider;
  readonly docsPerSecond: number;
  readonly tokensPerSecond: number;
  readonly queriesPerSecond: number;
  readonly docVectors: SparseVector[];
  readonly queryVectors: SparseVector[];
}

export type MeasureOutcome =
  | { readonly ok: true; readonly measurement: VariantMeasurement }
  | {
      readonly ok: false;
      readonly variant: ModelVariant;
      readonly provider: ExecutionProvider;
      readonly reason: string;
    };

export async function measureVariant(
  modelDir: string,
  variant: ModelVariant,
  provider: ExecutionProvider,
  docs: readonly string[],
  queries: readonly string[],
): Promise<MeasureOutcome> {
  let encoder: OnnxEncoder;
  try {
    encoder = await OnnxEncoder.open(modelDir, {
      preferCuda: provider === 'cuda',
      configOverrides: { model: variant.file },
    });
  } catch (error) {
    return { ok: false, variant, provider, reason: (error as Error).message.split('\n')[0] };
  }
  try {
    if (encoder.provider !== provider) {
      return { ok: false, variant, provider, reason: `session runs on ${encoder.provider}, not ${provider}` };
    }
    await encoder.encode(docs.slice(0, 4), 'document');
    encoder.resetStats();
    const docVectors = await encoder.encode(docs, 'document');
    const docStats = encoder.stats();
    encoder.resetStats();
    const queryVectors = queries.length > 0 ? await encoder.encode(queries, 'query') : [];
    const queryStats = encoder.stats();
    const perSecond = (count: number, ms: number) => (ms > 0 ? (1000 * count) / ms : 0);
    return {
      ok: true,
      measurement: {
        variant,
        provider,
        docsPerSecond: perSecond(docs.length, docStats.wallMs),
        tokensPerSecond: perSecond(docStats.textTokens, docStats.wallMs),
        queriesPerSecond: perSecond(queries.length, queryStats.wallMs),
        docVectors,
        queryVectors,
      },
    };
  } catch (error) {
    return { ok: false, variant, provider, reason: (error as Error).message.split('\n')[0] };
  } finally {
    await encoder.close();
  }
}
