/**
 * The query encoder factory of the Node edge: the shared registry plus the "onnx" encoder. An ONNX
 * version that ships its query model is served with onnxruntime-node over the asset bytes (as the Worker
 * does with onnxruntime-web). A version that ships none is handed to the registry's "onnx" entry, the
 * batch job's own encoder over the model directory the manifest names. The edge does not import the
 * batch job, so that entry exists only where a process registers it (the Node processes of compose/ do:
 * compose/node-query-encoders.node.ts); elsewhere the registry refuses such a version as an unknown
 * encoder. Either way the fingerprint check guarantees queries are encoded with the model the index was
 * published with.
 */
import { checkFingerprint } from '../../shared/encoders/registry.ts';
import { type EncoderFactory, registryEncoderFactory } from '../search/query-codec.ts';
import { type OrtRuntime, onnxQueryEncoderFactory } from './onnx-query-encoder.ts';

const publishedQueryModel = onnxQueryEncoderFactory(
  async () => (await import('onnxruntime-node')) as unknown as OrtRuntime,
);

/**
 * The registry, with ONNX tokenizing on the calling thread: a query is one short text, not a corpus. The
 * two "onnx" cases are this encoder's own Node query side (its published query model over
 * onnxruntime-node, its tokenizer threads), not a choice between encoders.
 */
export const nodeEncoderFactory: EncoderFactory = async (descriptor, assets) => {
  const queryFingerprint = descriptor.config.queryFingerprint;
  if (descriptor.name === 'onnx' && typeof queryFingerprint === 'string') {
    return checkFingerprint(
      await publishedQueryModel({ ...descriptor.config, name: 'onnx' }, { assets }),
      queryFingerprint,
    );
  }
  return registryEncoderFactory(
    descriptor.name === 'onnx'
      ? { ...descriptor, config: { ...descriptor.config, tokenizerThreads: 0 } }
      : descriptor,
    assets,
  );
};
