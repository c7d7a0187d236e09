/**
 * What a build is asked to make of a run — shard count, impact width, pruning, doc order, the
 * approximate-search files, the default search mode, filterable fields, the memory budget — as one type.
 * The verbs that can build (`index`, `build`, `publish`) take these flat among their options;
 * `resolveBuildSettings` checks them and fills in the defaults once, where a verb starts, and the stages
 * below receive the resolved object as it is, so no stage re-reads or re-defaults a setting.
 */
import { resolveApproximateSettings } from '../../shared/approximate/build.ts';
import type { ApproximateBuildSettings } from '../../shared/approximate/format.ts';
import type { FilterableSchema } from '../../shared/docvalues/schema.ts';
import { DEFAULT_IMPACT_BITS } from '../../shared/sparse/quantize.ts';
import { PipelineConfigError } from './errors.ts';
import { checkPruningOptions, type PruningOptions } from './prune.ts';

export type DefaultMode = 'auto' | 'exact' | 'approximate';
export const DEFAULT_MODES: readonly DefaultMode[] = ['auto', 'exact', 'approximate'];
export const APPROXIMATE_DEFAULT_MIN_DOCS = 100_000;

export type DocOrder = 'cluster' | 'arrival';
export const DOC_ORDERS: readonly DocOrder[] = ['cluster', 'arrival'];

export const DEFAULT_MEMORY_BUDGET_POSTINGS = 64 * 1024 * 1024;

export interface BuildSettings {
  /** Contiguous document ranges the version is cut into (default 1; never more than documents). */
  readonly shards?: number;
  /** Width of a quantized impact (default DEFAULT_IMPACT_BITS). */
  readonly impactBits?: number;
  readonly pruning?: PruningOptions;
  /** Postings of pruned vectors held between passes (default 64M, ~0.5 GB); larger builds reload. */
  readonly memoryBudgetPostings?: number;
  /**
   * Doc-id order inside each shard. 'cluster' (default) gives documents about the same things
   * neighbouring ids (shared/postings/reorder.ts), which is what lets block-max pruning skip most
   * of a shard; 'arrival' keeps corpus order. Hits and scores are the same either way; only the
   * order among equal scores (smaller doc id first) can differ.
   */
  readonly docOrder?: DocOrder;
  /** Write each shard's approximate-search file and the routing object (default true). */
  readonly approximate?: boolean;
  /** Settings of those files (shared/approximate/format.ts); defaults otherwise. */
  readonly approximateSettings?: Partial<ApproximateBuildSettings>;
  /**
   * The search mode a request without `mode` gets: 'auto' (default) makes it approximate from
   * APPROXIMATE_DEFAULT_MIN_DOCS documents on, where exact search's work grows with the corpus.
   */
  readonly defaultMode?: DefaultMode;
  /**
   * Metadata fields requests may filter on (csplade index --filterable lang:keyword,year:number): each
   * shard gets a doc-values file with their structures. Text is stored there too when the run kept it
   * (encoded with --store-text).
   */
  readonly filterable?: FilterableSchema;
}

/** BuildSettings checked, with every default filled in. */
export interface ResolvedBuildSettings {
  /** As asked; the build lowers it to the document count when the run has fewer documents. */
  readonly shards: number;
  readonly impactBits: number;
  readonly pruning: PruningOptions;
  readonly memoryBudgetPostings: number;
  readonly docOrder: DocOrder;
  readonly approximate: boolean;
  /** Checked even when `approximate` is false, so a bad setting fails whatever the other flags. */
  readonly approximateSettings: ApproximateBuildSettings;
  readonly defaultMode: DefaultMode;
  readonly filterable: FilterableSchema;
}

/** Picks the build settings out of a verb's options, checks them and applies the defaults. */
export function resolveBuildSettings(settings: BuildSettings): ResolvedBuildSettings {
  const docOrder = settings.docOrder ?? 'cluster';
  if (!DOC_ORDERS.includes(docOrder))
    throw new PipelineConfigError(`docOrder must be one of ${DOC_ORDERS.join(', ')}, got ${docOrder}`);
  const pruning = settings.pruning ?? {};
  checkPruningOptions(pruning);
  const shards = settings.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1)
    throw new PipelineConfigError(`shards must be ≥ 1, got ${shards}`);
  return {
    shards,
    impactBits: settings.impactBits ?? DEFAULT_IMPACT_BITS,
    pruning,
    memoryBudgetPostings: settings.memoryBudgetPostings ?? DEFAULT_MEMORY_BUDGET_POSTINGS,
    docOrder,
    approximate: settings.approximate ?? true,
    approximateSettings: resolveApproximateSettings(settings.approximateSettings),
    defaultMode: settings.defaultMode ?? 'auto',
    filterable: settings.filterable ?? {},
  };
}
