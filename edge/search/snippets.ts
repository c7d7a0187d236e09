/**
 * A hit's snippet: the passage of its stored text that carries most of its score, with the words that
 * carry it marked. It is built from the hit's explanation, so it shows what ranked the document and
 * nothing else: each word of the text is mapped to the index's terms (the query codec's analysis: the
 * same tokenizer and stemmer for BM25; the vocabulary entries of the word for learned sparse models), a
 * word is highlighted when one of its terms contributed to the score, and the passage is the window of
 * about PASSAGE_WORDS words whose distinct contributing terms add up to the most.
 */
import type { ExplainTerm } from './explain.ts';

export const PASSAGE_WORDS = 32;

export interface Highlight {
  /** UTF-16 offsets into the snippet's text. */
  readonly start: number;
  readonly end: number;
  /** The vocabulary token of the term that makes this word count (the explanation's `token`). */
  readonly token: string;
}

export interface Snippet {
  readonly text: string;
  readonly highlights: Highlight[];
}

/** Maps words to the index's term ids (one list per word, in order). */
export type WordTerms = (words: readonly string[]) => Promise<number[][]>;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

interface Word {
  readonly start: number;
  readonly end: number;
  /** Contributing terms of this word (none for most words). */
  readonly terms: number[];
}

/** Snippets of several hits, mapping every distinct word of all texts to terms in one call. */
export async function makeSnippets(
  hits: readonly { text: string; explain: readonly ExplainTerm[] }[],
  termsOf: WordTerms,
): Promise<Snippet[]> {
  const spans = hits.map((h) => [...h.text.matchAll(WORD)].map((m) => ({ word: m[0], start: m.index })));
  const distinct = [...new Set(spans.flatMap((s) => s.map((w) => w.word)))];
  const terms = distinct.length > 0 ? await termsOf(distinct) : [];
  const termsOfWord = new Map(distinct.map((w, i) => [w, terms[i]]));
  return hits.map((hit, i) => {
    const contributions = new Map(hit.explain.map((e) => [e.term, e]));
    const words: Word[] = spans[i].map((s) => ({
      start: s.start,
      end: s.start + s.word.length,
      terms: (termsOfWord.get(s.word) ?? []).filter((t) => (contributions.get(t)?.contribution ?? 0) > 0),
    }));
    return snippetOf(hit.text, words, contributions);
  });
}

function snippetOf(text: string, words: readonly Word[], contributions: Map<number, ExplainTerm>): Snippet {
  if (words.length === 0) return { text: text.slice(0, 240), highlights: [] };
  const [first, last] = bestWindow(words, contributions);
  const from = words[first].start;
  const to = words[last].end;
  const highlights: Highlight[] = [];
  for (let w = first; w <= last; w++) {
    const best = words[w].terms
      .map((t) => contributions.get(t)!)
      .sort((a, b) => b.contribution - a.contribution)[0];
    if (best) highlights.push({ start: words[w].start - from, end: words[w].end - from, token: best.token });
  }
  return { text: text.slice(from, to), highlights };
}

/**
 * First and last word of the window of PASSAGE_WORDS words whose distinct contributing terms add up to
 * the most (the first such window on ties; the text's start when nothing contributes).
 */
function bestWindow(words: readonly Word[], contributions: Map<number, ExplainTerm>): [number, number] {
  const size = Math.min(PASSAGE_WORDS, words.length);
  const counts = new Map<number, number>();
  let sum = 0;
  const add = (w: Word, delta: 1 | -1) => {
    for (const t of w.terms) {
      const before = counts.get(t) ?? 0;
      counts.set(t, before + delta);
      const value = contributions.get(t)!.contribution;
      if (before === 0 && delta === 1) sum += value;
      if (before === 1 && delta === -1) sum -= value;
    }
  };
  for (let w = 0; w < size; w++) add(words[w], 1);
  let best = sum;
  let bestStart = 0;
  for (let start = 1; start + size <= words.length; start++) {
    add(words[start - 1], -1);
    add(words[start + size - 1], 1);
    // A small tolerance: sums of the same terms in another order must not look larger.
    if (sum > best + 1e-12) {
      best = sum;
      bestStart = start;
    }
  }
  return [bestStart, bestStart + size - 1];
}
