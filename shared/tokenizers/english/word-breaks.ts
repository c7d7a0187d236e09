/**
 * Words of a text by the Unicode word-boundary rules (UAX #29) that Lucene's StandardTokenizer follows,
 * written out here so Node (where the batch job analyzes documents) and workerd (where the edge analyzes
 * queries) split text identically — `Intl.Segmenter` does not: the two runtimes' ICU builds disagree on
 * "U.S." and "e.g.". What counts as a word, as in Lucene: runs of letters and digits joined by the
 * rules below; ideographs and hiragana one character each; punctuation, symbols and emoji are dropped.
 *
 * Rules kept (UAX #29 numbering): WB4 marks and format characters stay with what precedes them; WB5
 * letter × letter; WB6/7 letter × (MidLetter | MidNumLet | ') × letter ("don't", "U.S"); WB8–10 digits
 * and letters join ("2020s", "h2o"); WB11/12 digit × (MidNum | MidNumLet | ') × digit ("3.5", "1,000");
 * WB13 katakana runs; WB13a/b connector punctuation ("_") joins all of these. Lucene's limit of 255
 * UTF-16 units per token is applied by cutting longer words.
 */

enum Kind {
  Other,
  Letter,
  Digit,
  Katakana,
  Ideograph,
  /** ExtendNumLet: "_" and other connector punctuation. */
  Connector,
  MidLetter,
  MidNum,
  MidNumLet,
  /** Marks, format characters, joiners: part of the preceding character (WB4). */
  Extend,
}

export const MAX_TOKEN_LENGTH = 255;

const ASCII: Kind[] = [];
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ASCII[c] = /[A-Za-z]/.test(ch)
    ? Kind.Letter
    : /[0-9]/.test(ch)
      ? Kind.Digit
      : ch === '_'
        ? Kind.Connector
        : ch === ':'
          ? Kind.MidLetter
          : ch === ',' || ch === ';'
            ? Kind.MidNum
            : ch === '.' || ch === "'"
              ? Kind.MidNumLet
              : Kind.Other;
}

const MID_LETTER = /[\u00B7\u0387\u055F\u05F4\u2027\uFE13\uFE55\uFF1A]/u;
const MID_NUM = /[\u037E\u0589\u060C\u060D\u066C\u07F8\u2044\uFE10\uFE14\uFE50\uFE54\uFF0C\uFF1B]/u;
const MID_NUM_LET = /[\u2018\u2019\u2024\uFE52\uFF07\uFF0E]/u;
const EXTEND = /\p{M}|\u200C|\u200D|\uFE0F|(?!\u200B)\p{Cf}/u;
const KATAKANA = /[\p{Script=Katakana}\u30FC\uFF70]/u;
const IDEOGRAPH = /[\p{Script=Han}\p{Script=Hiragana}]/u;
const LETTER = /[\p{Alphabetic}]/u;
const DIGIT = /\p{Nd}/u;
const CONNECTOR = /[\p{Pc}\u202F]/u;

const cache = new Map<number, Kind>();

function kindOf(code: number): Kind {
  if (code < 128) return ASCII[code];
  let kind = cache.get(code);
  if (kind !== undefined) return kind;
  const ch = String.fromCodePoint(code);
  if (EXTEND.test(ch)) kind = Kind.Extend;
  else if (KATAKANA.test(ch)) kind = Kind.Katakana;
  else if (IDEOGRAPH.test(ch)) kind = Kind.Ideograph;
  else if (DIGIT.test(ch)) kind = Kind.Digit;
  else if (LETTER.test(ch)) kind = Kind.Letter;
  else if (CONNECTOR.test(ch)) kind = Kind.Connector;
  else if (MID_LETTER.test(ch)) kind = Kind.MidLetter;
  else if (MID_NUM.test(ch)) kind = Kind.MidNum;
  else if (MID_NUM_LET.test(ch)) kind = Kind.MidNumLet;
  else kind = Kind.Other;
  if (cache.size < 65_536) cache.set(code, kind);
  return kind;
}

/** Can `next` follow `last` inside one word without a middle character (WB5, WB8–10, WB13, WB13a/b)? */
function joins(last: Kind, next: Kind): boolean {
  switch (last) {
    case Kind.Letter:
    case Kind.Digit:
      return next === Kind.Letter || next === Kind.Digit || next === Kind.Connector;
    case Kind.Katakana:
      return next === Kind.Katakana || next === Kind.Connector;
    case Kind.Connector:
      return next === Kind.Letter || next === Kind.Digit || next === Kind.Katakana || next === Kind.Connector;
    default:
      return false;
  }
}

/** Can `mid` join `last` and `next` (WB6/7 between letters, WB11/12 between digits)? */
function bridges(last: Kind, mid: Kind, next: Kind): boolean {
  if (last === Kind.Letter && next === Kind.Letter) return mid === Kind.MidLetter || mid === Kind.MidNumLet;
  if (last === Kind.Digit && next === Kind.Digit) return mid === Kind.MidNum || mid === Kind.MidNumLet;
  return false;
}

/**
 * The words of `text`, in order.
 * @example words("The U.S. patient's 3.5-mg dose") // ["The", "U.S", "patient's", "3.5", "mg", "dose"]
 */
export function words(text: string): string[] {
  // Characters as (start offset, kind), marks folded into the character before them (WB4).
  const starts: number[] = [];
  const kinds: Kind[] = [];
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const kind = kindOf(code);
    if (kind !== Kind.Extend || kinds.length === 0) {
      starts.push(i);
      kinds.push(kind === Kind.Extend ? Kind.Other : kind);
    }
    i += code > 0xffff ? 2 : 1;
  }
  starts.push(text.length);

  const out: string[] = [];
  const emit = (from: number, to: number, hasCore: boolean) => {
    if (!hasCore) return;
    const word = text.slice(starts[from], starts[to]);
    for (let at = 0; at < word.length; at += MAX_TOKEN_LENGTH)
      out.push(word.slice(at, at + MAX_TOKEN_LENGTH));
  };
  let i = 0;
  while (i < kinds.length) {
    const kind = kinds[i];
    if (kind === Kind.Ideograph) {
      emit(i, i + 1, true);
      i++;
      continue;
    }
    if (kind !== Kind.Letter && kind !== Kind.Digit && kind !== Kind.Katakana && kind !== Kind.Connector) {
      i++;
      continue;
    }
    const from = i;
    let last: Kind = kind;
    let hasCore = kind !== Kind.Connector;
    i++;
    while (i < kinds.length) {
      const next = kinds[i];
      if (joins(last, next)) {
        last = next;
        if (next !== Kind.Connector) hasCore = true;
        i++;
      } else if (i + 1 < kinds.length && bridges(last, next, kinds[i + 1])) {
        last = kinds[i + 1];
        i += 2;
      } else break;
    }
    emit(from, i, hasCore);
  }
  return out;
}
