/**
 * The bert-base-uncased tokenizer (BasicTokenizer + WordPiece over the 30,522-token vocabulary),
 * implemented here rather than through a tokenizer.json so that it works offline, in Workers, and
 * at over a million tokens per second. `addSpecialTokens` wraps the ids in [CLS] … [SEP] as BERT's
 * post-processor does; without it the output is exactly the word pieces (what BM25 indexes).
 */
import { type BasicTokenizerOptions, bertBasicTokenize } from './bert-basic.ts';
import { bertBaseUncasedVocab } from './bert-vocab.ts';
import { TokenizerError } from './errors.ts';
import { IdBuffer } from './id-buffer.ts';
import type { Tokenization, Tokenizer } from './tokenizer.ts';
import { WordPiece } from './wordpiece.ts';

export interface BertWordPieceConfig {
  readonly name: string;
  readonly vocab: readonly string[];
  readonly lowercase: boolean;
  /** Defaults to `lowercase` (BertNormalizer's `strip_accents: null`). */
  readonly stripAccents?: boolean;
  readonly unkToken?: string;
  readonly continuingSubwordPrefix?: string;
  readonly maxInputCharsPerWord?: number;
  /** The tokens `addSpecialTokens` wraps a text in; null when this tokenizer must not add any. */
  readonly specialTokens?: { readonly cls: string; readonly sep: string } | null;
}

export class BertWordPieceTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  private readonly vocab: readonly string[];
  private readonly config: BertWordPieceConfig;
  private readonly basicOptions: BasicTokenizerOptions;
  // Built on first use: a cold Worker answering vector queries by term id ("#2023") needs neither the
  // token → id map nor WordPiece's tables, which take tens of ms to build for 30,522 tokens.
  #ids: Map<string, number> | undefined;
  #wordPiece: WordPiece | undefined;
  #specialIds: { readonly cls: number; readonly sep: number } | null | undefined;

  constructor(config: BertWordPieceConfig) {
    this.name = config.name;
    this.config = config;
    this.vocab = config.vocab;
    this.vocabSize = config.vocab.length;
    this.basicOptions = { lowercase: config.lowercase, stripAccents: config.stripAccents };
  }

  private get ids(): Map<string, number> {
    if (!this.#ids) {
      const ids = new Map<string, number>();
      // A repeated token keeps its last id, as in WordPiece.
      for (let id = 0; id < this.vocab.length; id++) ids.set(this.vocab[id], id);
      this.#ids = ids;
    }
    return this.#ids;
  }

  private get wordPiece(): WordPiece {
    this.#wordPiece ??= new WordPiece(this.vocab, {
      unkToken: this.config.unkToken ?? '[UNK]',
      continuingSubwordPrefix: this.config.continuingSubwordPrefix ?? '##',
      maxInputCharsPerWord: this.config.maxInputCharsPerWord ?? 100,
    });
    return this.#wordPiece;
  }

  private get specialIds(): { readonly cls: number; readonly sep: number } | undefined {
    if (this.#specialIds === undefined) {
      const special =
        this.config.specialTokens === undefined ? { cls: '[CLS]', sep: '[SEP]' } : this.config.specialTokens;
      this.#specialIds = special
        ? { cls: this.requireId(special.cls), sep: this.requireId(special.sep) }
        : null;
    }
    return this.#specialIds ?? undefined;
  }

  /** Whether `encode(text, { addSpecialTokens: true })` is supported. */
  get hasSpecialTokens(): boolean {
    return this.specialIds !== undefined;
  }

  encode(text: string, options?: { addSpecialTokens?: boolean }): Tokenization {
    const words = bertBasicTokenize(text, this.basicOptions);
    const out = new IdBuffer(words.length + 2);
    const special = options?.addSpecialTokens ? this.specialIdsOrThrow() : undefined;
    if (special) out.push(special.cls);
    for (const word of words) this.wordPiece.tokenizeWord(word, out);
    if (special) out.push(special.sep);
    return { ids: out.toUint32Array() };
  }

  tokenOf(id: number): string {
    const token = this.vocab[id];
    if (token === undefined || !Number.isInteger(id)) {
      throw new TokenizerError(
        'token_id_out_of_range',
        `token id ${id} is outside the ${this.name} vocabulary [0, ${this.vocabSize})`,
      );
    }
    return token;
  }

  idOf(token: string): number | undefined {
    return this.ids.get(token);
  }

  private specialIdsOrThrow(): { readonly cls: number; readonly sep: number } {
    if (!this.specialIds) {
      throw new TokenizerError('invalid_vocabulary', `tokenizer ${this.name} has no special tokens to add`);
    }
    return this.specialIds;
  }

  private requireId(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) {
      throw new TokenizerError('invalid_vocabulary', `${this.name} vocabulary lacks "${token}"`);
    }
    return id;
  }
}

let bertBaseUncased: BertWordPieceTokenizer | undefined;

/** The shared bert-base-uncased instance (vocabulary maps and word cache built once). */
export function bertBaseUncasedTokenizer(): BertWordPieceTokenizer {
  bertBaseUncased ??= new BertWordPieceTokenizer({
    name: 'bert-base-uncased',
    vocab: bertBaseUncasedVocab(),
    lowercase: true,
  });
  return bertBaseUncased;
}
