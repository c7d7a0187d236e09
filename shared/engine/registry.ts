/**
 * The one place that maps algorithm names to implementations (CLI, bench and server all ask
 * here). Default: 'taat-maxscore' (term-at-a-time MaxScore, algorithms/taat-maxscore.ts), chosen
 * by `npm run bench:engine -- --docs 1000000 --vocab 30522 --queries 200 --algorithms
 * bmp,taat-maxscore` (synthetic SPLADE-like corpus, cluster-reordered doc ids, ~44 terms per
 * query, 2-core shared machine, 2026-11-26, postings format 2), all exact, same run:
 *   top-10 p50:   taat-maxscore 4.31 ms, bmp 5.30 ms, uncompressed exhaustive baseline 11.36 ms
 *                 (2.64x vs 2.14x);
 *   top-1000 p50: taat-maxscore 12.9 ms, bmp 35.2 ms, baseline 12.4 ms (0.96x vs 0.35x).
 * Tried and dropped 2026-11-26 (not committed): accumulating taat-maxscore's essential lists one
 * 8K-doc range at a time into a cache-resident accumulator and a compact doc-ordered list of partials
 * (no random writes into a numDocs-sized array, no per-posting histogram upkeep). Top-10 got ~15%
 * faster when measured interleaved with the baseline (which flushes the caches), but the per-posting
 * work is larger, and top-1000, whose rounds re-merge the growing list, got 13-27% slower.
 * Tried and dropped 2026-11-25 (an experiment, not committed): a flat BMP over 16-doc blocks
 * with sequential bound passes (short lists bucketed by block instead of a per-doc array) scored
 * very few blocks per top-10 query, yet its passes over every short posting and every long list's
 * fine maxima took longer than taat-maxscore's whole search: on this data a 1,024-doc superblock
 * holds nearly every query term, so coarse bounds prune nothing and fine ones cost a full pass.
 * An earlier run had MaxScore (DAAT) at 44 ms top-10: SPLADE queries carry many long lists whose
 * bounds never drop below the threshold, so it walks them document at a time.
 * Caveat: at top-1000 the uncompressed baseline still beats every algorithm here (the registered
 * 'exhaustive' scores the compressed lists and was not timed in this run).
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
