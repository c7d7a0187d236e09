/**
 * One search, from validated parameters to the response body: resolve the version once (CURRENT or the
 * pinned one), encode the query with that version's encoder, quantize it, then answer in the request's
 * mode — exact (every shard, exact top-k, exact-path.ts) or approximate (routed to a few clusters,
 * approximate-path.ts) — and attach stored fields and explanations. Every byte goes through the byte
 * tiers with the request's own metered store (and, in benchmarks, its network-model session), so the
 * cost report is the whole truth. An approximate request whose files turn out unreadable is answered
 * exactly and says so; shards that fail are named in `shards.failed` (partial results), and when none
 * answers the request fails with 503 — never a silent wrong answer.
 */
import { type ApproximateParams, defaultApproximateParams } from '../../shared/approximate/search.ts';
import { DEFAULT_ALGORITHM, getAlgorithm } from '../../shared/engine/registry.ts';
import type { TopKAlgorithm } from '../../shared/engine/types.ts';
import { CspladeError } from '../../shared/errors.ts';
import type { IndexManifest } from '../../shared/index/manifest.ts';
import { dequantizeScore, quantizeQuery } from '../../shared/sparse/quantize.ts';
import type { NetworkModel } from '../../shared/store/network-model.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { ApiError, invalidField } from '../http/api-error.ts';
import type { SearchMode, SearchParams } from '../http/search-request.ts';
import { type ApproximateAnswer, type ApproximatePath, NoApproximateIndexError } from './approximate-path.ts';
import type { ByteTiers, QueryIo } from './byte-tiers.ts';
import type { IndexCatalog } from './catalog.ts';
import { type ExactHit, ExactPath, type FailedShard } from './exact-path.ts';
import { type ExplainTerm, explainHit, explainVector } from './explain.ts';
import { meteredStore, type RequestCost } from './metered-store.ts';
import type { QueryCodecs } from './query-codec.ts';
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
}

export type { FailedShard } from './exact-path.ts';

export interface Hit {
  readonly id: string;
  readonly score: number;
  fields?: Record<string, unknown>;
  explain?: ExplainTerm[];
}

export interface SearchResponse {
  readonly index: string;
  readonly version: string;
  readonly mode: SearchMode;
  readonly took_ms: number;
  readonly hits: Hit[];
  readonly shards: { readonly total: number; readonly ok: number; readonly failed: FailedShard[] };
  /** Approximate answers: how the answer was cut (always with explain or debug). */
  approximation?: Record<string, unknown>;
  debug?: Record<string, unknown>;
}

interface QueryTerm {
  readonly term: number;
  readonly weight: number;
  readonly quantized: number;
}

/** A hit before fields and explain: where it lives and how to explain it. */
interface Located {
  readonly hit: Hit;
  readonly shard: number;
  readonly local: number;
  readonly explain: () => ExplainTerm[];
}

const DEFAULT_QUERY_BITS = 8;

export class SearchService {
  readonly #algorithm: TopKAlgorithm;
  readonly #exact: ExactPath;

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

