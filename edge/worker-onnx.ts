/**
 * The Worker with the ONNX query encoder: worker.ts plus the "onnx" factory of the encoder registry over
 * onnxruntime-web (edge/encoders/ort-workerd.ts). A separate entry (edge/wrangler.onnx.jsonc) because the
 * runtime's wasm needs the paid plan's bundle size; indexes built with bm25, a weight table or
 * precomputed vectors need only worker.ts.
 */
import { registerEncoder } from '../shared/encoders/registry.ts';
import { onnxQueryEncoderFactory } from './encoders/onnx-query-encoder.ts';
import { ortInWorkerd } from './encoders/ort-workerd.ts';
import worker from './worker.ts';

registerEncoder(
  'onnx',
  onnxQueryEncoderFactory(async () => ortInWorkerd()),
  { replace: true },
);

export default worker;
