/**
 * The English analyzer of Lucene's BM25 baselines (Anserini's default, `beir-*.flat`): words by the
 * Unicode word-boundary rules (word-breaks.ts), the possessive "'s" removed, lower case, Lucene's English
 * stop words removed, Porter stems (the `stemmer` package: Martin Porter's algorithm with the two
 * departures of his reference implementation that Lucene's PorterStemmer also has, "bli" → "ble" and
 * "logi" → "log"). The same function analyzes documents at index time and queries at the edge.
 * `ENGLISH_ANALYZER_VERSION` goes into fingerprints: change it whenever the output could change.
 */
import { stemmer } from 'stemmer';
import { words } from './word-breaks.ts';

export const ENGLISH_ANALYZER_VERSION = 1;

/** Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);

const POSSESSIVE = /['\u2019\uFF07][sS]$/;

/**
 * The terms of `text`, in order (repeats kept: they are term frequencies).
 * @example analyzeEnglish("The patients' cells weren't dividing") // ["patient", "cell", "weren't", "divid"]
 */
export function analyzeEnglish(text: string): string[] {
  const out: string[] = [];
  for (const word of words(text)) {
    const term = word.replace(POSSESSIVE, '').toLowerCase();
    if (term === '' || ENGLISH_STOP_WORDS.has(term)) continue;
    out.push(stemmer(term));
  }
  return out;
}
