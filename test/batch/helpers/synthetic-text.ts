/**
 * Deterministic synthetic text corpora for pipeline tests and the pipeline benchmark: documents of real
 * English words drawn Zipf-like from a fixed word list, so tokenization and BM25 behave as on prose while
 * any size can be generated in milliseconds without shipping data.
 */
import { mulberry32 } from '../../../shared/random.ts';

const WORDS = `the of and to in is was for on that with as by at from his her an which it be are this or had
not were but also their have has one its first new after who two they other been more all when during into
time only city world year school state history system used between under known water music film team game
river energy light cell plant animal ocean mountain forest island village church market company bridge road
engine ship train aircraft station museum library garden castle temple theatre novel poem painting language
science theory number market trade money bank law court king queen war army battle peace treaty election
party council doctor hospital disease vaccine protein gene species bird fish insect flower tree seed fruit
storm wind rain snow desert valley lake coast harbour bay canal tower wall gate square street house kitchen`
  .split(/\s+/)
  .filter(Boolean);

export interface SyntheticDoc {
  _id: string;
  title: string;
  text: string;
}

/** `count` documents of about `words` words each; document i is the same for every call and seed. */
export function syntheticDocs(count: number, words = 60, seed = 1, idPrefix = 'doc'): SyntheticDoc[] {
  const docs: SyntheticDoc[] = [];
  for (let i = 0; i < count; i++) {
    const random = mulberry32(seed * 1_000_003 + i);
    const parts: string[] = [];
    for (let w = 0; w < words; w++) parts.push(WORDS[Math.floor(WORDS.length * random() ** 2)]);
    parts.push(`unique${i}`);
    docs.push({ _id: `${idPrefix}-${i}`, title: `${WORDS[i % WORDS.length]} ${i}`, text: parts.join(' ') });
  }
  return docs;
}
