/**
 * One search, from validated parameters to the response body: resolve the version once (CURRENT or the
 * pinned one), encode the query with that version's encoder, quantize it, then search every shard
 * concurrently (open = one hot-region read, postings = at most a few planned range reads, both cached in
 * the isolate), each with a deadline and one retry. Scoring is synchronous once a shard's bytes are in.
 * The global top-k is merged from the shards' top-k; shards that fail are named in `shards.failed`
 * (partial results), and when none answers the request fails with 503 — never a silent wrong answer.
 */
import { mergeTopK } from '../../shared/engine/merge.ts';
import { DEFAULT_ALGORITHM, getAlgorithm } from '../../shared/engine/registry.ts';
import type { TopKAlgorithm, TopKResult } from '../../shared/engine/types.ts';
import { CspladeError } from '../../shared/errors.ts';
import type { IndexManifest, ShardEntry } from '../../shared/index/manifest.ts';
import type { PostingList } from '../../shared/postings/posting-list.ts';
import type { ShardReader } from '../../shared/shard/reader.ts';
import { dequantizeScore, quantizeQuery } from '../../shared/sparse/quantize.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { ApiError, invalidField } from '../http/api-error.ts';
import type { SearchParams } from '../http/search-request.ts';
import { isRetryable, withRetry } from './attempts.ts';
import type { IndexCatalog } from './catalog.ts';
import { type ExplainTerm, explainHit } from './explain.ts';
import { meteredStore, type RequestCost } from './metered-store.ts';
import type { QueryCodecs } from './query-codec.ts';
import { type BlobRange, DEFAULT_READ_PLAN, planReads, type ReadPlanOptions } from './read-plan.ts';
import type { ShardPool } from './shard-pool.ts';

export interface SearchServiceOptions {
  /** Deadline of one attempt at one shard (ms). */
  readonly shardTimeoutMs: number;
  /** Most terms an encoded text query may have. */
  readonly maxQueryTerms: number;
  /** Top-k algorithm name from shared/engine/registry.ts. */
  readonly algorithm?: string;
  /** Bits of the per-query quantization (default 8, as the engine benchmark). */
  readonly queryBits?: number;
  readonly now: () => number;
  /**
   * Most store requests one query may make (a Worker has 50 subrequests per request on the free plan,
   * 1,000 on paid ones). The postings read plan stays within what is left; a shard with postings to
   * fetch always gets at least one read (correct hits come before the budget).
   */
  readonly subrequestBudget?: number;
  /** How postings reads are planned (read-plan.ts). */
  readonly readPlan?: ReadPlanOptions;
}

export interface Hit {
  readonly id: string;
  readonly score: number;
  fields?: Record<string, unknown>;
  explain?: ExplainTerm[];
}

export interface FailedShard {
  readonly shard: string;
  readonly code: string;
  readonly message: string;
}

export interface SearchResponse {
  readonly index: string;
  readonly version: string;
  readonly took_ms: number;
  readonly hits: Hit[];
  readonly shards: { readonly total: number; readonly ok: number; readonly failed: FailedShard[] };
  debug?: Record<string, unknown>;
}

interface ShardAnswer {
  readonly entry: ShardEntry;
  readonly reader: ShardReader;
  readonly postings: Map<number, PostingList>;
  readonly top: TopKResult;
  /** Time of the synchronous top-k alone (Workers clocks only advance on I/O: 0 there). */
  readonly scoreMs: number;
}

interface QueryTerm {
  readonly term: number;
  readonly weight: number;
  readonly quantized: number;
}

const DEFAULT_QUERY_BITS = 8;

export class SearchService {
  readonly #algorithm: TopKAlgorithm;

  constructor(
    private readonly store: ObjectStore,
    private readonly catalog: IndexCatalog,
    private readonly codecs: QueryCodecs,
    private readonly shards: ShardPool,
    private readonly options: SearchServiceOptions,
  ) {
    this.#algorithm = getAlgorithm(options.algorithm ?? DEFAULT_ALGORITHM);
  }

