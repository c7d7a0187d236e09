/**
 * One search, from validated parameters to the response body: resolve the version once (CURRENT or the
 * pinned one), encode the query with that version's encoder and quantize it, parse the filter against
 * the version's filterable fields (and start compiling it while shards open), answer in the request's
 * mode (search-runs.ts) over the window from + k, cut the page, and attach what the page's hits show
 * (hit-details.ts). Every byte goes through the byte tiers with the request's own metered store (and, in
 * benchmarks, its network-model session), so the cost report is the whole truth; the phase timer says
 * where the time went (Server-Timing). Shards that fail are named in `shards.failed` (partial results);
 * when none answers the search fails (IndexUnavailableError `no_shard_answered`), never a silent wrong
 * answer.
 */
import { FilterError, type FilterNode, filterFields, parseFilter } from '../../shared/docvalues/filter.ts';
import { DEFAULT_ALGORITHM, getAlgorithm } from '../../shared/engine/registry.ts';
import type { TopKAlgorithm } from '../../shared/engine/types.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { quantizeQuery } from '../../shared/sparse/quantize.ts';
import type { NetworkModel } from '../../shared/store/network-model.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { type ApproximatePath, NoApproximateIndexError } from './approximate-path.ts';
import type { ByteTiers, QueryIo } from './byte-tiers.ts';
import type { IndexCatalog } from './catalog.ts';
import { DocValuesPath } from './doc-values-path.ts';
import { InvalidSearchFieldError } from './errors.ts';
import { ExactPath, type FailedShard } from './exact-path.ts';
import { type Hit, HitDetails, type Located } from './hit-details.ts';
import { meteredStore, type RequestCost } from './metered-store.ts';
import { PhaseTimer } from './phase-timer.ts';
import type { QueryCodec, QueryCodecs } from './query-codec.ts';
import type { SearchMode, SearchParams } from './search-params.ts';
import {
  approximateParamsOf,
  type PreparedQuery,
  type RunInput,
  type RunResult,
  SearchRuns,
} from './search-runs.ts';
import type { ShardPool } from './shard-pool.ts';

export interface SearchServiceOptions {
  /** Deadline of one attempt at one shard (ms). */
  readonly shardTimeoutMs: number;
  /** Most terms an encoded text query may have. */
  readonly maxQueryTerms: number;
  /** Exact top-k algorithm name from shared/engine/registry.ts. */
  readonly algorithm?: string;
  /** Bits of the per-query quantization (default 8, as the engine benchmark). */
  readonly queryBits?: number;
  readonly now: () => number;
  /** Most store requests one query may make (a Worker's subrequests: 50 on the free plan). */
  readonly subrequestBudget?: number;
  /** Benchmarks and tests only: every request's store reads pay this model's latency and limits. */
  readonly network?: NetworkModel;
  /** Bytes of doc-values data (heads, compiled filters, text blocks) kept in the isolate. */
  readonly maxDocValuesBytes?: number;
}

export type { FailedShard } from './exact-path.ts';
export type { Hit } from './hit-details.ts';

export interface SearchResponse {
  readonly index: string;
  readonly version: string;
  readonly mode: SearchMode;
  readonly took_ms: number;
  readonly from: number;
  readonly hits: Hit[];
  readonly shards: { readonly total: number; readonly ok: number; readonly failed: FailedShard[] };
  /** Approximate answers: how the answer was cut (with explain or debug; with a filter, always). */
  approximation?: Record<string, unknown>;
  debug?: Record<string, unknown>;
}

/** What a search cost and how it went, for the response headers and the request log. */
export interface SearchOutcome {
  readonly body: SearchResponse;
  readonly cost: RequestCost;
  readonly timer: PhaseTimer;
  /** The filter's fields, when there was one (for logs: which fields, not which values). */
  readonly filterFields?: string[];
}

const DEFAULT_QUERY_BITS = 8;
/** Approximate pages are cut from a fixed window, so pages of one query agree (docs/search-at-scale.md). */
export const APPROXIMATE_PAGE_WINDOWS = [100, 1000] as const;

export class SearchService {
  readonly #algorithm: TopKAlgorithm;
  readonly #exact: ExactPath;
  readonly #runs: SearchRuns;
  readonly #docValues: DocValuesPath;
  readonly #details: HitDetails;

