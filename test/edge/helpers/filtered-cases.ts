/**
 * The filtered-search check the Node app and the Worker both run: a topical corpus whose documents carry
 * random metadata (test/shared/docvalues/random-filters.ts), random queries paired with random filters,
 * and each answer compared with brute force — exhaustive scoring of the documents the filter passes,
 * evaluated on their metadata directly. Exact answers must be equal (ids and scores); approximate ones are
 * measured (recall), must hold only passing documents with exact scores, and must not come back with
 * fewer than k hits while k passing documents score above zero.
 */
import { expect } from 'vitest';
import { parseFilterableSpec } from '../../../shared/docvalues/schema.ts';
import {
  FILTER_SPEC,
  matches,
  randomFilter,
  randomMetadata,
  seeded,
} from '../../shared/docvalues/random-filters.ts';
import { COMMON, SUBJECTS } from './subjects.ts';
import { type BuiltIndex, expectedHits, type TestDocument } from './test-index.ts';

export const FILTER_SCHEMA = parseFilterableSpec(FILTER_SPEC);

/** `n` documents about six subjects, each with random metadata. */
export function filterCorpus(n: number, seed = 5): TestDocument[] {
  const rand = seeded(seed);
  return Array.from({ length: n }, (_, i) => {
    const words = SUBJECTS[i % SUBJECTS.length];
    const other = SUBJECTS[(i * 7 + 3) % SUBJECTS.length];
    const text = Array.from({ length: 20 }, () => {
      const r = rand();
      const from = r < 0.55 ? words : r < 0.7 ? other : COMMON;
      return from[Math.floor(rand() * from.length)];
    }).join(' ');
    return { id: `f${i}`, text, title: `doc ${i}`, metadata: randomMetadata(rand, i) };
  });
}

export interface FilteredCase {
  readonly query: string;
  /** Absent: no filter (the unfiltered baseline of the same queries). */
  readonly filter?: Record<string, unknown>;
  readonly k: number;
}

/** `n` random (query, filter, k) cases. */
export function filteredCases(n: number, seed = 17): FilteredCase[] {
  const rand = seeded(seed);
  const vocabulary = SUBJECTS.flat();
  return Array.from({ length: n }, () => {
    const words = Array.from(
      { length: 1 + Math.floor(rand() * 3) },
      () => vocabulary[Math.floor(rand() * vocabulary.length)],
    );
    return { query: words.join(' '), filter: randomFilter(rand), k: [1, 5, 10, 20][Math.floor(rand() * 4)] };
  });
}

interface Answer {
  status: number;
  body: {
    mode: string;
    hits: { id: string; score: number }[];
    approximation?: { filter?: { strategy: string } };
    error?: unknown;
  };
}

export type Search = (body: Record<string, unknown>) => Promise<Answer>;

export interface FilteredReport {
  readonly cases: number;
  /** Cases by the share of documents their filter passes. */
  readonly bySelectivity: { none: number; under_0_1_percent: number; over_90_percent: number };
  /** Approximate mode: mean fraction of the exact filtered top-k returned, and strategies used. */
  readonly approximateRecall?: number;
  readonly strategies?: Record<string, number>;
}

/** Runs `cases` through `search` in `mode` against brute force over `built` and `docs`. */
export async function checkFiltered(
  search: Search,
  built: BuiltIndex,
  docs: readonly TestDocument[],
  cases: readonly FilteredCase[],
  mode: 'exact' | 'approximate',
): Promise<FilteredReport> {
  const bySelectivity = { none: 0, under_0_1_percent: 0, over_90_percent: 0 };
  const strategies: Record<string, number> = {};
  let recall = 0;
  for (const c of cases) {
    const passing = docs.map((d) => !c.filter || matches(c.filter, d.metadata as Record<string, unknown>));
    const share = passing.filter(Boolean).length / docs.length;
    if (share === 0) bySelectivity.none++;
    else if (share < 0.001) bySelectivity.under_0_1_percent++;
    else if (share > 0.9) bySelectivity.over_90_percent++;
    const expected = expectedHits(
      built,
      await built.encoder.encode([c.query], 'query').then((v) => v[0]),
      c.k,
      (d) => passing[d],
    );
    const answer = await search({ query: c.query, k: c.k, mode, ...(c.filter ? { filter: c.filter } : {}) });
    const label = JSON.stringify(c);
    expect(answer.status, `${label} ${JSON.stringify(answer.body)}`).toBe(200);
    const hits = answer.body.hits;
    const byId = new Map(docs.map((d, i) => [d.id, i]));
    for (const h of hits) expect(passing[byId.get(h.id)!], `${label}: ${h.id} fails the filter`).toBe(true);
    if (mode === 'exact') {
      expect(
        hits.map((h) => h.id),
        label,
      ).toEqual(expected.map((h) => h.id));
      hits.forEach((h, i) => {
        expect(h.score).toBeCloseTo(expected[i].score, 9);
      });
      continue;
    }
    const strategy = answer.body.approximation?.filter?.strategy ?? 'none';
    strategies[strategy] = (strategies[strategy] ?? 0) + 1;
    // A filter must not cost hits: k when k passing documents score (unfiltered approximate answers
    // may hold fewer, as pruned summaries leave clusters out).
    if (c.filter) expect(hits.length, `${label}: fewer hits than exist`).toBe(expected.length);
    const want = new Set(expected.map((h) => h.id));
    recall += expected.length === 0 ? 1 : hits.filter((h) => want.has(h.id)).length / expected.length;
  }
  return {
    cases: cases.length,
    bySelectivity,
    ...(mode === 'approximate' ? { approximateRecall: recall / cases.length, strategies } : {}),
  };
}
