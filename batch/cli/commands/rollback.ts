/**
 * `csplade rollback`: points CURRENT back at an older published version (conditional write, like publish).
 */
import { parseArgs } from 'node:util';
import { rollback } from '../../publish/rollback.ts';
import type { CliContext, Command } from '../command.ts';
import { indexFlag, openStoreFlag, printJson, STORE_HELP, storeFlags, stringFlag } from './pipeline-flags.ts';

const usage = `usage: csplade rollback --index <name> --to <version> [--store …]

Moves CURRENT to a published version, after verifying it is complete (manifest, every shard's size,
checksum and footer, assets); an incomplete target is refused with what is missing.
${STORE_HELP}
  --to            the version id, or its sequence number (e.g. 3 or v00000003)`;

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'move CURRENT back to an older published version',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { ...storeFlags, to: { type: 'string' } },
    });
    const index = indexFlag(values);
    const store = await openStoreFlag(values, ctx);
    const result = await rollback(store, index, stringFlag(values, 'to'));
    if (values.json) printJson(ctx, { index, ...result });
    else ctx.stdout.write(`CURRENT of ${index}: ${result.from ?? '(none)'} → ${result.to}\n`);
    return 0;
  },
};
