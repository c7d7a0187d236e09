/**
 * The pipeline's verbs as functions (the CLI verbs are thin wrappers): `encodeRun` (one worker's slice
 * into the cache and a run part), `buildRun` (a complete run into an unpublished version), `publishRun`
 * (verify, manifest, CURRENT, gc, tidy the run away) and `indexCorpus` (all of it on one machine).
 * Each returns the counters that make up the `--json` summary.
 */
import { readFile } from 'node:fs/promises';
import { runPrefix } from '../../shared/index/layout.ts';
import { decodeManifest } from '../../shared/index/manifest-codec.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { RejectsFile } from '../corpus/rejects.node.ts';
import { PublishConflictError } from '../publish/errors.ts';
import { collectGarbage, DEFAULT_KEEP, type GcResult, NO_GARBAGE_COLLECTED } from '../publish/gc.ts';
import { beginPublish, type PublishResult, publishVersion } from '../publish/publish.ts';
import { assertIndexName, deleteVersionFiles, readCurrent } from '../publish/versions.ts';
import { type BuildSettings, type ResolvedBuildSettings, resolveBuildSettings } from './build-settings.ts';
import { type BuildJob, type BuiltVersion, buildVersion } from './build-stage.ts';
import type { DocumentEncoder } from './document-encoder.ts';
import { type EncodeStageOptions, runEncodeStage } from './encode-stage.ts';
import { ShardVerificationError } from './errors.ts';
import type { ProgressSink } from './progress.ts';
import type { RunPart } from './run-part.ts';
import { readStagedBuild, type StagedBuild, stagedBuildKey, writeStagedBuild } from './staged-build.ts';

/** The encode stage's options, with the worker slice defaulted and the callbacks as a file and a sink. */
export interface EncodeRunOptions
  extends Omit<EncodeStageOptions, 'worker' | 'workers' | 'onReject' | 'onProgress'> {
  /** Default 0. */
  readonly worker?: number;
  /** Default 1. */
  readonly workers?: number;
  readonly rejects?: RejectsFile;
  readonly progress?: ProgressSink;
}

export async function encodeRun(options: EncodeRunOptions): Promise<{ part: RunPart; alreadyDone: boolean }> {
  assertIndexName(options.index);
  const { corpus, progress, rejects } = options;
  const result = await runEncodeStage({
    ...options,
    worker: options.worker ?? 0,
    workers: options.workers ?? 1,
    onReject: rejects ? (rejected) => rejects.add(rejected) : undefined,
    onProgress: progress ? (counts) => progress.encode(counts, corpus.bytesRead, corpus.size) : undefined,
  });
  if (progress && !result.alreadyDone) progress.encode(result.part.counts, corpus.size, corpus.size, true);
  progress?.done();
  return result;
}

export interface BuildRunOptions extends BuildSettings {
  readonly store: ObjectStore;
  readonly index: string;
  readonly run: string;
  /** Reuse an open adapter (the `index` verb has one); otherwise rebuilt from the parts' spec. */
  readonly encoder?: DocumentEncoder;
  /** When given, the run must have exactly this many workers. */
  readonly workers?: number;
  /** Build and publish stages are reported here (documents finalized, shards written and verified). */
  readonly progress?: ProgressSink;
}

/** Builds the run into a new version folder and records the hand-over for `publishRun`. */
export async function buildRun(options: BuildRunOptions): Promise<StagedBuild> {
  assertIndexName(options.index);
  return stageBuild(options, resolveBuildSettings(options));
}

async function stageBuild(options: BuildRunOptions, settings: ResolvedBuildSettings): Promise<StagedBuild> {
  const { store, index, run, progress } = options;
  const start = await beginPublish(store, index, run);
  const job = {
    store,
    index,
    run,
    version: start.version,
    encoder: options.encoder,
    workers: options.workers,
    onProgress: progress && ((stage, done, total, unit) => progress.stage(stage, done, total, unit)),
  } satisfies BuildJob;
  const built = await buildVersion(job, settings);
  progress?.done();
  const staged = { built, expected: start.expected };
  await writeStagedBuild(store, staged);
  return staged;
}

export interface PublishRunOptions extends BuildRunOptions {
  readonly keep?: number;
  /** Keep `runs/<run>/` after publishing (default: removed; the cache stays either way). */
  readonly keepRun?: boolean;
  readonly extraStats?: Record<string, unknown>;
}

export interface PublishRunResult {
  readonly built: BuiltVersion;
  readonly published: PublishResult;
  readonly gc: GcResult;
  readonly seconds: { build: number; publish: number };
  /** True when a previous attempt had published this run already (nothing was done). */
  readonly alreadyPublished?: boolean;
}

/** Publishes a run: from its staged build when `build` ran, else builds it first. */
export async function publishRun(options: PublishRunOptions): Promise<PublishRunResult> {
  assertIndexName(options.index);
  return publishStaged(options);
}

/** `settings`: resolved already by a caller that checked them before its own work (index). */
async function publishStaged(
  options: PublishRunOptions,
  settings?: ResolvedBuildSettings,
): Promise<PublishRunResult> {
  const { store, index, run } = options;
  const t0 = performance.now();
  let staged = await readStagedBuild(store, index, run);
  if (!staged) {
    const done = await alreadyPublished(store, index, run);
    if (done) return done;
    // Settings are a build's: a run built already is published whatever they say.
    staged = await stageBuild(options, settings ?? resolveBuildSettings(options));
  }
  const t1 = performance.now();
  const published = await publishOrForget(options, staged);
  const gc = await collectGarbage(store, index, { keep: options.keep ?? DEFAULT_KEEP });
  if (!options.keepRun) await deleteRun(store, index, run);
  const t2 = performance.now();
  return {
    built: staged.built,
    published,
    gc,
    seconds: { build: (t1 - t0) / 1000, publish: (t2 - t1) / 1000 },
  };
}

