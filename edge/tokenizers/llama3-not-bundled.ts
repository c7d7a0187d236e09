/**
 * What `import('./llama3.ts')` resolves to in the BM25/precomputed Worker bundle (the "alias" in
 * wrangler.jsonc): the same export, which explains instead of tokenizing. That Worker stays small by
 * leaving the Llama 3 vocabulary out; an index that needs it is served by the ONNX Worker, which bundles
 * every tokenizer. The edge turns this error into a 503 naming the index.
 */
import { TokenizerError } from '../../shared/tokenizers/errors.ts';
import type { Tokenizer } from '../../shared/tokenizers/tokenizer.ts';

export function llama3Tokenizer(): Tokenizer {
  throw new TokenizerError(
    'tokenizer_not_bundled',
    'the Llama 3 tokenizer is not part of this Worker (the BM25/precomputed bundle, wrangler.jsonc): deploy the ONNX Worker (wrangler.onnx.jsonc) to serve this index',
  );
}
