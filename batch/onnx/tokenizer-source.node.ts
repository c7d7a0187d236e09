/**
 * Where a model directory's tokenizer comes from, in a form that can be posted to worker threads
 * (each worker builds its own tokenizer): a built-in name ("bert-base-uncased", "llama3") or the
 * path of a tokenizer.json. Loading goes through the tokenizer registry (`createTokenizer`).
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { OnnxModelError } from '../../shared/encoders/onnx/errors.ts';
import { loadHfTokenizer } from '../../shared/tokenizers/hf-tokenizer.node.ts';
import {
  BUILTIN_TOKENIZERS,
  type BuiltinTokenizerName,
  createTokenizer,
} from '../../shared/tokenizers/registry.ts';
import type { Tokenizer } from '../../shared/tokenizers/tokenizer.ts';

export type TokenizerSource =
  | { readonly builtin: BuiltinTokenizerName }
  | { readonly tokenizerJsonPath: string };

/** Resolves the config's `tokenizer` field against the model directory; fails when the file is missing. */
export async function resolveTokenizerSource(modelDir: string, tokenizer: string): Promise<TokenizerSource> {
  if ((BUILTIN_TOKENIZERS as readonly string[]).includes(tokenizer))
    return { builtin: tokenizer as BuiltinTokenizerName };
  const path = isAbsolute(tokenizer) ? tokenizer : join(modelDir, tokenizer);
  const exists = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) {
    throw new OnnxModelError(
      'model_file_missing',
      `tokenizer ${JSON.stringify(tokenizer)}: no file ${path} and not a built-in tokenizer (${BUILTIN_TOKENIZERS.join(', ')})`,
    );
  }
  return { tokenizerJsonPath: path };
}

export async function loadTokenizer(source: TokenizerSource): Promise<Tokenizer> {
  return 'builtin' in source ? createTokenizer(source.builtin) : loadHfTokenizer(source.tokenizerJsonPath);
}
