/**
 * BERT's BasicTokenizer: text → words, before WordPiece. Matches the Hugging Face `tokenizers`
 * BertNormalizer + BertPreTokenizer (the Rust implementation Anserini uses for its "flat-wp"
 * indexes), step by step:
 *   1. clean: drop NUL, U+FFFD and every Unicode "Other" (C*) character except \t \n \r;
 *   2. CJK ideographs become words of their own (BERT's CJK blocks, not all of Han);
 *   3. (uncased, or when asked) strip accents: NFD, then drop non-spacing marks (Mn);
 *   4. (uncased) lowercase character by character (so "Σ" is always "σ", never the final "ς");
 *   5. split on whitespace and isolate each punctuation character — BERT's definition: ASCII
 *      33–47, 58–64, 91–96, 123–126 plus every Unicode P* character.
 * Pure-ASCII text (most English) takes a shortcut with the same result.
 */

const CJK =
  '\\u{4E00}-\\u{9FFF}\\u{3400}-\\u{4DBF}\\u{20000}-\\u{2A6DF}\\u{2A700}-\\u{2B73F}' +
  '\\u{2B740}-\\u{2B81F}\\u{2B820}-\\u{2CEAF}\\u{F900}-\\u{FAFF}\\u{2F800}-\\u{2FA1F}';
const ASCII_PUNCT = '!-\\/:-@\\[-`{-~';

// After cleaning, JS `\s` equals Rust's char::is_whitespace (the characters where they differ,
// \v \f U+0085 U+FEFF, are C* and already removed).
const UNICODE_WORDS = new RegExp(`[${ASCII_PUNCT}\\p{P}${CJK}]|[^\\s${ASCII_PUNCT}\\p{P}${CJK}]+`, 'gu');
const ASCII_WORDS = new RegExp(`[${ASCII_PUNCT}]|[^\\s${ASCII_PUNCT}]+`, 'g');
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at \x00 on purpose
const NON_ASCII = /[^\x00-\x7f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ASCII_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
const UNICODE_CONTROL = /[\0\uFFFD]|(?![\t\n\r])\p{C}/gu;
const NONSPACING_MARK = /\p{Mn}/gu;
const CAPITAL_SIGMA = /\u03A3/g;

export interface BasicTokenizerOptions {
  /** Uncased models lowercase. */
  readonly lowercase: boolean;
  /** Strip accents (NFD, drop Mn); defaults to `lowercase`, as BertNormalizer's `strip_accents: null`. */
  readonly stripAccents?: boolean;
}

/**
 * Splits `text` into BERT words (no WordPiece yet).
 * @example bertBasicTokenize("Héllo, 世界!", { lowercase: true }) // ["hello", ",", "世", "界", "!"]
 */
export function bertBasicTokenize(text: string, options: BasicTokenizerOptions): string[] {
  if (!NON_ASCII.test(text)) {
    let ascii = text.replace(ASCII_CONTROL, '');
    if (options.lowercase) ascii = ascii.toLowerCase();
    return ascii.match(ASCII_WORDS) ?? [];
  }
  let cleaned = text.replace(UNICODE_CONTROL, '');
  if (options.stripAccents ?? options.lowercase)
    cleaned = cleaned.normalize('NFD').replace(NONSPACING_MARK, '');
  if (options.lowercase) cleaned = cleaned.replace(CAPITAL_SIGMA, '\u03C3').toLowerCase();
  return cleaned.match(UNICODE_WORDS) ?? [];
}