  async search(index: string, params: SearchParams): Promise<{ body: SearchResponse; cost: RequestCost }> {
    const started = this.options.now();
    const { store, cost } = meteredStore(this.store);
    const manifest = await this.catalog.resolve(store, index, params.version);
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

    const encodedAt = this.options.now();
    const failed: FailedShard[] = [];
    const answers: ShardAnswer[] = [];
    // 1. Open every shard (a hot-region read unless the isolate has it), each with a deadline and a retry.
    const opening = await Promise.allSettled(
      manifest.shards.map((entry) =>
        withRetry(() => this.#open(manifest, entry, store, cost), {
          timeoutMs: this.options.shardTimeoutMs,
          shard: entry.key,
          beforeRetry: () => this.shards.forget(entry.key),
        }),
      ),
    );
    const open: { entry: ShardEntry; reader: ShardReader; terms: QueryTerm[] }[] = [];
    opening.forEach((result, i) => {
      const entry = manifest.shards[i];
      if (result.status === 'rejected') failed.push(this.#failure(entry, result.reason));
      else
        open.push({ entry, reader: result.value, terms: terms.filter((t) => result.value.termInfo(t.term)) });
    });
    // 2. One plan for the postings reads of all shards, within what the subrequest budget leaves.
    const plan = planReads(
      open.map((o) =>
        this.shards.missingBlobs(
          o.entry,
          o.reader,
          o.terms.map((t) => t.term),
        ),
      ),
      this.#ceiling(manifest) - cost.subrequests,
      this.options.readPlan ?? DEFAULT_READ_PLAN,
    );
    // 3. Fetch and score each shard; scoring is synchronous once its bytes are in.
    const scored = await Promise.allSettled(
      open.map((o, i) =>
        withRetry(() => this.#fetchAndScore(o.entry, o.reader, o.terms, plan.reads[i], params.k, store), {
          timeoutMs: this.options.shardTimeoutMs,
          shard: o.entry.key,
        }),
      ),
    );
    scored.forEach((result, i) => {
      if (result.status === 'fulfilled') answers.push(result.value);
      else failed.push(this.#failure(open[i].entry, result.reason));
    });
    if (manifest.shards.length > 0 && answers.length === 0) {
      throw new ApiError(
        503,
        'no_shard_answered',
        `no shard of ${index} ${manifest.version} answered: ${failed.map((f) => `${f.shard}: ${f.message}`).join('; ')}`,
      );
    }

    const searchedAt = this.options.now();
    let hits = this.#merge(answers, params.k, manifest.impact.scale, queryScale);
    if (params.fields.length > 0) {
      // Stored-field reads happen inside the reader (offsets table, then records): count the fallback
      // reads made meanwhile. Exact when requests do not overlap; concurrent ones may share the count.
      const before = {
        subrequests: this.shards.fallbackCost.subrequests,
        bytes: this.shards.fallbackCost.bytes,
      };
      const lost = await this.#attachFields(hits, params.fields);
      if (lost.length > 0) {
        failed.push(...lost);
        const lostKeys = new Set(lost.map((f) => f.shard));
        const kept = answers.filter((a) => !lostKeys.has(a.entry.key));
        hits = this.#merge(kept, params.k, manifest.impact.scale, queryScale);
        await this.#attachFields(hits, params.fields);
      }
      cost.add(
        this.shards.fallbackCost.subrequests - before.subrequests,
        this.shards.fallbackCost.bytes - before.bytes,
      );
    }
    const body: SearchResponse = {
      index,
      version: manifest.version,
      took_ms: 0,
      hits: hits.map(({ hit, answer, local }) => {
        if (params.explain) {
          hit.explain = explainHit(
            {
              terms,
              postings: answer.postings,
              indexScale: manifest.impact.scale,
              queryScale,
              tokenOf: (t) => codec.tokenOf(t),
            },
            local,
          );
        }
        return hit;
      }),
      shards: { total: manifest.shards.length, ok: manifest.shards.length - failed.length, failed },
    };
    (body as { took_ms: number }).took_ms = Math.max(0, this.options.now() - started);
    if (params.debug) {
      body.debug = {
        subrequests: cost.subrequests,
        bytes: cost.bytes,
        cache_hits: cost.cacheHits,
        algorithm: this.#algorithm.name,
        query_terms: terms.length,
        query_scale: queryScale,
        cached_bytes: this.shards.cachedBytes,
        timings_ms: {
          resolve_and_encode: encodedAt - started,
          shards: searchedAt - encodedAt,
          score_sum: answers.reduce((n, a) => n + a.scoreMs, 0),
          merge_fields_explain: this.options.now() - searchedAt,
        },
      };
    }
    return { body, cost };
  }

