/**
 * The bert-base-uncased tokenizer (BasicTokenizer + WordPiece over the 30,522-token vocabulary),
 * implemented here rather than through a tokenizer.json so that it works offline, in Workers, and
 * at over a million tokens per second. `addSpecialTokens` wraps the ids in [CLS] … [SEP] as BERT's
 * post-processor does; without it the output is exactly the word pieces (what BM25 indexes).
 */
import { bertBasicTokenize } from './bert-basic.ts';
import { bertBaseUncasedVocab } from './bert-vocab.ts';
import { TokenizerError } from './errors.ts';
import { IdBuffer } from './id-buffer.ts';
import type { Tokenization, Tokenizer } from './tokenizer.ts';
import { WordPiece } from './wordpiece.ts';

export interface BertWordPieceConfig {
  readonly name: string;
  readonly vocab: readonly string[];
  readonly lowercase: boolean;
}

export class BertWordPieceTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  private readonly vocab: readonly string[];
  private readonly ids = new Map<string, number>();
  private readonly wordPiece: WordPiece;
  private readonly lowercase: boolean;
  private readonly clsId: number;
  private readonly sepId: number;

  constructor(config: BertWordPieceConfig) {
    this.name = config.name;
    this.vocab = config.vocab;
    this.vocabSize = config.vocab.length;
    this.lowercase = config.lowercase;
    // A repeated token keeps its last id, as in WordPiece.
    for (let id = 0; id < config.vocab.length; id++) this.ids.set(config.vocab[id], id);
    this.wordPiece = new WordPiece(config.vocab, {
      unkToken: '[UNK]',
      continuingSubwordPrefix: '##',
      maxInputCharsPerWord: 100,
    });
    this.clsId = this.requireId('[CLS]');
    this.sepId = this.requireId('[SEP]');
  }

  encode(text: string, options?: { addSpecialTokens?: boolean }): Tokenization {
    const words = bertBasicTokenize(text, { lowercase: this.lowercase });
    const out = new IdBuffer(words.length + 2);
    if (options?.addSpecialTokens) out.push(this.clsId);
    for (const word of words) this.wordPiece.tokenizeWord(word, out);
    if (options?.addSpecialTokens) out.push(this.sepId);
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
