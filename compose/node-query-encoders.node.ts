/**
 * The query encoders of the Node processes that run edge code (`csplade serve`, `csplade search`,
 * `csplade eval` in-process, the Node server of node-server.node.ts): the edge's Node factory with the
 * batch job's "onnx" encoder registered in the shared encoder registry. An ONNX version that ships no
 * query model names only a model directory; its queries are then encoded by the batch job's own encoder
 * over that directory, the one its documents were encoded with. The registration lives here, not in
 * edge/, because it is the one place allowed to join the batch job and the edge.
 */
import { registerOnnxEncoder } from '../batch/onnx/register.node.ts';

export { nodeEncoderFactory } from '../edge/encoders/node-factory.node.ts';

registerOnnxEncoder();
