/**
 * Test helper: a Hugging Face tokenizer.json for a BERT WordPiece vocabulary, so tests can run the
 * `@huggingface/tokenizers` engine over the same vocabulary as our own implementation.
 */
import { wordPieceTokenizerJson } from '../../../shared/tokenizers/wordpiece-json.ts';

export function bertTokenizerJson(vocab: readonly string[]): object {
  return wordPieceTokenizerJson(vocab);
}
