/**
 * Errors raised by tokenizers: an unknown tokenizer spec, a tokenizer.json the engine cannot
 * load, or an id/token outside the vocabulary. Each carries a stable `code` so callers (the
 * edge, the CLI) can tell them apart without parsing messages.
 */
import { CodedError } from '../errors.ts';

export type TokenizerErrorCode =
  | 'unknown_tokenizer'
  | 'invalid_tokenizer_json'
  | 'invalid_vocabulary'
  | 'token_id_out_of_range'
  | 'tokenizer_not_bundled';

export class TokenizerError extends CodedError<TokenizerErrorCode> {}
