/**
 * The two ways a search is answered, from a resolved manifest and a quantized query to located hits:
 * exact (every shard, exact top-k, exact-path.ts) and approximate (routed to a few clusters,
 * approximate-path.ts). Both take the filter as each shard's doc set and apply it inside top-k, and both
 * compute the top `window` hits (the page is cut from them). An approximate request with a filter is
 * answered as filter-strategy.ts decides (a scan of the few clusters holding its documents, exact search,
 * or approximate search that skips clusters without them), and exactly when approximate search finds
 * fewer passing hits than asked while more documents pass; unreadable approximate files are answered
 * exactly too. Each such turn is said in `approximation`.
 */
import { type ApproximateParams, defaultApproximateParams } from '../../shared/approximate/search.ts';
import { type DocSet, emptyDocSet } from '../../shared/engine/doc-set.ts';
import { CspladeError } from '../../shared/errors.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { dequantizeScore } from '../../shared/sparse/quantize.ts';
import type { ApproximatePath } from './approximate-path.ts';
import type { QueryIo } from './byte-tiers.ts';
import type { ShardFilter } from './doc-values-path.ts';
import { IndexUnavailableError } from './errors.ts';
import type { ExactPath, FailedShard } from './exact-path.ts';
import { type ExplainTerm, explainHit, explainVector } from './explain.ts';
import { chooseStrategy, coverageOf, type FilterDecision } from './filter-strategy.ts';
import type { Located } from './hit-details.ts';
import type { PhaseTimer } from './phase-timer.ts';

/** A query ready to score: its terms with float and quantized weights, and how to scale scores back. */
export interface PreparedQuery {
  readonly terms: readonly { term: number; weight: number; quantized: number }[];
  readonly quantized: { readonly terms: Uint32Array; readonly impacts: ArrayLike<number> };
  readonly queryScale: number;
  readonly tokenOf: (term: number) => string;
}

export interface RunInput {
  readonly manifest: IndexManifest;
  readonly query: PreparedQuery;
  /** Hits to compute: from + k (pages are cut from them). */
  readonly window: number;
  readonly io: QueryIo;
  readonly timer: PhaseTimer;
  /** Per shard, the filter's doc set or its failure (absent: no filter). */
  readonly filters?: Promise<ShardFilter[]>;
}

export interface RunResult {
  readonly mode: 'exact' | 'approximate';
  readonly located: Located[];
  readonly failed: FailedShard[];
  /** Approximate answers: how they were cut; filtered ones: how the filter was applied. */
  readonly approximation?: Record<string, unknown>;
}

export class SearchRuns {
  constructor(
    private readonly exactPath: ExactPath,
    private readonly approximatePath: ApproximatePath,
  ) {}

  async exact(input: RunInput): Promise<RunResult> {
    const { manifest, query, window, io, timer } = input;
    const { hits, failed } = await this.exactPath.search(manifest, query.terms, window, io, {
      filters: input.filters,
      timer,
    });
    if (manifest.shards.length > 0 && new Set(failed.map((f) => f.shard)).size === manifest.shards.length) {
      throw new IndexUnavailableError(
        'no_shard_answered',
        `no shard of ${manifest.index} ${manifest.version} answered: ${failed.map((f) => `${f.shard}: ${f.message}`).join('; ')}`,
      );
    }
    const shardIndex = new Map(manifest.shards.map((s, i) => [s.key, i]));
    const located = hits.map((h) => ({
      hit: { id: h.answer.reader.externalId(h.local), score: scoreOf(manifest, query, h.score) },
      shard: shardIndex.get(h.answer.entry.key)!,
      local: h.local,
      explain: (): ExplainTerm[] =>
        explainHit(
          {
            terms: query.terms,
            postings: h.answer.postings,
            indexScale: manifest.impact.scale,
            queryScale: query.queryScale,
            tokenOf: query.tokenOf,
          },
          h.local,
        ),
    }));
    return { mode: 'exact', located, failed };
  }

