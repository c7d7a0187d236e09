/**
 * Token string → term id for vectors made elsewhere (Python SPLADE, Pyserini): either a
 * tokenizer's vocabulary, or a vocab file with one token per line where the id is the line number
 * (BERT's vocab.txt). A repeated line maps its token to the last line, as Hugging Face's loaders do.
 *
 * There is deliberately no "add unknown tokens past the vocabulary" mode: the ids of added tokens
 * would depend on the order documents are read, so two workers (or two runs) would disagree and
 * the encoding cache would be wrong. A corpus with extra tokens should come with a vocab file that
 * lists them (append lines to vocab.txt): a recorded, deterministic vocabulary.
 */
import type { Tokenizer } from '../../tokenizers/tokenizer.ts';
import { EncoderError } from '../errors.ts';
import { Fnv1a64 } from '../fingerprint.ts';

export interface TermVocabulary {
  /** Identity for fingerprints: the tokenizer name, or "vocab:<hash of the token list>". */
  readonly name: string;
  readonly size: number;
  idOf(token: string): number | undefined;
  tokenOf(id: number): string;
}

export function vocabularyOfTokenizer(tokenizer: Tokenizer): TermVocabulary {
  return {
    name: tokenizer.name,
    size: tokenizer.vocabSize,
    idOf: (token) => tokenizer.idOf(token),
    tokenOf: (id) => tokenizer.tokenOf(id),
  };
}

/** A vocabulary from vocab.txt text: one token per line, id = line number (0-based). */
export function vocabularyFromText(text: string): TermVocabulary {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // the final newline ends a line
  const tokens = lines.map((line) => line.trimEnd());
  if (tokens.length === 0) throw new EncoderError('invalid_encoder_config', 'the vocab file is empty');
  const ids = new Map<string, number>();
  for (let id = 0; id < tokens.length; id++) ids.set(tokens[id], id);
  const hash = new Fnv1a64().updateString(tokens.join('\n')).hex();
  return {
    name: `vocab:${hash}`,
    size: tokens.length,
    idOf: (token) => ids.get(token),
    tokenOf: (id) => {
      const token = tokens[id];
      if (token === undefined) {
        throw new EncoderError(
          'unknown_token',
          `term id ${id} is outside the vocab file (${tokens.length} lines)`,
        );
      }
      return token;
    },
  };
}
