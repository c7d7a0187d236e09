/**
 * `csplade gc`: deletes published versions beyond the newest `--keep` (never CURRENT's) and abandoned
 * version folders of publishes that lost or died.
 */
import { parseArgs } from 'node:util';
import { collectGarbage } from '../../publish/gc.ts';
import type { CliContext, Command } from '../command.ts';
import {
  indexFlag,
  integerFlag,
  openStoreFlag,
  printJson,
  STORE_HELP,
  storeFlags,
} from './pipeline-flags.ts';

const usage = `usage: csplade gc --index <name> [--store …] [--keep K]

Deletes old versions of an index.
${STORE_HELP}
  --keep          published versions to keep (default 3; CURRENT's is always kept)`;

export const gcCommand: Command = {
  name: 'gc',
  summary: 'delete old versions of an index (never the CURRENT one)',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { ...storeFlags, keep: { type: 'string' } },
    });
    const index = indexFlag(values);
    const store = await openStoreFlag(values, ctx);
    const result = await collectGarbage(store, index, integerFlag(values, 'keep', 3));
    if (values.json) printJson(ctx, { index, ...result });
    else
      ctx.stdout.write(
        `kept ${result.kept.length} version(s); deleted ${result.deleted.length} (${result.deletedObjects} objects)${result.deleted.length ? `: ${result.deleted.join(', ')}` : ''}\n`,
      );
    return 0;
  },
};
