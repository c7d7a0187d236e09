/**
 * One entry point for every tokenizer: `createTokenizer(spec)`. Specs are plain JSON so the index
 * manifest can record them: "bert-base-uncased", "llama3", or `{ tokenizerJson }` holding a parsed
 * Hugging Face tokenizer.json (load it from disk with `loadHfTokenizer` in Node). Built-in
 * tokenizers are shared instances: their vocabulary maps and word caches are built once.
 */
import { bertBaseUncasedTokenizer } from './bert-wordpiece.ts';
import { TokenizerError } from './errors.ts';
import { HfTokenizer } from './hf-tokenizer.ts';
import { llama3Tokenizer } from './llama3.ts';
import type { Tokenizer } from './tokenizer.ts';

export type BuiltinTokenizerName = 'bert-base-uncased' | 'llama3';
export type TokenizerSpec = BuiltinTokenizerName | { tokenizerJson: object; tokenizerConfig?: object };

export const BUILTIN_TOKENIZERS: readonly BuiltinTokenizerName[] = ['bert-base-uncased', 'llama3'];

/**
 * @example createTokenizer('bert-base-uncased').encode('Hello world').ids // Uint32Array [7592, 2088]
 */
export function createTokenizer(spec: TokenizerSpec): Tokenizer {
  if (spec === 'bert-base-uncased') return bertBaseUncasedTokenizer();
  if (spec === 'llama3') return llama3Tokenizer();
  if (typeof spec === 'object' && spec !== null && 'tokenizerJson' in spec) {
    return new HfTokenizer(spec.tokenizerJson, { tokenizerConfig: spec.tokenizerConfig });
  }
  throw new TokenizerError(
    'unknown_tokenizer',
    `unknown tokenizer ${JSON.stringify(spec)}: expected one of ${BUILTIN_TOKENIZERS.join(', ')} or { tokenizerJson }`,
  );
}
