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
  private readonly ids = new Map<string, number>();
  private readonly wordPiece: WordPiece;
  private readonly basicOptions: BasicTokenizerOptions;
  private readonly specialIds: { readonly cls: number; readonly sep: number } | undefined;

  constructor(config: BertWordPieceConfig) {
    this.name = config.name;
    this.vocab = config.vocab;
    this.vocabSize = config.vocab.length;
    this.basicOptions = { lowercase: config.lowercase, stripAccents: config.stripAccents };
    // A repeated token keeps its last id, as in WordPiece.
    for (let id = 0; id < config.vocab.length; id++) this.ids.set(config.vocab[id], id);
    this.wordPiece = new WordPiece(config.vocab, {
      unkToken: config.unkToken ?? '[UNK]',
      continuingSubwordPrefix: config.continuingSubwordPrefix ?? '##',
      maxInputCharsPerWord: config.maxInputCharsPerWord ?? 100,
    });
    const special =
      config.specialTokens === undefined ? { cls: '[CLS]', sep: '[SEP]' } : config.specialTokens;
    this.specialIds = special
      ? { cls: this.requireId(special.cls), sep: this.requireId(special.sep) }
      : undefined;
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
