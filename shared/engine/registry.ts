/**
 * The one place that maps algorithm names to implementations (CLI, bench and server all ask
 * here). Every algorithm is exact: the same hits and scores as exhaustive scoring, ties broken by
 * smaller doc id. They differ in how much of the postings they decode:
 * - 'taat-maxscore' (the default, algorithms/taat-maxscore.ts) adds the few short, high-weight lists
 *   of a SPLADE query up whole and only probes the long, low-weight ones for the candidates left, and
 *   falls back to adding everything up when pruning would not pay. On SPLADE-like queries over
 *   cluster-reordered, topical documents it is the fastest of these at small k and on a par with
 *   exhaustive scoring at large k; where documents share no topics (`--corpus independent`),
 *   exhaustive scoring is faster at large k.
 * - 'bmp' (block-max pruning) scores doc-id blocks best bound first; it needs clustered doc ids,
 *   and at large k (a low threshold) it scores a large share of the blocks.
 * - 'maxscore' (document at a time) walks the essential lists doc by doc; SPLADE queries have many
 *   long lists whose bounds never drop below the threshold, so it is the slowest here, kept for
 *   collections that are not SPLADE-like.
 * - 'exhaustive' scores every posting: the reference the others are tested against.
 * `npm run bench:engine -- --algorithms bmp,maxscore` times them side by side on both synthetic corpora
 * (`--corpus topical|independent`); README.md has the current figures.
 */
import { bmp } from './algorithms/bmp.ts';
import { exhaustive } from './algorithms/exhaustive.ts';
import { maxscore } from './algorithms/maxscore.ts';
import { taatMaxscore } from './algorithms/taat-maxscore.ts';
import { UnknownAlgorithmError } from './errors.ts';
import type { TopKAlgorithm } from './types.ts';

const algorithms: ReadonlyMap<string, TopKAlgorithm> = new Map([
  [exhaustive.name, exhaustive],
  [bmp.name, bmp],
  [maxscore.name, maxscore],
  [taatMaxscore.name, taatMaxscore],
]);

export const DEFAULT_ALGORITHM = 'taat-maxscore';

export function getAlgorithm(name: string = DEFAULT_ALGORITHM): TopKAlgorithm {
  const algorithm = algorithms.get(name);
  if (!algorithm) throw new UnknownAlgorithmError(name, [...algorithms.keys()]);
  return algorithm;
}

export function listAlgorithms(): string[] {
  return [...algorithms.keys()];
}
