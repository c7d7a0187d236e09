/**
 * `csplade publish`: checks that every worker of a run finished, builds it if `build` has not, verifies the
 * shards, writes the manifest and moves CURRENT conditionally. Exits 1 with a publish_conflict error when
 * another publisher moved CURRENT first (nothing of this run goes live then).
 */
import {
  type BuildValues,
  buildOptions,
  buildSettingsOf,
  expectedWorkersOption,
  type ProgressValues,
  type PublishValues,
  progressOption,
  publishOptions,
  runOption,
  type StoreValues,
  storeOptions,
} from '../options.ts';
import { defineVerb } from '../verb.ts';

type Values = StoreValues & BuildValues & PublishValues & ProgressValues & { run: string; workers?: number };

export const publishVerb = defineVerb<Values>({
  name: 'publish',
  summary: 'verify and publish a finished run atomically (moves CURRENT)',
  description:
    "Publishes a finished run as the index's new CURRENT version (building it first if needed).\n" +
    'Retrying a publish that already succeeded reports the published version again (exit 0).',
  options: [
    ...storeOptions,
    ...buildOptions,
    ...publishOptions,
    runOption(true),
    expectedWorkersOption,
    progressOption,
  ],
  async run({ options }, ctx) {
    const { publishRun } = await import('../../pipeline/pipeline.ts');
    const { openStoreOption, progressFor } = await import('../runtime.ts');
    const { count, printJson } = await import('../output.ts');
    const { index, run } = options;
    const result = await publishRun({
      store: openStoreOption(options.store, ctx, { mustExist: true }),
      index,
      run,
      keep: options.keep,
      keepRun: options.keepRun === true,
      workers: options.workers,
      ...buildSettingsOf(options),
      progress: progressFor(options, ctx),
    });
    const { built } = result;
    if (options.json) {
      printJson(ctx, {
        index,
        run,
        version: built.version,
        docs: built.docs,
        postings: built.postings,
        shards: built.shards.length,
        bytesWritten: built.bytesWritten,
        gcDeleted: result.gc.deleted,
        alreadyPublished: result.alreadyPublished === true,
        seconds: result.seconds,
      });
      return 0;
    }
    ctx.stdout.write(
      `${result.alreadyPublished ? 'already published' : 'published'} ${index} ${built.version}: ${count(built.docs)} documents in ${built.shards.length} shard(s)\n`,
    );
    return 0;
  },
});
