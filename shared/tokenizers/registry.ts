/**
 * One entry point for every tokenizer: `createTokenizer(spec)`. Specs are plain JSON so the index
 * manifest can record them: "bert-base-uncased", "llama3", or `{ tokenizerJson }` holding a parsed
 * Hugging Face tokenizer.json (load it from disk with `loadHfTokenizer` in Node). Built-in
 * tokenizers are shared instances: their vocabulary maps and word caches are built once.
 *
 * Importing this module loads every implementation (Llama 3's costs ~0.5–1 s of CPU at import);
 * code that must start fast (the edge) uses the lazy `loadTokenizer` (load.ts), re-exported here.
 */
import { bertBaseUncasedTokenizer } from './bert-wordpiece.ts';
import { HfTokenizer } from './hf-tokenizer.ts';
import { llama3Tokenizer } from './llama3.ts';
import { isTokenizerJsonSpec, type TokenizerSpec, unknownTokenizer } from './spec.ts';
import type { Tokenizer } from './tokenizer.ts';

export { loadTokenizer } from './load.ts';
export type { BuiltinTokenizerName, TokenizerSpec } from './spec.ts';
export { BUILTIN_TOKENIZERS } from './spec.ts';

/**
 * @example createTokenizer('bert-base-uncased').encode('Hello world').ids // Uint32Array [7592, 2088]
 */
export function createTokenizer(spec: TokenizerSpec): Tokenizer {
  if (spec === 'bert-base-uncased') return bertBaseUncasedTokenizer();
  if (spec === 'llama3') return llama3Tokenizer();
  if (isTokenizerJsonSpec(spec))
    return new HfTokenizer(spec.tokenizerJson, { tokenizerConfig: spec.tokenizerConfig });
  throw unknownTokenizer(spec);
}
