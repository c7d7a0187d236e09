/**
 * Errors raised by tokenizers: an unknown tokenizer spec, a tokenizer.json the engine cannot
 * load, or an id/token outside the vocabulary. Each carries a stable `code` so callers (the
 * edge, the CLI) can tell them apart without parsing messages.
 */
import { CspladeError } from '../errors.ts';

export type TokenizerErrorCode =
  | 'unknown_tokenizer'
  | 'invalid_tokenizer_json'
  | 'invalid_vocabulary'
  | 'token_id_out_of_range'
  | 'tokenizer_not_bundled';

export class TokenizerError extends CspladeError {
  declare readonly code: TokenizerErrorCode;
  constructor(code: TokenizerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
