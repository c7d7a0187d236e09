/**
 * Names of tokenizer specs, kept apart from the registry so that modules which only need to
 * recognise a spec (encoder configs, CLI flags) do not import every tokenizer implementation.
 */
import { TokenizerError } from './errors.ts';

export type BuiltinTokenizerName = 'bert-base-uncased' | 'llama3';
export type TokenizerSpec = BuiltinTokenizerName | { tokenizerJson: object; tokenizerConfig?: object };

export const BUILTIN_TOKENIZERS: readonly BuiltinTokenizerName[] = ['bert-base-uncased', 'llama3'];

export function isBuiltinTokenizer(name: unknown): name is BuiltinTokenizerName {
  return typeof name === 'string' && (BUILTIN_TOKENIZERS as readonly string[]).includes(name);
}

export function isTokenizerJsonSpec(
  spec: unknown,
): spec is { tokenizerJson: object; tokenizerConfig?: object } {
  return typeof spec === 'object' && spec !== null && 'tokenizerJson' in spec;
}

export function unknownTokenizer(spec: unknown): TokenizerError {
  return new TokenizerError(
    'unknown_tokenizer',
    `unknown tokenizer ${JSON.stringify(spec)}: expected one of ${BUILTIN_TOKENIZERS.join(', ')} or { tokenizerJson }`,
  );
}
