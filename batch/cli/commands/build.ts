/**
 * `csplade build`: a complete encode run → an unpublished version (shards + assets under a new version
 * folder) and the hand-over record `publish` finishes from. Refuses a run with missing worker parts.
 */
import { parseArgs } from 'node:util';
import { buildRun } from '../../pipeline/pipeline.ts';
import type { CliContext, Command } from '../command.ts';
import {
  BUILD_HELP,
  buildFlags,
  buildOptionFlags,
  indexFlag,
  integerFlag,
  openStoreFlag,
  printJson,
  runFlag,
  STORE_HELP,
  storeFlags,
} from './pipeline-flags.ts';

const usage = `usage: csplade build --index <name> --run <id> [--store …] [--shards N] [--impact-bits B] […]

Builds the shards of a finished encode run (not yet visible to readers; see \`csplade publish\`).
${STORE_HELP}
${BUILD_HELP}
  --run           the encode run to build`;

export const buildCommand: Command = {
  name: 'build',
  summary: 'build the shards of a finished encode run (unpublished)',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { ...storeFlags, ...buildFlags, run: { type: 'string' }, workers: { type: 'string' } },
    });
    const index = indexFlag(values);
    const run = runFlag(values, ctx.env, true);
    const store = await openStoreFlag(values, ctx);
    const { built } = await buildRun({
      store,
      index,
      run,
      workers: integerFlag(values, 'workers', undefined),
      ...buildOptionFlags(values),
    });
    const summary = {
      index,
      run,
      version: built.version,
      docs: built.docs,
      postings: built.postings,
      shards: built.shards.length,
      bytesWritten: built.bytesWritten,
      seconds: built.stats.buildSeconds,
    };
    if (values.json) printJson(ctx, summary);
    else
      ctx.stdout.write(
        `built ${index} ${built.version} from run ${run}: ${built.docs} documents, ${built.postings} postings, ${built.shards.length} shard(s); publish it with \`csplade publish --index ${index} --run ${run}\`\n`,
      );
    return 0;
  },
};
