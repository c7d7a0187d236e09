/**
 * The one place that maps algorithm names to implementations (CLI, bench and server all ask
 * here). Default: 'taat-maxscore' (term-at-a-time MaxScore, algorithms/taat-maxscore.ts), chosen
 * by `npm run bench:engine -- --docs 1000000 --vocab 30522 --queries 200 --algorithms
 * bmp,taat-maxscore` (synthetic SPLADE-like corpus, cluster-reordered doc ids, ~44 terms per
 * query, 2-core shared machine, 2026-11-25), all exact, same run:
 *   top-10 p50:   taat-maxscore 5.0 ms, bmp 6.8 ms, uncompressed exhaustive baseline 11.5 ms
 *                 (2.3x vs 1.7x);
 *   top-1000 p50: taat-maxscore 20.2 ms, bmp 51.8 ms, baseline 12.7 ms (0.63x vs 0.25x).
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
