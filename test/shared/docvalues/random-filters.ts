/**
 * Random documents' metadata and random filters over them, with the obvious evaluator of a filter on one
 * document's metadata: the brute force that compiled filters (and filtered searches) are checked against.
 * Values are skewed (one language for most documents, rare ones for a few, years spread over decades) so
 * filters range from matching nothing or a handful of documents to nearly all.
 */
import { parseIsoDate } from '../../../shared/docvalues/schema.ts';

export const FILTER_SPEC = 'lang:keyword,year:number,score:number,open:boolean,published:date,tags:keyword';
const LANGS = ['en', 'en', 'en', 'en', 'en', 'en', 'de', 'de', 'fr', 'es', 'it'];
const TAGS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

export type Rand = () => number;

export function seeded(seed: number): Rand {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

/** Metadata of document `i`: sometimes missing fields, sometimes values of the wrong type. */
export function randomMetadata(rand: Rand, i: number): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const r = rand();
  // A language so rare that filtering on it passes under 0.1% of a corpus of a few thousand documents.
  if (i % 2003 === 3) m.lang = 'rare';
  else if (r < 0.9) m.lang = pick(rand, LANGS);
  else if (r < 0.93) m.lang = 7; // wrong type: no value
  if (rand() < 0.95) m.year = 1990 + Math.floor(rand() * 36);
  else if (rand() < 0.5) m.year = 'unknown';
  if (rand() < 0.8) m.score = Math.round(rand() * 1000) / 100;
  if (rand() < 0.9) m.open = rand() < 0.3;
  if (rand() < 0.85) {
    const day = Math.floor(rand() * 3650);
    m.published = new Date(Date.UTC(2015, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  }
  if (rand() < 0.7) m.tags = TAGS.filter(() => rand() < 0.25);
  return m;
}

/** A random filter, a tree of at most `depth` levels of and / or / not over the fields above. */
export function randomFilter(rand: Rand, depth = 2): Record<string, unknown> {
  const r = rand();
  if (depth > 0 && r < 0.15) return { and: [randomFilter(rand, depth - 1), randomFilter(rand, depth - 1)] };
  if (depth > 0 && r < 0.3) return { or: [randomFilter(rand, depth - 1), randomFilter(rand, depth - 1)] };
  if (depth > 0 && r < 0.38) return { not: randomFilter(rand, depth - 1) };
  return randomClause(rand);
}

function randomClause(rand: Rand): Record<string, unknown> {
  const year = 1988 + Math.floor(rand() * 40);
  const clauses: (() => Record<string, unknown>)[] = [
    () => ({ lang: pick(rand, ['en', 'de', 'fr', 'rare', 'xx']) }),
    () => ({ lang: { in: [pick(rand, ['de', 'fr', 'es']), pick(rand, ['it', 'rare', 'en'])] } }),
    () => ({ lang: { exists: rand() < 0.5 } }),
    () => ({ year }),
    () => ({ year: { gte: year } }),
    () => ({ year: { gt: year, lte: year + Math.floor(rand() * 5) } }),
    () => ({ year: { lt: 1990 + Math.floor(rand() * 3) } }),
    () => ({ score: { gte: Math.round(rand() * 1000) / 100 } }),
    () => ({ score: { lt: Math.round(rand() * 100) / 100 } }),
    () => ({ open: rand() < 0.5 }),
    () => ({
      published: {
        gte: new Date(Date.UTC(2015, 0, 1) + Math.floor(rand() * 3650) * 86_400_000).toISOString(),
      },
    }),
    () => ({ tags: pick(rand, TAGS) }),
    () => ({ tags: [pick(rand, TAGS), pick(rand, TAGS)], year: { gte: year } }),
  ];
  return pick(rand, clauses)();
}

/** Whether metadata `m` passes `filter` (the request's JSON), evaluated directly. */
export function matches(filter: Record<string, unknown>, m: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, value]) => {
    if (key === 'and') return (value as Record<string, unknown>[]).every((f) => matches(f, m));
    if (key === 'or') return (value as Record<string, unknown>[]).some((f) => matches(f, m));
    if (key === 'not') return !matches(value as Record<string, unknown>, m);
    return clauseMatches(key, value, m);
  });
}

const TYPES: Record<string, string> = {
  lang: 'keyword',
  tags: 'keyword',
  year: 'number',
  score: 'number',
  open: 'boolean',
  published: 'date',
};

function docValues(field: string, m: Record<string, unknown>): unknown[] {
  const v = m[field];
  if (v === undefined || v === null) return [];
  const type = TYPES[field];
  if (type === 'keyword') {
    const list = Array.isArray(v) ? v : [v];
    return list.every((x) => typeof x === 'string') ? list : [];
  }
  if (type === 'number') return typeof v === 'number' ? [v] : [];
  if (type === 'boolean') return typeof v === 'boolean' ? [v] : [];
  const ms = typeof v === 'string' ? parseIsoDate(v) : undefined;
  return ms === undefined ? [] : [ms];
}

function asValue(field: string, v: unknown): unknown {
  return TYPES[field] === 'date' && typeof v === 'string' ? parseIsoDate(v) : v;
}

function clauseMatches(field: string, value: unknown, m: Record<string, unknown>): boolean {
  const have = docValues(field, m);
  if (Array.isArray(value)) return value.some((v) => have.includes(asValue(field, v)));
  if (typeof value !== 'object' || value === null) return have.includes(asValue(field, value));
  const ops = value as Record<string, unknown>;
  return Object.entries(ops).every(([op, arg]) => {
    if (op === 'exists') return have.length > 0 === arg;
    if (op === 'eq') return have.includes(asValue(field, arg));
    if (op === 'in') return (arg as unknown[]).some((v) => have.includes(asValue(field, v)));
    const bound = asValue(field, arg) as number;
    return have.some((h) => {
      const x = h as number;
      return op === 'gt' ? x > bound : op === 'gte' ? x >= bound : op === 'lt' ? x < bound : x <= bound;
    });
  });
}
