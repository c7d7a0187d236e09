/**
 * The document encoder adapter a `spec` names (document-encoder.ts): the one the CLI's flags describe,
 * or the one a run part recorded, so `publish --run` rebuilds what the encode workers used. Apart from
 * the adapters so that each kind's code (the English analyzer, onnxruntime) loads only when a spec asks
 * for it.
 */
import {
  Bm25DocumentEncoder,
  type Bm25Parameters,
  type DocumentEncoder,
  StatelessDocumentEncoder,
} from './document-encoder.ts';
import { PipelineConfigError } from './errors.ts';

/** Rebuilds an adapter from the `spec` a run part recorded (or the CLI parsed). */
export async function openDocumentEncoder(spec: Readonly<Record<string, unknown>>): Promise<DocumentEncoder> {
  if (spec.kind === 'bm25') {
    const { kind: _, ...parameters } = spec;
    if (parameters.analyzer === 'english') {
      const { EnglishBm25DocumentEncoder } = await import('./english-bm25.ts');
      return new EnglishBm25DocumentEncoder(parameters as Bm25Parameters);
    }
    if (parameters.analyzer !== undefined) {
      throw new PipelineConfigError(
        `unknown bm25 analyzer ${JSON.stringify(parameters.analyzer)}: expected english`,
      );
    }
    return Bm25DocumentEncoder.open(parameters as Bm25Parameters);
  }
  if (spec.kind === 'onnx' && typeof spec.modelDir === 'string') {
    const { createOnnxEncoder } = await import('../onnx/onnx-encoder.node.ts');
    const { cudaProviderInstalled } = await import('../onnx/session.node.ts');
    const encoder = await createOnnxEncoder(spec.modelDir);
    const provider =
      encoder.provider === 'cuda'
        ? 'cuda'
        : `cpu${cudaProviderInstalled() ? ' (the CUDA provider failed to load)' : ' (CUDA provider not installed)'}`;
    return new StatelessDocumentEncoder(
      encoder,
      spec as Record<string, unknown>,
      undefined,
      `onnx ${spec.modelDir} on execution provider ${provider}`,
    );
  }
  if (spec.kind === 'precomputed') {
    const { createEncoder } = await import('../../shared/encoders/registry.ts');
    const encoder = await createEncoder({
      name: 'precomputed',
      vocabulary: spec.vocabulary ?? 'bert-base-uncased',
      unknownTokens: spec.unknownTokens ?? 'error',
    });
    return new StatelessDocumentEncoder(
      encoder,
      { ...spec },
      undefined,
      `precomputed vectors (${String(spec.vocabulary ?? 'bert-base-uncased')} vocabulary)`,
    );
  }
  throw new PipelineConfigError(
    `unknown encoder ${JSON.stringify(spec)}: expected bm25, precomputed or onnx:<model dir>`,
  );
}
