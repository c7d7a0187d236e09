/**
 * The query encoder factory of Node processes (the Node edge, `csplade search`, `csplade serve`): the
 * shared registry plus the "onnx" encoder. An ONNX version that ships its query model is served with
 * onnxruntime-node over the asset bytes (as the Worker does with onnxruntime-web); versions that ship
 * none fall back to the batch job's own encoder over the model directory the manifest names. Either way
 * the fingerprint check guarantees queries are encoded with the model the index was published with.
 */
import { registerOnnxEncoder } from '../../batch/onnx/register.node.ts';
import { checkFingerprint } from '../../shared/encoders/registry.ts';
import { type EncoderFactory, registryEncoderFactory } from '../search/query-codec.ts';
import { type OrtRuntime, onnxQueryEncoderFactory } from './onnx-query-encoder.ts';

registerOnnxEncoder();

const publishedQueryModel = onnxQueryEncoderFactory(
  async () => (await import('onnxruntime-node')) as unknown as OrtRuntime,
);

/** The registry, with ONNX tokenizing on the calling thread: a query is one short text, not a corpus. */
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
