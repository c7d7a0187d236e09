/**
 * The document encoder adapter a `spec` names (document-encoder.ts): the one the CLI's flags describe,
 * or the one a run part recorded, so `publish --run` rebuilds what the encode workers used. `spec.kind`
 * is an encoder's name; its declaration (shared/encoders/declarations.ts) says whether it has a document
 * side. Two document sides are the batch job's own — BM25 (weights from the statistics of the whole
 * version, applied at build time) and onnx (onnxruntime-node on this machine); every other declared
 * encoder encodes documents with its registry encoder. Apart from the adapters so that each kind's code
 * (the English analyzer, onnxruntime) loads only when a spec asks for it.
 */
import {
  cliEncoderChoices,
  declarationOf,
  type EncoderDeclaration,
} from '../../shared/encoders/declarations.ts';
import {
  Bm25DocumentEncoder,
  type Bm25Parameters,
  type DocumentEncoder,
  StatelessDocumentEncoder,
} from './document-encoder.ts';
import { PipelineConfigError } from './errors.ts';

type Spec = Readonly<Record<string, unknown>>;

/** Document sides only the batch job runs, by encoder name (undefined: the spec does not fit). */
const BATCH_DOCUMENT_SIDES: Readonly<Record<string, (spec: Spec) => Promise<DocumentEncoder | undefined>>> = {
  bm25: openBm25,
  onnx: openOnnx,
};

/** Rebuilds an adapter from the `spec` a run part recorded (or the CLI parsed). */
export async function openDocumentEncoder(spec: Spec): Promise<DocumentEncoder> {
  const declaration = typeof spec.kind === 'string' ? declarationOf(spec.kind) : undefined;
  if (declaration?.document) {
    const own = BATCH_DOCUMENT_SIDES[declaration.name];
    const opened = own ? await own(spec) : await openRegistryDocumentEncoder(declaration, spec);
    if (opened) return opened;
  }
  throw new PipelineConfigError(`unknown encoder ${JSON.stringify(spec)}: expected ${cliEncoderChoices()}`);
}

async function openBm25(spec: Spec): Promise<DocumentEncoder> {
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

async function openOnnx(spec: Spec): Promise<DocumentEncoder | undefined> {
  if (typeof spec.modelDir !== 'string') return undefined;
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

/** Any other declared encoder: its registry encoder encodes the documents, with its declared defaults. */
async function openRegistryDocumentEncoder(
  declaration: EncoderDeclaration,
  spec: Spec,
): Promise<DocumentEncoder> {
  const { kind: _, ...given } = spec;
  const config: Record<string, unknown> = { name: declaration.name, ...declaration.document?.defaults };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) config[key] = value;
  const { createEncoder } = await import('../../shared/encoders/registry.ts');
  const encoder = await createEncoder(config as { name: string });
  return new StatelessDocumentEncoder(
    encoder,
    { ...spec },
    undefined,
    declaration.document?.label?.(config) ?? declaration.name,
  );
}