/**
 * Publishes the staged build. When it is stale (another version went live first) or broken (a shard did
 * not read back), forgets it, so that a retry rebuilds on top of the CURRENT of that moment; the parts stay.
 */
async function publishOrForget(options: PublishRunOptions, staged: StagedBuild): Promise<PublishResult> {
  const { store, index, run, progress } = options;
  try {
    const published = await publishVersion(store, staged.built, staged.expected, options.extraStats, {
      onVerified:
        progress && ((done, total) => progress.stage('publish: verify shards', done, total, 'shards')),
    });
    progress?.done();
    return published;
  } catch (error) {
    if (error instanceof PublishConflictError || error instanceof ShardVerificationError) {
      await store.delete(stagedBuildKey(index, run));
      if (error instanceof ShardVerificationError)
        await deleteVersionFiles(store, index, staged.built.version);
    }
    throw error;
  }
}

/**
 * A publish retried after it succeeded (its run folder is gone, CURRENT's manifest names the run): the
 * same result again instead of an error, so an orchestrator may retry the step blindly.
 */
async function alreadyPublished(
  store: ObjectStore,
  index: string,
  run: string,
): Promise<PublishRunResult | null> {
  if ((await store.list(runPrefix(index, run))).some((o) => o.key.includes('/parts/'))) return null;
  const current = await readCurrent(store, index);
  if (!current) return null;
  const object = await store.get(current.pointer.manifestKey);
  if (!object) return null;
  const manifest = decodeManifest(object.bytes, current.pointer.manifestKey);
  if (manifest.stats.run !== run) return null;
  const { formatVersion: _, createdAt: __, ...rest } = manifest;
  return {
    built: { ...rest, shards: [...manifest.shards], run, bytesWritten: 0 },
    published: { manifest, manifestKey: current.pointer.manifestKey, pointer: current.pointer },
    gc: NO_GARBAGE_COLLECTED,
    seconds: { build: 0, publish: 0 },
    alreadyPublished: true,
  };
}

/** Where a worker's rejects file is kept in the store (it outlives the run's other bookkeeping). */
export const rejectsKey = (index: string, run: string, worker: number) =>
  `${runPrefix(index, run)}rejects/worker-${String(worker).padStart(5, '0')}.jsonl`;

/** Copies a closed rejects file into the store, so array jobs whose disks vanish keep it. */
export async function uploadRejects(
  store: ObjectStore,
  index: string,
  run: string,
  worker: number,
  rejects: RejectsFile,
): Promise<string | null> {
  if (rejects.count === 0) return null;
  const key = rejectsKey(index, run, worker);
  await store.put(key, new Uint8Array(await readFile(rejects.path)), { contentType: 'application/x-ndjson' });
  return key;
}

/** Removes a published run's bookkeeping (parts, staged build); its rejects stay for people to read. */
export async function deleteRun(store: ObjectStore, index: string, run: string): Promise<void> {
  for (const object of await store.list(runPrefix(index, run))) {
    if (!object.key.startsWith(`${runPrefix(index, run)}rejects/`)) await store.delete(object.key);
  }
}

/** The `--json` summary of a whole index run. */
export interface IndexSummary {
  readonly index: string;
  readonly version: string;
  readonly run: string;
  readonly documents: { read: number; rejected: number; encoded: number; reused: number; indexed: number };
  /** Tokens of the documents encoded by this run (those taken from the cache are not tokenized again). */
  readonly tokensEncoded: number;
  readonly postings: number;
  readonly shards: number;
  readonly bytesWritten: number;
  readonly impact: { bits: number; scale: number };
  readonly rejectsFile?: string;
  readonly gcDeleted: string[];
  readonly seconds: Record<string, number>;
}

export type IndexCorpusOptions = Omit<EncodeRunOptions, 'worker' | 'workers'> &
  Omit<PublishRunOptions, 'encoder'>;

export async function indexCorpus(options: IndexCorpusOptions): Promise<IndexSummary> {
  assertIndexName(options.index);
  // Before encoding: a bad build setting fails the run at once, not after the corpus was encoded.
  const settings = resolveBuildSettings(options);
  const t0 = performance.now();
  const { part } = await encodeRun(options);
  const t1 = performance.now();
  const extraStats = { rejectsByReason: part.rejectsByReason };
  const result = await publishStaged({ ...options, extraStats }, settings);
  const buildSeconds = (result.built.stats.buildSeconds ?? {}) as Record<string, number>;
  return {
    index: options.index,
    version: result.built.version,
    run: options.run,
    documents: {
      read: part.counts.lines,
      rejected: part.counts.rejected,
      encoded: part.counts.encoded,
      reused: part.counts.reused,
      indexed: result.built.docs,
    },
    tokensEncoded: part.counts.tokens,
    postings: result.built.postings,
    shards: result.built.shards.length,
    bytesWritten: result.built.bytesWritten + part.counts.cacheBytesWritten,
    impact: result.built.impact,
    rejectsFile: options.rejects?.count ? options.rejects.path : undefined,
    gcDeleted: result.gc.deleted,
    seconds: {
      encode: (t1 - t0) / 1000,
      ...Object.fromEntries(Object.entries(buildSeconds).map(([k, v]) => [`build.${k}`, v])),
      build: result.seconds.build,
      publish: result.seconds.publish,
      total: (performance.now() - t0) / 1000,
    },
  };
}
