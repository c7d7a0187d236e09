/**
 * Term ids for analyzers whose vocabulary is the corpus's own words (the English analyzer) rather than a
 * model's fixed vocabulary:
 *   - `TermDictionary` hands out ids in first-seen order while a process analyzes documents; ids mean
 *     nothing outside that process, so the encoding cache stores the term strings (see
 *     batch/pipeline/cache-segment.ts) and a build interns them again;
 *   - `SortedTerms` is the frozen vocabulary of one index version: its terms sorted (UTF-16 code unit
 *     order, the same in every runtime), a term's id its rank. It travels with the version as a text
 *     asset, one term a line, and the edge looks query terms up by binary search — no map to build.
 */

export class TermDictionary {
  readonly #ids = new Map<string, number>();
  readonly #terms: string[] = [];

  get size(): number {
    return this.#terms.length;
  }

  /** The id of `term`, added if new. */
  intern(term: string): number {
    let id = this.#ids.get(term);
    if (id === undefined) {
      id = this.#terms.push(term) - 1;
      this.#ids.set(term, id);
    }
    return id;
  }

  termOf(id: number): string {
    const term = this.#terms[id];
    if (term === undefined)
      throw new RangeError(`term id ${id} is not in the dictionary (${this.size} terms)`);
    return term;
  }
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export class SortedTerms {
  readonly terms: readonly string[];

  /** `terms` must be strictly increasing and free of line breaks (checked). */
  constructor(terms: readonly string[]) {
    for (let i = 0; i < terms.length; i++) {
      if (/[\n\r]/.test(terms[i]))
        throw new RangeError(`term ${JSON.stringify(terms[i])} holds a line break`);
      if (i > 0 && !(terms[i - 1] < terms[i]))
        throw new RangeError(`terms are not strictly increasing at ${i}: ${JSON.stringify(terms[i])}`);
    }
    this.terms = terms;
  }

  /** Sorts and de-duplicates. */
  static of(terms: Iterable<string>): SortedTerms {
    return new SortedTerms([...new Set(terms)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  get size(): number {
    return this.terms.length;
  }

  idOf(term: string): number | undefined {
    let lo = 0;
    let hi = this.terms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.terms[mid];
      if (at === term) return mid;
      if (at < term) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  termOf(id: number): string {
    const term = this.terms[id];
    if (term === undefined) throw new RangeError(`term id ${id} is outside the ${this.size} terms`);
    return term;
  }

  /** The asset form: UTF-8, one term a line. */
  toBytes(): Uint8Array {
    return utf8.encode(this.terms.join('\n'));
  }

  static fromBytes(bytes: Uint8Array): SortedTerms {
    const text = utf8Decoder.decode(bytes);
    return new SortedTerms(text === '' ? [] : text.split('\n'));
  }
}