  async approximate(
    input: RunInput,
    params: ApproximateParams,
    routing: Promise<Uint8Array | null> | undefined,
  ): Promise<RunResult> {
    const { manifest, io, timer } = input;
    let failed: FailedShard[] = [];
    let accept: DocSet[] | undefined;
    let decision: FilterDecision | undefined;
    let used = params;
    if (input.filters) {
      const outcomes = await timer.time('fetch', input.filters);
      ({ accept, failed } = setsOf(manifest, outcomes, this.exactPath));
      decision = timer.timeSync('plan', () => chooseStrategy(coverageOf(manifest, accept!)));
      const filterNote = { filter: describeDecision(decision) };
      if (decision.strategy === 'exact') return this.#exactInstead(input, filterNote);
      if (decision.strategy === 'scan')
        used = { ...params, level: 'clusters', scanAll: true, maxUnits: Infinity };
    }
    let answer: Awaited<ReturnType<ApproximatePath['search']>>;
    try {
      const q = {
        terms: input.query.quantized.terms,
        weights: Uint32Array.from(input.query.quantized.impacts),
      };
      answer = await this.approximatePath.search(manifest, q, input.window, used, io, routing, {
        accept,
        timer,
      });
    } catch (error) {
      if (!(error instanceof CspladeError)) throw error;
      // Unreadable approximate files: answer exactly rather than not at all, and say why.
      const shard = manifest.approximate?.routing.key ?? manifest.index;
      const result = await this.exact(input);
      // Shards whose filter failed are reported by the exact path itself.
      return { ...result, failed: [{ shard, code: error.code, message: error.message }, ...result.failed] };
    }
    const located = answer.hits.map((h) => ({
      hit: { id: h.id, score: scoreOf(manifest, input.query, h.score) },
      shard: h.shard,
      local: h.doc - manifest.shards[h.shard].docBase,
      explain: () =>
        explainVector(
          input.query.terms,
          h.vector(),
          manifest.impact.scale,
          input.query.queryScale,
          input.query.tokenOf,
        ),
    }));
    const approximation = approximationOf(answer.stats, used, decision);
    if (decision && decision.strategy === 'approximate' && located.length < input.window) {
      if (decision.matchingDocs > located.length) {
        const note = { ...approximation, filter: { ...describeDecision(decision), fallback: 'exact' } };
        return this.#exactInstead(input, note);
      }
    }
    return { mode: 'approximate', located, failed, approximation };
  }

  /** Answers exactly (the exact path reports shards whose filter failed again, by itself). */
  async #exactInstead(input: RunInput, approximation: Record<string, unknown>): Promise<RunResult> {
    return { ...(await this.exact(input)), approximation };
  }
}

function scoreOf(manifest: IndexManifest, query: PreparedQuery, score: number): number {
  return dequantizeScore(score, manifest.impact.scale, query.queryScale);
}

/** Doc sets per shard (a shard whose filter failed passes nothing and is reported). */
function setsOf(
  manifest: IndexManifest,
  outcomes: readonly ShardFilter[],
  exact: ExactPath,
): { accept: DocSet[]; failed: FailedShard[] } {
  const failed: FailedShard[] = [];
  const accept = outcomes.map((o, s) => {
    if ('set' in o) return o.set;
    failed.push(exact.failure(manifest.shards[s], o.error));
    return emptyDocSet(manifest.shards[s].numDocs);
  });
  return { accept, failed };
}

function describeDecision(d: FilterDecision): Record<string, unknown> {
  return {
    strategy: d.strategy,
    reason: d.reason,
    matching_docs: d.matchingDocs,
    matching_clusters: d.matchingClusters,
    total_clusters: d.totalClusters,
  };
}

function approximationOf(
  stats: Awaited<ReturnType<ApproximatePath['search']>>['stats'],
  params: ApproximateParams,
  decision: FilterDecision | undefined,
): Record<string, unknown> {
  return {
    level: stats.level,
    heap_factor: params.heapFactor,
    budget: Number.isFinite(params.maxUnits) ? params.maxUnits : null,
    candidates: stats.candidates,
    units_scored: stats.unitsScored,
    docs_scored: stats.docsScored,
    waves: stats.waves,
    records_fetched: stats.recordsFetched,
    ...(decision ? { filter: describeDecision(decision) } : {}),
  };
}

/** The approximate parameters of a request: the defaults for its window, then its own overrides. */
export function approximateParamsOf(window: number, heapFactor?: number, budget?: number): ApproximateParams {
  return {
    ...defaultApproximateParams(window),
    ...(heapFactor !== undefined ? { heapFactor } : {}),
    ...(budget !== undefined ? { maxUnits: budget } : {}),
  };
}
