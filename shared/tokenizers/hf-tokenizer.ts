/**
 * Any Hugging Face `tokenizer.json` (WordPiece, BPE, Unigram, …), run by the `@huggingface/tokenizers`
 * engine. This core takes the already-parsed JSON so it works in Workers too; the Node loader
 * (`hf-tokenizer.node.ts`) reads the file. The tokenizer's name is "hf:<fingerprint of the JSON>",
 * so encoder fingerprints change whenever the tokenizer file does, wherever it was loaded from.
 */
import { Tokenizer as HfEngine } from '@huggingface/tokenizers';
import { fingerprintOf } from '../encoders/fingerprint.ts';
import { type BertFastPath, bertFastPathOf } from './bert-json-fast-path.ts';
import { TokenizerError } from './errors.ts';
import type { Tokenization, Tokenizer } from './tokenizer.ts';

export interface HfTokenizerOptions {
  /** Contents of `tokenizer_config.json`, when the model has one (special tokens, lowercasing, …). */
  readonly tokenizerConfig?: object;
  /** Use our BERT WordPiece for plain BERT tokenizer.json files (default true; see bert-json-fast-path.ts). */
  readonly fastPath?: boolean;
}

export class HfTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  /** The parsed tokenizer.json and tokenizer_config.json, kept so encoders can store them as assets. */
  readonly tokenizerJson: object;
  readonly tokenizerConfig: object | undefined;
  private readonly engine: HfEngine;
  private readonly fast: BertFastPath | undefined;

  constructor(tokenizerJson: object, options: HfTokenizerOptions = {}) {
    if (tokenizerJson === null || typeof tokenizerJson !== 'object' || !('model' in tokenizerJson)) {
      throw new TokenizerError(
        'invalid_tokenizer_json',
        'tokenizer.json must be an object with a "model" member',
      );
    }
    try {
      this.engine = new HfEngine(tokenizerJson, options.tokenizerConfig ?? {});
    } catch (cause) {
      throw new TokenizerError(
        'invalid_tokenizer_json',
        `tokenizer.json could not be loaded: ${(cause as Error).message}`,
        { cause },
      );
    }
    this.tokenizerJson = tokenizerJson;
    this.tokenizerConfig = options.tokenizerConfig;
    let maxId = -1;
    for (const id of this.engine.get_vocab(true).values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;
    this.name = `hf:${fingerprintOf({ tokenizerJson, tokenizerConfig: options.tokenizerConfig ?? null }).slice('fnv1a64:'.length)}`;
    this.fast =
      options.fastPath === false
        ? undefined
        : bertFastPathOf(tokenizerJson, this.name, options.tokenizerConfig);
  }

  /** Whether plain-BERT texts are tokenized by our WordPiece rather than the generic engine. */
  get usesFastPath(): boolean {
    return this.fast !== undefined;
  }

  encode(text: string, options?: { addSpecialTokens?: boolean }): Tokenization {
    const fast = this.fast;
    if (
      fast &&
      (!options?.addSpecialTokens || fast.tokenizer.hasSpecialTokens) &&
      !fast.addedTokens.some((token) => text.includes(token))
    ) {
      return fast.tokenizer.encode(text, options);
    }
    const { ids } = this.engine.encode(text, { add_special_tokens: options?.addSpecialTokens ?? false });
    return { ids: Uint32Array.from(ids) };
  }

  tokenOf(id: number): string {
    const token = Number.isInteger(id) ? this.engine.id_to_token(id) : undefined;
    if (token === undefined) {
      throw new TokenizerError(
        'token_id_out_of_range',
        `token id ${id} is not in the vocabulary of tokenizer ${this.name} (size ${this.vocabSize})`,
      );
    }
    return token;
  }

  idOf(token: string): number | undefined {
    return this.engine.token_to_id(token);
  }

  decode(ids: ArrayLike<number>): string {
    return this.engine.decode(Array.from(ids));
  }
}
