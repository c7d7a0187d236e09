/**
 * The one place that maps algorithm names to implementations (CLI, bench and server all ask
 * here). Default: 'bmp', chosen by `npm run bench:engine -- --docs 1000000 --vocab 30522`
 * (synthetic SPLADE-like corpus, cluster-reordered doc ids, 200 queries of ~44 terms, 2-core
 * shared machine, 2026-11-25): top-10 p50 5.9 ms vs 11.5 ms for the uncompressed exhaustive
 * baseline (1.9x) and 44 ms for MaxScore (vocab 128,256: 7.4 vs 13.0 ms, MaxScore 40 ms).
 * MaxScore loses because SPLADE queries carry many long lists whose bounds never drop below the
 * threshold, so it walks them document at a time.
 * Caveat measured in the same run: at top-1000 BMP needs 61 ms (0.2x the baseline) because the
 * threshold stays low and it ends up scoring about half the doc space block by block; callers
 * asking for large k may prefer 'exhaustive' until that is fixed.
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
