/**
 * `csplade publish`: checks that every worker of a run finished, builds it if `build` has not, verifies the
 * shards, writes the manifest and moves CURRENT conditionally. Exits 1 with a publish_conflict error when
 * another publisher moved CURRENT first (nothing of this run goes live then).
 */
import { parseArgs } from 'node:util';
import { publishRun } from '../../pipeline/pipeline.ts';
import type { CliContext, Command } from '../command.ts';
import {
  BUILD_HELP,
  buildFlags,
  buildOptionFlags,
  indexFlag,
  integerFlag,
  openStoreFlag,
  PUBLISH_HELP,
  printJson,
  publishFlags,
  runFlag,
  STORE_HELP,
  storeFlags,
} from './pipeline-flags.ts';

const usage = `usage: csplade publish --index <name> --run <id> [--store …] [--keep K] [build options]

Publishes a finished run as the index's new CURRENT version (building it first if needed).
${STORE_HELP}
${BUILD_HELP}
${PUBLISH_HELP}
  --run           the run to publish
  --workers       refuse unless the run was encoded by exactly this many workers

Retrying a publish that already succeeded reports the published version again (exit 0).`;

export const publishCommand: Command = {
  name: 'publish',
  summary: 'verify and publish a finished run atomically (moves CURRENT)',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...storeFlags,
        ...buildFlags,
        ...publishFlags,
        run: { type: 'string' },
        workers: { type: 'string' },
      },
    });
    const index = indexFlag(values);
    const run = runFlag(values, ctx.env, true);
    const store = await openStoreFlag(values, ctx);
    const result = await publishRun({
      store,
      index,
      run,
      keep: integerFlag(values, 'keep', 3),
      keepRun: values['keep-run'] === true,
      workers: integerFlag(values, 'workers', undefined),
      ...buildOptionFlags(values),
    });
    const { built } = result;
    const summary = {
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
    };
    if (values.json) printJson(ctx, summary);
    else
      ctx.stdout.write(
        `published ${index} ${built.version}: ${built.docs} documents in ${built.shards.length} shard(s)\n`,
      );
    return 0;
  },
};
