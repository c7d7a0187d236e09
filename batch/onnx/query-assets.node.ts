/**
 * What an ONNX index version ships for its queries: the query model file (the config's `queryModel`, or the
 * document model when that is one small file) and the tokenizer files, as asset bytes, plus the query
 * encoder's fingerprint for the manifest. The edge (onnxruntime-web in a Worker, onnxruntime-node on Node)
 * loads these from the store at cold start, so an index can be served where its model directory is not.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  QUERY_MODEL_ASSET_LIMIT_BYTES,
  queryModelFile,
  queryModelFingerprint,
  TOKENIZER_CONFIG_ASSET,
  TOKENIZER_JSON_ASSET,
} from '../../shared/encoders/onnx/query-model.ts';
import type { ModelDir } from './model-dir.node.ts';

export interface QueryAssets {
  readonly assets: Record<string, Uint8Array>;
  readonly queryFingerprint: string;
  /** Why nothing is shipped, when nothing is (for logs and the manifest's stats). */
  readonly skipped?: undefined;
}

export type QueryAssetsResult = QueryAssets | { readonly skipped: string };

export function queryAssets(modelDir: ModelDir): QueryAssetsResult {
  const file = queryModelFile(modelDir.config);
  const path = join(modelDir.dir, file);
  if (file === modelDir.config.model && modelDir.externalFiles.length > 0) {
    return { skipped: `${file} keeps its weights in external data: set "queryModel" to a single-file model` };
  }
  if (!existsSync(path)) return { skipped: `queryModel ${file} does not exist in ${modelDir.dir}` };
  const size = statSync(path).size;
  if (size > QUERY_MODEL_ASSET_LIMIT_BYTES) {
    return {
      skipped: `${file} has ${size} bytes, more than a version ships (${QUERY_MODEL_ASSET_LIMIT_BYTES})`,
    };
  }
  const model = new Uint8Array(readFileSync(path));
  const assets: Record<string, Uint8Array> = { [file]: model };
  const source = modelDir.tokenizerSource;
  if ('tokenizerJsonPath' in source) {
    assets[TOKENIZER_JSON_ASSET] = new Uint8Array(readFileSync(source.tokenizerJsonPath));
    const configPath = join(dirname(source.tokenizerJsonPath), TOKENIZER_CONFIG_ASSET);
    if (existsSync(configPath)) assets[TOKENIZER_CONFIG_ASSET] = new Uint8Array(readFileSync(configPath));
  }
  const graph = createHash('sha256').update(model).digest('hex');
  return { assets, queryFingerprint: queryModelFingerprint(modelDir.config, modelDir.tokenizer.name, graph) };
}
