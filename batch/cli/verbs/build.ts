/**
 * `csplade build`: a complete encode run → an unpublished version (shards + assets under a new version
 * folder) and the hand-over record `publish` finishes from. Refuses a run with missing worker parts.
 */
import {
  type BuildValues,
  buildOptions,
  buildSettingsOf,
  expectedWorkersOption,
  type ProgressValues,
  progressOption,
  runOption,
  type StoreValues,
  storeOptions,
} from '../options.ts';
import { defineVerb } from '../verb.ts';

type Values = StoreValues & BuildValues & ProgressValues & { run: string; workers?: number };

export const buildVerb = defineVerb<Values>({
  name: 'build',
  summary: 'build the shards of a finished encode run (unpublished)',
  description: 'Builds the shards of a finished encode run; readers do not see them until `csplade publish`.',
  options: [...storeOptions, ...buildOptions, runOption(true), expectedWorkersOption, progressOption],
  async run({ options }, ctx) {
    const { buildRun } = await import('../../pipeline/pipeline.ts');
    const { openStoreOption, progressFor } = await import('../runtime.ts');
    const { count, printJson } = await import('../output.ts');
    const { index, run } = options;
    const { built } = await buildRun({
      store: openStoreOption(options.store, ctx, { mustExist: true }),
      index,
      run,
      workers: options.workers,
      ...buildSettingsOf(options),
      progress: progressFor(options, ctx),
    });
    if (options.json) {
      printJson(ctx, {
        index,
        run,
        version: built.version,
        docs: built.docs,
        postings: built.postings,
        shards: built.shards.length,
        bytesWritten: built.bytesWritten,
        seconds: built.stats.buildSeconds,
      });
      return 0;
    }
    ctx.stdout.write(
      `built ${index} ${built.version} from run ${run}: ${count(built.docs)} documents, ${count(built.postings)} postings, ${built.shards.length} shard(s); publish it with \`csplade publish --index ${index} --run ${run}\`\n`,
    );
    return 0;
  },
});