  constructor(
    private readonly store: ObjectStore,
    private readonly catalog: IndexCatalog,
    private readonly codecs: QueryCodecs,
    private readonly shards: ShardPool,
    private readonly tiers: ByteTiers,
    private readonly approximate: ApproximatePath,
    private readonly options: SearchServiceOptions,
  ) {
    this.#algorithm = getAlgorithm(options.algorithm ?? DEFAULT_ALGORITHM);
    this.#exact = new ExactPath(shards, tiers, this.#algorithm, options.shardTimeoutMs);
    this.#runs = new SearchRuns(this.#exact, approximate);
    this.#docValues = new DocValuesPath(tiers, options.maxDocValuesBytes ?? 8 * 1024 * 1024);
    this.#details = new HitDetails(shards, this.#docValues, (entry, error) =>
      this.#exact.failure(entry, error),
    );
  }

  /** The per-request view of the store: metered, within the budget, network-modelled when configured. */
  io(defer: (task: Promise<unknown>) => void = (task) => void task.catch(() => undefined)): QueryIo {
    const session = this.options.network?.session();
    const { store, cost } = meteredStore(session ? session.wrap(this.store) : this.store);
    const budget = Math.min(
      this.options.subrequestBudget ?? 50,
      session?.params.subrequestBudget ?? Infinity,
    );
    return { store, cost, session, budgetLeft: () => budget - cost.subrequests, defer };
  }

  /**
   * `shared`: the io of a multi-search, so its searches share one budget and cost report (the caches and
   * the reads in flight are the isolate's, shared anyway).
   */
  async search(
    index: string,
    params: SearchParams,
    defer?: (task: Promise<unknown>) => void,
    shared?: QueryIo,
  ): Promise<SearchOutcome> {
    const started = this.options.now();
    const timer = new PhaseTimer();
    const io = shared ?? this.io(defer);
    const store = this.tiers.view(io);
    const { manifest, routing } = await timer.time('plan', this.#resolve(index, params, io, store));
    const codec = await timer.time('encode', this.codecs.forManifest(store, manifest));
    const query = await timer.time('encode', this.#prepare(codec, params));
    const filter = params.filter === undefined ? undefined : filterOf(manifest, params.filter);
    checkStoredText(manifest, params);
    const mode = requestedMode(index, manifest, params);
    const window = windowOf(params, mode);
    const input: RunInput = {
      manifest,
      query,
      window,
      io,
      timer,
      ...(filter ? { filters: this.#docValues.filterSets(manifest, filter, io) } : {}),
    };
    const run =
      mode === 'approximate'
        ? await this.#runs.approximate(
            input,
            approximateParamsOf(window, params.heapFactor, params.budget),
            routing,
          )
        : await this.#runs.exact(input);
    const page = run.located.slice(params.from, params.from + params.k);
    const details = await timer.time(
      'merge',
      this.#details.attach(manifest, page, params, io, (words) => codec.termsOfWords(words)),
    );
    const body = responseOf(index, manifest, params, run, details, filter !== undefined);
    (body as { took_ms: number }).took_ms = Math.max(0, this.options.now() - started);
    if (params.debug) body.debug = this.#debug(io, run.mode, query, timer);
    return { body, cost: io.cost, timer, ...(filter ? { filterFields: filterFields(filter) } : {}) };
  }

  /**
   * The version's manifest (CURRENT or the pinned one) and, when the search will be approximate, the
   * routing object read alongside it: its key follows from the version, so it is read while the manifest
   * is (one round trip less for a cold approximate query) — when the request asks for approximate search,
   * or names no mode and this isolate already knows the version defaults to it.
   */
  async #resolve(
    index: string,
    params: SearchParams,
    io: QueryIo,
    store: ObjectStore,
  ): Promise<{ manifest: IndexManifest; routing: Promise<Uint8Array | null> | undefined }> {
    let routing: Promise<Uint8Array | null> | undefined;
    const manifest = await this.catalog.resolve(store, index, params.version, (version) => {
      const known = this.catalog.cachedManifest(index, version);
      const approximate =
        params.mode === 'approximate' ||
        (params.mode === undefined && known?.approximate?.defaultMode === 'approximate');
      if (approximate) routing = this.approximate.prefetchRouting(index, version, io);
    });
    return { manifest, routing };
  }

  /**
   * Reads what a version's first queries need — manifest, encoder assets, routing object, every shard's
   * hot region and doc-values head — into this isolate and the shared cache, so the first user after a publish does not pay
   * the cold path. Run by the Worker's scheduled handler and by POST /v1/indexes/:index/warm.
   */
  async warm(
    index: string,
    defer?: (task: Promise<unknown>) => void,
  ): Promise<{ index: string; version: string; subrequests: number; bytes: number }> {
    const io = this.io(defer);
    const store = this.tiers.view(io);
    const manifest = await this.catalog.resolve(store, index);
    await this.codecs.forManifest(store, manifest);
    await Promise.all(manifest.shards.map((entry) => this.shards.open(entry, io)));
    if (manifest.approximate) await this.approximate.warm(manifest, io);
    await this.#docValues.warm(manifest, io);
    return { index, version: manifest.version, subrequests: io.cost.subrequests, bytes: io.cost.bytes };
  }

  /** The query's sparse vector, quantized per query, within the term limit. */
  async #prepare(codec: QueryCodec, params: SearchParams): Promise<PreparedQuery> {
    const vector =
      params.query !== undefined ? await codec.encodeText(params.query) : codec.vectorOf(params.vector!);
    if (vector.terms.length > this.options.maxQueryTerms) {
      throw new InvalidSearchFieldError(
        params.query !== undefined ? 'query' : 'vector',
        `encodes to ${vector.terms.length} terms, more than the limit of ${this.options.maxQueryTerms}`,
      );
    }
    const { vector: quantized, scale } = quantizeQuery(vector, this.options.queryBits ?? DEFAULT_QUERY_BITS);
    return {
      terms: Array.from(quantized.terms, (term, i) => ({
        term,
        weight: vector.weights[i],
        quantized: quantized.impacts[i],
      })),
      quantized,
      queryScale: scale,
      tokenOf: (t) => codec.tokenOf(t),
    };
  }

  #debug(io: QueryIo, mode: SearchMode, query: PreparedQuery, timer: PhaseTimer): Record<string, unknown> {
    return {
      subrequests: io.cost.subrequests,
      bytes: io.cost.bytes,
      cache_hits: io.cost.cacheHitsByTier,
      algorithm: mode === 'exact' ? this.#algorithm.name : 'approximate',
      query_terms: query.terms.length,
      query_scale: query.queryScale,
      hedged_reads: io.hedges ?? 0,
      cached_bytes: {
        ...this.shards.cachedBytes,
        approximate: this.approximate.cachedBytes,
        doc_values: this.#docValues.cachedBytes,
      },
      network: io.session
        ? {
            peak_connections: io.session.peakConnections,
            waited_ms: io.session.waitedMs,
            trace: io.session.trace,
          }
        : null,
      timings_ms: { ...timer.ms },
    };
  }
}

