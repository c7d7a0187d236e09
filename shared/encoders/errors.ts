/**
 * Errors raised by encoders and their registry, each with a stable `code`: a config naming an
 * unknown encoder or lacking an asset, corpus statistics or a weight table that do not fit the
 * tokenizer, a precomputed vector line that cannot be read, a fingerprint that does not match the
 * one the index was built with.
 */
import { CodedError } from '../errors.ts';

export type EncoderErrorCode =
  | 'unknown_encoder'
  | 'invalid_encoder_config'
  | 'missing_asset'
  | 'fingerprint_mismatch'
  | 'unsupported_role'
  | 'invalid_bm25_stats'
  | 'invalid_vector_line'
  | 'unknown_token'
  | 'duplicate_token'
  | 'invalid_weight_table'
  | 'weight_table_mismatch';

export class EncoderError extends CodedError<EncoderErrorCode> {}