  async #open(
    manifest: IndexManifest,
    entry: ShardEntry,
    store: ObjectStore,
    cost: RequestCost,
  ): Promise<ShardReader> {
    const reader = await this.shards.open(entry, store, cost);
    if (
      reader.docBase !== entry.docBase ||
      reader.numDocs !== entry.numDocs ||
      reader.stats.indexScale !== manifest.impact.scale
    ) {
      throw new CspladeError(
        'shard_mismatch',
        `shard ${entry.key} holds docs ${reader.docBase}+${reader.numDocs} at scale ${reader.stats.indexScale}, ` +
          `but the manifest says ${entry.docBase}+${entry.numDocs} at scale ${manifest.impact.scale}`,
      );
    }
    return reader;
  }

  async #fetchAndScore(
    entry: ShardEntry,
    reader: ShardReader,
    terms: readonly QueryTerm[],
    reads: readonly BlobRange[],
    k: number,
    store: ObjectStore,
  ): Promise<ShardAnswer> {
    const postings = await this.shards.postings(
      entry,
      reader,
      terms.map((t) => t.term),
      reads,
      store,
    );
    // Synchronous from here: every byte is in memory.
    const scoring = this.options.now();
    const top = this.#algorithm.search({
      numDocs: reader.numDocs,
      terms: terms.map((t) => ({ term: t.term, weight: t.quantized, postings: postings.get(t.term)! })),
      k,
    });
    return { entry, reader, postings, top, scoreMs: this.options.now() - scoring };
  }

  /**
   * Most store requests this query may make: the configured budget, and for the default plan
   * 1 + (1 + maxReadsPerShard) × shards (manifest, hot region and postings reads per shard).
   */
  #ceiling(manifest: IndexManifest): number {
    const perShard = (this.options.readPlan ?? DEFAULT_READ_PLAN).maxReadsPerShard;
    return Math.min(this.options.subrequestBudget ?? 50, 1 + (1 + perShard) * manifest.shards.length);
  }

  #merge(answers: readonly ShardAnswer[], k: number, indexScale: number, queryScale: number) {
    const sorted = [...answers].sort((a, b) => a.entry.docBase - b.entry.docBase);
    const merged = mergeTopK(
      sorted.map((a) => ({ docs: a.top.docs.map((d) => d + a.entry.docBase), scores: a.top.scores })),
      k,
    );
    return Array.from(merged.docs, (doc, i) => {
      const answer = shardOf(sorted, doc);
      const local = doc - answer.entry.docBase;
      const hit: Hit = {
        id: answer.reader.externalId(local),
        score: dequantizeScore(merged.scores[i], indexScale, queryScale),
      };
      return { hit, answer, local };
    });
  }

  /** Attaches stored fields to hits; returns the shards whose records could not be read. */
  async #attachFields(
    hits: { hit: Hit; answer: ShardAnswer; local: number }[],
    fields: readonly string[],
  ): Promise<FailedShard[]> {
    const byShard = new Map<ShardAnswer, { hit: Hit; local: number }[]>();
    for (const h of hits) {
      const list = byShard.get(h.answer) ?? [];
      list.push(h);
      byShard.set(h.answer, list);
    }
    const lost: FailedShard[] = [];
    await Promise.all(
      [...byShard].map(async ([answer, list]) => {
        if (!answer.reader.hasStoredFields) {
          for (const h of list) h.hit.fields = {};
          return;
        }
        try {
          const docs = await withRetry(() => answer.reader.storedFields(list.map((h) => h.local)), {
            timeoutMs: this.options.shardTimeoutMs,
            shard: answer.entry.key,
          });
          list.forEach((h, i) => {
            const record = docs[i] as unknown as Record<string, unknown>;
            const picked: Record<string, unknown> = {};
            for (const f of fields) if (record[f] !== undefined) picked[f] = record[f];
            h.hit.fields = picked;
          });
        } catch (error) {
          lost.push(this.#failure(answer.entry, error));
        }
      }),
    );
    return lost;
  }

  #failure(entry: ShardEntry, error: unknown): FailedShard {
    if (!isRetryable(error)) this.shards.forget(entry.key);
    if (error instanceof CspladeError) return { shard: entry.key, code: error.code, message: error.message };
    return { shard: entry.key, code: 'shard_error', message: `shard ${entry.key} failed: ${String(error)}` };
  }
}

/** The answer whose doc range holds global doc `doc` (answers sorted by docBase). */
function shardOf(sorted: readonly ShardAnswer[], doc: number): ShardAnswer {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (sorted[mid].entry.docBase <= doc) lo = mid;
    else hi = mid - 1;
  }
  return sorted[lo];
}
