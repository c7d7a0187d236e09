/**
 * The query side of an ONNX index: which model file encodes queries, and its fingerprint.
 *
 * The batch job encodes documents with the model directory's `model` (any size, on a GPU); the edge encodes
 * queries with `queryModel` (or `model` when that is one small file), whose bytes the batch job publishes as
 * an asset of each index version. Both sides compute the query fingerprint with `queryModelFingerprint`, and
 * the manifest records it, so the edge proves the query model it loaded from the store is the one the index
 * was published with — even though it differs from the document model (e.g. int8 vs fp32).
 */
import { fingerprintOf } from '../fingerprint.ts';
import type { ModelConfig } from './config.ts';

/** Larger query models are not shipped with index versions (a Worker keeps the bytes in its isolate). */
export const QUERY_MODEL_ASSET_LIMIT_BYTES = 256 * 1024 * 1024;

/** Asset names under which a version carries the query tokenizer. */
export const TOKENIZER_JSON_ASSET = 'tokenizer.json';
export const TOKENIZER_CONFIG_ASSET = 'tokenizer_config.json';

/** The file that encodes queries. */
export function queryModelFile(config: ModelConfig): string {
  return config.queryModel ?? config.model;
}

/**
 * Fingerprint of the query encoder: config (with `model` pointing at the query file), tokenizer name and the
 * SHA-256 of the query model's bytes (a query model is one file: no external data).
 */
export function queryModelFingerprint(
  config: ModelConfig,
  tokenizerName: string,
  graphSha256: string,
): string {
  return fingerprintOf({
    encoder: 'onnx',
    config: { ...config, model: queryModelFile(config) },
    tokenizer: tokenizerName,
    graph: graphSha256,
    external: [],
  });
}
