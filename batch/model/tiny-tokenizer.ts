/**
 * Generates a small but real Hugging Face `tokenizer.json` (BERT normalizer + pre-tokenizer,
 * WordPiece model) from a fixed seed, for the tiny fixture models. The vocabulary holds the
 * special tokens both fixture architectures need ([PAD], [UNK], [CLS], [SEP], [MASK],
 * <|begin_of_text|>, <|end_of_text|>), single characters and their `##` continuations (so any
 * lowercase ASCII text tokenizes without [UNK]), a list of common English words, and
 * consonant-vowel syllables drawn from the seed until the vocabulary reaches `vocabSize`.
 */

import { wordPieceTokenizerJson } from '../../shared/tokenizers/wordpiece-json.ts';
import { SeededRandom } from './seeded-random.ts';

export const TINY_SPECIAL_TOKENS = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  '<|begin_of_text|>',
  '<|end_of_text|>',
] as const;

const COMMON_WORDS = (
  'the of and to in is was for on that with as by at from his it an were are which be this has also ' +
  'or had first one their its new after who they two her she been other when there all during into ' +
  'school time may years more most only over city some world would where later up such used many can ' +
  'state about national out known university united then made between film music search index query ' +
  'document sparse vector model token learned retrieval edge batch shard term weight score rank ' +
  'river mountain history science water energy light house market paper study ocean forest'
).split(' ');

export interface TinyTokenizerOptions {
  vocabSize?: number;
  seed?: number;
}

/** Returns the tokenizer.json object (serialize with JSON.stringify). */
export function generateTinyTokenizerJson(options: TinyTokenizerOptions = {}): Record<string, unknown> {
  const vocabSize = options.vocabSize ?? 1000;
  const random = new SeededRandom(options.seed ?? 7);
  const tokens: string[] = [...TINY_SPECIAL_TOKENS];
  const seen = new Set<string>(tokens);
  const add = (token: string): void => {
    if (tokens.length < vocabSize && !seen.has(token)) {
      seen.add(token);
      tokens.push(token);
    }
  };
  const characters = 'abcdefghijklmnopqrstuvwxyz0123456789.,;:!?\'"()-/';
  for (const c of characters) add(c);
  for (const c of characters) add(`##${c}`);
  for (const word of COMMON_WORDS) add(word);
  const consonants = 'bcdfghjklmnprstvwz';
  const vowels = 'aeiou';
  // Draw syllables until full; a bounded number of attempts keeps a tiny vocabSize from looping.
  for (let attempt = 0; tokens.length < vocabSize && attempt < vocabSize * 50; attempt++) {
    const length = 1 + random.int(2);
    let syllable = '';
    for (let i = 0; i < length; i++)
      syllable += consonants[random.int(consonants.length)] + vowels[random.int(5)];
    add(random.next() < 0.5 ? syllable : `##${syllable}`);
  }
  return wordPieceTokenizerJson(tokens, TINY_SPECIAL_TOKENS);
}
