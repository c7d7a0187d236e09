/**
 * Exact search at the edge: every shard opened (one hot-region read each, unless the isolate has it),
 * the postings of the query's terms read with one plan for all shards (the read planner coalesces what
 * is near and keeps within the budget and the connections), each shard scored with the exact top-k
 * algorithm, the global top-k merged. Shards that fail are reported, not hidden (partial results).
 * With a filter, each shard's doc set (compiled while the shards open) goes into the engine, which
 * applies it inside top-k; a shard no document of which passes is not read at all.
 */

import { countDocs, type DocSet } from '../../shared/engine/doc-set.ts';
import { mergeTopK } from '../../shared/engine/merge.ts';
import type { TopKAlgorithm, TopKResult } from '../../shared/engine/types.ts';
import { CspladeError } from '../../shared/errors.ts';
import type { IndexManifest, ShardEntry } from '../../shared/index/manifest.ts';
import type { PostingList } from '../../shared/postings/posting-list.ts';
import type { ShardReader } from '../../shared/shard/reader.ts';
import { isRetryable, withRetry } from './attempts.ts';
import type { ByteTiers, QueryIo } from './byte-tiers.ts';
import type { ShardFilter } from './doc-values-path.ts';
import { PhaseTimer } from './phase-timer.ts';
import type { ShardPool } from './shard-pool.ts';

export interface ExactQueryTerm {
  readonly term: number;
  readonly quantized: number;
}

export interface ShardAnswer {
  readonly entry: ShardEntry;
  readonly reader: ShardReader;
  readonly postings: Map<number, PostingList>;
  readonly top: TopKResult;
}

export interface FailedShard {
  readonly shard: string;
  readonly code: string;
  readonly message: string;
}

export interface ExactHit {
  readonly doc: number;
  readonly score: number;
  readonly answer: ShardAnswer;
  readonly local: number;
}

export interface ExactOptions {
  /** Per shard, the filter's doc set (or why it could not be compiled): resolved while shards open. */
  readonly filters?: Promise<ShardFilter[]>;
  readonly timer?: PhaseTimer;
}

export class ExactPath {
  constructor(
    private readonly shards: ShardPool,
    private readonly tiers: ByteTiers,
    private readonly algorithm: TopKAlgorithm,
    private readonly shardTimeoutMs: number,
  ) {}

  async search(
    manifest: IndexManifest,
    terms: readonly ExactQueryTerm[],
    k: number,
    io: QueryIo,
    options: ExactOptions = {},
  ): Promise<{ hits: ExactHit[]; answers: ShardAnswer[]; failed: FailedShard[] }> {
    const failed: FailedShard[] = [];
    const timer = options.timer ?? new PhaseTimer();
    const fetchStarted = performance.now();
    // 1. Open every shard (a hot-region read unless the isolate has it), each with a deadline and a retry.
    const opening = await Promise.allSettled(
      manifest.shards.map((entry) =>
        withRetry(() => this.#open(manifest, entry, io), {
          timeoutMs: this.shardTimeoutMs,
          shard: entry.key,
          beforeRetry: () => this.shards.forget(entry.key),
        }),
      ),
    );
    const filters = options.filters ? await options.filters : undefined;
    const open: { entry: ShardEntry; reader: ShardReader; terms: ExactQueryTerm[]; accept?: DocSet }[] = [];
    opening.forEach((result, i) => {
      const entry = manifest.shards[i];
      const filter = filters?.[i];
      if (result.status === 'rejected') failed.push(this.failure(entry, result.reason));
      else if (filter && 'error' in filter) failed.push(this.failure(entry, filter.error));
      else if (!filter || countDocs(filter.set) > 0) {
        const present = terms.filter((t) => result.value.termInfo(t.term));
        open.push({ entry, reader: result.value, terms: present, ...(filter ? { accept: filter.set } : {}) });
      }
    });
    let scoring = 0;
    // 2. Each shard's missing postings in planned reads (the budget left shared between shards), then scored.
    const share = Math.max(1, Math.floor(io.budgetLeft() / Math.max(1, open.length)));
    const scored = await Promise.allSettled(
      open.map((o) =>
        withRetry(
          async () => {
            const needed = this.shards.missingBlobs(
              o.entry,
              o.reader,
              o.terms.map((t) => t.term),
              io,
            );
            await this.tiers.read(needed, io, { maxReads: share });
            const postings = await this.shards.postings(
              o.entry,
              o.reader,
              o.terms.map((t) => t.term),
            );
            const started = performance.now();
            const top = this.algorithm.search({
              numDocs: o.reader.numDocs,
              terms: o.terms.map((t) => ({
                term: t.term,
                weight: t.quantized,
                postings: postings.get(t.term)!,
              })),
              k,
              ...(o.accept ? { accept: o.accept } : {}),
            });
            scoring += performance.now() - started;
            return { entry: o.entry, reader: o.reader, postings, top };
          },
          {
            timeoutMs: this.shardTimeoutMs,
            shard: o.entry.key,
            beforeRetry: () => this.tiers.abandon(o.entry.key),
          },
        ),
      ),
    );
    timer.add('score', scoring);
    timer.add('fetch', performance.now() - fetchStarted - scoring);
    const answers: ShardAnswer[] = [];
    scored.forEach((result, i) => {
      if (result.status === 'fulfilled') answers.push(result.value);
      else failed.push(this.failure(open[i].entry, result.reason));
    });
    return { hits: timer.timeSync('merge', () => mergeAnswers(answers, k)), answers, failed };
  }

  async #open(manifest: IndexManifest, entry: ShardEntry, io: QueryIo): Promise<ShardReader> {
    const reader = await this.shards.open(entry, io);
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

  failure(entry: ShardEntry, error: unknown): FailedShard {
    if (!isRetryable(error)) this.shards.forget(entry.key);
    if (error instanceof CspladeError) return { shard: entry.key, code: error.code, message: error.message };
    return { shard: entry.key, code: 'shard_error', message: `shard ${entry.key} failed: ${String(error)}` };
  }
}

/** The global top-k of the shards' answers, each hit with its shard and local doc. */
export function mergeAnswers(answers: readonly ShardAnswer[], k: number): ExactHit[] {
  const sorted = [...answers].sort((a, b) => a.entry.docBase - b.entry.docBase);
  const merged = mergeTopK(
    sorted.map((a) => ({ docs: a.top.docs.map((d) => d + a.entry.docBase), scores: a.top.scores })),
    k,
  );
  return Array.from(merged.docs, (doc, i) => {
    const answer = shardOf(sorted, doc);
    return { doc, score: merged.scores[i], answer, local: doc - answer.entry.docBase };
  });
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