  async search(
    index: string,
    params: SearchParams,
    defer?: (task: Promise<unknown>) => void,
  ): Promise<{ body: SearchResponse; cost: RequestCost }> {
    const started = this.options.now();
    const io = this.io(defer);
    const store = this.tiers.view(io);
    // The routing object's key follows from the version: read it while the manifest is read (one round
    // trip less for a cold approximate query) — when the request asks for approximate search, or names no
    // mode and this isolate already knows the version defaults to it.
    let routing: Promise<Uint8Array | null> | undefined;
    const manifest = await this.catalog.resolve(store, index, params.version, (version) => {
      const known = this.catalog.cachedManifest(index, version);
      const approximate =
        params.mode === 'approximate' ||
        (params.mode === undefined && known?.approximate?.defaultMode === 'approximate');
      if (approximate) routing = this.approximate.prefetchRouting(index, version, io);
    });
    const codec = await this.codecs.forManifest(store, manifest);
    const vector =
      params.query !== undefined ? await codec.encodeText(params.query) : codec.vectorOf(params.vector!);
    if (vector.terms.length > this.options.maxQueryTerms) {
      throw invalidField(
        params.query !== undefined ? 'query' : 'vector',
        `encodes to ${vector.terms.length} terms, more than the limit of ${this.options.maxQueryTerms}`,
      );
    }
    const { vector: quantized, scale: queryScale } = quantizeQuery(
      vector,
      this.options.queryBits ?? DEFAULT_QUERY_BITS,
    );
    const terms: QueryTerm[] = Array.from(quantized.terms, (term, i) => ({
      term,
      weight: vector.weights[i],
      quantized: quantized.impacts[i],
    }));
    const requested: SearchMode = params.mode ?? manifest.approximate?.defaultMode ?? 'exact';
    if (requested === 'approximate' && !manifest.approximate) {
      throw invalidField('mode', new NoApproximateIndexError(index, manifest.version).message);
    }
    const encodedAt = this.options.now();
    const scaleOf = (score: number) => dequantizeScore(score, manifest.impact.scale, queryScale);
    const tokenOf = (t: number) => codec.tokenOf(t);

    let mode = requested;
    let failed: FailedShard[] = [];
    let located: Located[];
    let approximation: ApproximateAnswer['stats'] | undefined;
    let approximateParams: ApproximateParams | undefined;
    if (requested === 'approximate') {
      approximateParams = {
        ...defaultApproximateParams(params.k),
        ...(params.heapFactor !== undefined ? { heapFactor: params.heapFactor } : {}),
        ...(params.budget !== undefined ? { maxUnits: params.budget } : {}),
      };
      try {
        const answer = await this.approximate.search(
          manifest,
          { terms: quantized.terms, weights: Uint32Array.from(quantized.impacts) },
          params.k,
          approximateParams,
          io,
          routing,
        );
        approximation = answer.stats;
        located = answer.hits.map((h) => ({
          hit: { id: h.id, score: scaleOf(h.score) },
          shard: h.shard,
          local: h.doc - manifest.shards[h.shard].docBase,
          explain: () => explainVector(terms, h.vector(), manifest.impact.scale, queryScale, tokenOf),
        }));
      } catch (error) {
        if (!(error instanceof CspladeError)) throw error;
        // Unreadable approximate files: answer exactly rather than not at all, and say why.
        mode = 'exact';
        failed.push({
          shard: manifest.approximate?.routing.key ?? index,
          code: error.code,
          message: error.message,
        });
        located = await this.#searchExact(
          manifest,
          terms,
          params.k,
          io,
          failed,
          scaleOf,
          tokenOf,
          queryScale,
        );
      }
    } else {
      located = await this.#searchExact(manifest, terms, params.k, io, failed, scaleOf, tokenOf, queryScale);
    }
    const searchedAt = this.options.now();
    if (params.fields.length > 0) {
      const lost = await this.#attachFields(manifest, located, params.fields, io);
      if (lost.length > 0) {
        failed = [...failed, ...lost];
        const lostShards = new Set(lost.map((f) => f.shard));
        located = located.filter((l) => !lostShards.has(manifest.shards[l.shard].key));
      }
    }
    const body: SearchResponse = {
      index,
      version: manifest.version,
      mode,
      took_ms: 0,
      hits: located.map((l) => {
        if (params.explain) l.hit.explain = l.explain();
        return l.hit;
      }),
      shards: {
        total: manifest.shards.length,
        ok: manifest.shards.length - new Set(failed.map((f) => f.shard)).size,
        failed,
      },
    };
    if (approximation && approximateParams && (params.explain || params.debug)) {
      body.approximation = {
        level: approximation.level,
        heap_factor: approximateParams.heapFactor,
        budget: Number.isFinite(approximateParams.maxUnits) ? approximateParams.maxUnits : null,
        candidates: approximation.candidates,
        units_scored: approximation.unitsScored,
        docs_scored: approximation.docsScored,
        waves: approximation.waves,
        records_fetched: approximation.recordsFetched,
      };
    }
    (body as { took_ms: number }).took_ms = Math.max(0, this.options.now() - started);
    if (params.debug) {
      body.debug = {
        subrequests: io.cost.subrequests,
        bytes: io.cost.bytes,
        cache_hits: io.cost.cacheHitsByTier,
        algorithm: mode === 'exact' ? this.#algorithm.name : 'approximate',
        query_terms: terms.length,
        query_scale: queryScale,
        hedged_reads: io.hedges ?? 0,
        cached_bytes: { ...this.shards.cachedBytes, approximate: this.approximate.cachedBytes },
        network: io.session
          ? {
              peak_connections: io.session.peakConnections,
              waited_ms: io.session.waitedMs,
              trace: io.session.trace,
            }
          : null,
        timings_ms: {
          resolve_and_encode: encodedAt - started,
          search: searchedAt - encodedAt,
          fields_explain: this.options.now() - searchedAt,
        },
      };
    }
    return { body, cost: io.cost };
  }

  /**
   * Reads what a version's first queries need — manifest, encoder assets, routing object, every shard's
   * hot region — into this isolate and the shared cache, so the first user after a publish does not pay
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
    return { index, version: manifest.version, subrequests: io.cost.subrequests, bytes: io.cost.bytes };
  }

  async #searchExact(
    manifest: IndexManifest,
    terms: readonly QueryTerm[],
    k: number,
    io: QueryIo,
    failed: FailedShard[],
    scaleOf: (score: number) => number,
    tokenOf: (term: number) => string,
    queryScale: number,
  ): Promise<Located[]> {
    const { hits, failed: lost } = await this.#exact.search(manifest, terms, k, io);
    failed.push(...lost);
    if (manifest.shards.length > 0 && lost.length === manifest.shards.length) {
      throw new ApiError(
        503,
        'no_shard_answered',
        `no shard of ${manifest.index} ${manifest.version} answered: ${lost.map((f) => `${f.shard}: ${f.message}`).join('; ')}`,
      );
    }
    const shardIndex = new Map(manifest.shards.map((s, i) => [s.key, i]));
    return hits.map((h: ExactHit) => ({
      hit: { id: h.answer.reader.externalId(h.local), score: scaleOf(h.score) },
      shard: shardIndex.get(h.answer.entry.key)!,
      local: h.local,
      explain: () =>
        explainHit(
          { terms, postings: h.answer.postings, indexScale: manifest.impact.scale, queryScale, tokenOf },
          h.local,
        ),
    }));
  }

  /** Attaches stored fields to hits; returns the shards whose records could not be read. */
  async #attachFields(
    manifest: IndexManifest,
    located: readonly Located[],
    fields: readonly string[],
    io: QueryIo,
  ): Promise<FailedShard[]> {
    const byShard = new Map<number, Located[]>();
    for (const l of located) byShard.set(l.shard, [...(byShard.get(l.shard) ?? []), l]);
    const lost: FailedShard[] = [];
    await Promise.all(
      [...byShard].map(async ([shard, list]) => {
        const entry = manifest.shards[shard];
        try {
          const reader = await this.shards.open(entry, io);
          if (!reader.hasStoredFields) {
            for (const l of list) l.hit.fields = {};
            return;
          }
          const docs = await this.shards.storedFields(
            entry,
            reader,
            list.map((l) => l.local),
            io,
          );
          list.forEach((l, i) => {
            const record = docs[i] as unknown as Record<string, unknown>;
            const picked: Record<string, unknown> = {};
            for (const f of fields) if (record[f] !== undefined) picked[f] = record[f];
            l.hit.fields = picked;
          });
        } catch (error) {
          lost.push(this.#exact.failure(entry, error));
        }
      }),
    );
    return lost;
  }
}
