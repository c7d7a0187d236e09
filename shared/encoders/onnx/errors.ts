/**
 * Errors of the ONNX encoder family: a model directory that is incomplete or inconsistent, a
 * csplade-model.json that does not validate, a graph whose inputs/outputs do not look like a
 * Hugging Face LM export, or text that cannot fit the configured template. Messages name the file
 * and the field that was wrong.
 */
import { CodedError } from '../../errors.ts';

export type OnnxModelErrorCode =
  | 'model_file_missing'
  | 'invalid_model_config'
  | 'model_io_mismatch'
  | 'vocab_mismatch'
  | 'template_too_long'
  | 'model_graph_unsupported'
  | 'onnx_session_failed'
  | 'tokenizer_worker_failed';

export class OnnxModelError extends CodedError<OnnxModelErrorCode> {}
