/**
 * `loadTokenizer(spec)`: the asynchronous twin of `createTokenizer` that imports a tokenizer's
 * implementation only when it is asked for. Unpacking the Llama 3 vocabulary and merges costs
 * ~0.5–1 s of CPU, and the BERT vocabulary is 350 KB of JSON; a Worker serving a BM25/BERT index
 * should pay for neither at cold start. Encoder factories use this; code that wants a synchronous
 * call and does not mind the import cost uses `createTokenizer` from registry.ts.
 */
import { isBuiltinTokenizer, isTokenizerJsonSpec, type TokenizerSpec, unknownTokenizer } from './spec.ts';
import type { Tokenizer } from './tokenizer.ts';

export async function loadTokenizer(spec: TokenizerSpec): Promise<Tokenizer> {
  if (isBuiltinTokenizer(spec)) {
    if (spec === 'bert-base-uncased') return (await import('./bert-wordpiece.ts')).bertBaseUncasedTokenizer();
    return (await import('./llama3.ts')).llama3Tokenizer();
  }
  if (isTokenizerJsonSpec(spec)) {
    const { HfTokenizer } = await import('./hf-tokenizer.ts');
    return new HfTokenizer(spec.tokenizerJson, { tokenizerConfig: spec.tokenizerConfig });
  }
  throw unknownTokenizer(spec);
}