/** The mode the request asks for (or the version's default); approximate only where the version has it. */
function requestedMode(index: string, manifest: IndexManifest, params: SearchParams): SearchMode {
  const mode: SearchMode = params.mode ?? manifest.approximate?.defaultMode ?? 'exact';
  if (mode === 'approximate' && !manifest.approximate) {
    throw new InvalidSearchFieldError('mode', new NoApproximateIndexError(index, manifest.version).message);
  }
  return mode;
}

/**
 * The response body of a run and its page's details (took_ms filled in last): the shards that failed in
 * either, and how an approximate answer was cut when the request asks (explain, debug) or has a filter.
 */
function responseOf(
  index: string,
  manifest: IndexManifest,
  params: SearchParams,
  run: RunResult,
  details: { kept: Located[]; failed: FailedShard[] },
  filtered: boolean,
): SearchResponse {
  const failed = [...run.failed, ...details.failed];
  const body: SearchResponse = {
    index,
    version: manifest.version,
    mode: run.mode,
    took_ms: 0,
    from: params.from,
    hits: details.kept.map((l) => l.hit),
    shards: {
      total: manifest.shards.length,
      ok: manifest.shards.length - new Set(failed.map((f) => f.shard)).size,
      failed,
    },
  };
  if (run.approximation && (params.explain || params.debug || filtered))
    body.approximation = run.approximation;
  return body;
}

/** The request's filter parsed against the version's filterable fields (an invalid field naming the place). */
function filterOf(manifest: IndexManifest, filter: Record<string, unknown>): FilterNode {
  try {
    return parseFilter(filter, manifest.filterable ?? {});
  } catch (error) {
    if (error instanceof FilterError) throw new InvalidSearchFieldError(error.field, error.message);
    throw error;
  }
}

function checkStoredText(manifest: IndexManifest, params: SearchParams): void {
  if (manifest.storedText) return;
  const field = params.snippet ? 'snippet' : params.fields.includes('text') ? 'fields' : undefined;
  if (field) {
    throw new InvalidSearchFieldError(
      field,
      `${manifest.index} ${manifest.version} stores no text (build it with csplade index --store-text)`,
    );
  }
}

/**
 * Hits to compute for a page: from + k. An approximate request that pages (names `from`) is computed over
 * a fixed window instead, the first of APPROXIMATE_PAGE_WINDOWS that holds its page, so every page within
 * that window is cut from the same ranking and pages never repeat or skip a hit.
 */
export function windowOf(params: SearchParams, mode: SearchMode): number {
  const end = params.from + params.k;
  if (mode !== 'approximate' || !params.paged) return end;
  return APPROXIMATE_PAGE_WINDOWS.find((w) => w >= end) ?? end;
}
