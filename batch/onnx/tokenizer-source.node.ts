/**
 * Where a model directory's tokenizer comes from, in a form that can be posted to worker threads
 * (each worker builds its own tokenizer): a built-in name ("bert-base-uncased", "llama3") or the
 * path of a tokenizer.json. The tokenizer registry is imported only for built-ins: it loads the
 * Llama 3 vocabulary eagerly (~1 s), which would slow every worker start for tokenizer.json models.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { OnnxModelError } from '../../shared/encoders/onnx/errors.ts';
import { loadHfTokenizer } from '../../shared/tokenizers/hf-tokenizer.node.ts';
import type { BuiltinTokenizerName } from '../../shared/tokenizers/registry.ts';
import type { Tokenizer } from '../../shared/tokenizers/tokenizer.ts';

export type TokenizerSource =
  | { readonly builtin: BuiltinTokenizerName }
  | { readonly tokenizerJsonPath: string };

/** Resolves the config's `tokenizer` field: a file in (or relative to) the model directory, else a built-in name. */
export async function resolveTokenizerSource(modelDir: string, tokenizer: string): Promise<TokenizerSource> {
  const path = isAbsolute(tokenizer) ? tokenizer : join(modelDir, tokenizer);
  if (
    await stat(path).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return { tokenizerJsonPath: path };
  const { BUILTIN_TOKENIZERS } = await import('../../shared/tokenizers/registry.ts');
  if ((BUILTIN_TOKENIZERS as readonly string[]).includes(tokenizer))
    return { builtin: tokenizer as BuiltinTokenizerName };
  throw new OnnxModelError(
    'model_file_missing',
    `tokenizer ${JSON.stringify(tokenizer)}: no file ${path} and not a built-in tokenizer (${BUILTIN_TOKENIZERS.join(', ')})`,
  );
}

export async function loadTokenizer(source: TokenizerSource): Promise<Tokenizer> {
  if ('tokenizerJsonPath' in source) return loadHfTokenizer(source.tokenizerJsonPath);
  const { createTokenizer } = await import('../../shared/tokenizers/registry.ts');
  return createTokenizer(source.builtin);
}
