/**
 * The Llama 3 tokenizer (byte-level BPE, 128,000 regular ids + 256 special ids ≥ 128,000), over
 * the vocabulary and merges baked into npm `llama3-tokenizer-js`. Two deliberate differences from
 * calling that package directly:
 *  - text is always text: "<|eot_id|>" typed by a user is tokenized as characters, never turned
 *    into a special id (a search query must not be able to inject control tokens);
 *  - pre-tokens (the pieces Llama 3's split regex makes) are memoised across calls in a bounded
 *    Map, so each distinct word runs BPE once instead of once per encode call.
 * `addSpecialTokens` prepends <|begin_of_text|> (128000), as the Hugging Face post-processor does.
 */
import llama3 from 'llama3-tokenizer-js';
import { TokenizerError } from './errors.ts';
import { IdBuffer } from './id-buffer.ts';
import type { Tokenization, Tokenizer } from './tokenizer.ts';

/** Llama 3's pre-tokenizer split pattern (from its tokenizer.json), in JavaScript syntax. */
const PRETOKENIZE =
  /'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;
/** Passed to the package instead of its special-token pattern: matches nothing. */
const NO_SPECIAL_TOKENS = /(?!)/g;
const PACKAGE_OPTIONS = { bos: false, eos: false, specialTokenRegex: NO_SPECIAL_TOKENS } as const;

export const LLAMA3_FIRST_SPECIAL_ID = 128_000;
export const LLAMA3_BEGIN_OF_TEXT_ID = 128_000;
const MAX_CACHED_PRETOKENS = 1 << 18;

export class Llama3Tokenizer implements Tokenizer {
  readonly name = 'llama3';
  readonly vocabSize: number = llama3.vocabById.length;
  private readonly cache = new Map<string, number | Uint32Array>();

  encode(text: string, options?: { addSpecialTokens?: boolean }): Tokenization {
    const pretokens = text.match(PRETOKENIZE) ?? [];
    const out = new IdBuffer(pretokens.length + 1);
    if (options?.addSpecialTokens) out.push(LLAMA3_BEGIN_OF_TEXT_ID);
    for (const pretoken of pretokens) {
      let ids = this.cache.get(pretoken);
      if (ids === undefined) {
        const encoded = (llama3.encode as (text: string, options: object) => number[])(
          pretoken,
          PACKAGE_OPTIONS,
        );
        ids = encoded.length === 1 ? encoded[0] : Uint32Array.from(encoded);
        if (this.cache.size >= MAX_CACHED_PRETOKENS) this.cache.clear();
        this.cache.set(pretoken, ids);
      }
      if (typeof ids === 'number') out.push(ids);
      else out.pushAll(ids);
    }
    return { ids: out.toUint32Array() };
  }

  /** Byte-level token string, e.g. "Ġthe" for " the". */
  tokenOf(id: number): string {
    const token = Number.isInteger(id) ? llama3.vocabById[id] : undefined;
    if (token === undefined) {
      throw new TokenizerError(
        'token_id_out_of_range',
        `token id ${id} is outside the llama3 vocabulary [0, ${this.vocabSize})`,
      );
    }
    return token;
  }

  idOf(token: string): number | undefined {
    return llama3.vocabByString.get(token);
  }

  /** Text of a sequence of ids (for tests and explanations). */
  decode(ids: ArrayLike<number>): string {
    return llama3.decode(Array.from(ids));
  }
}

let shared: Llama3Tokenizer | undefined;

export function llama3Tokenizer(): Llama3Tokenizer {
  shared ??= new Llama3Tokenizer();
  return shared;
}
