/**
 * `csplade verify`: checks CURRENT, manifests, every shard and asset; `--fix` repoints a broken CURRENT
 * to the newest complete version. Flag parsing only; the checks are in batch/publish/verify.ts.
 */
import { parseArgs } from 'node:util';
import { verifyStore } from '../../publish/verify.ts';
import { verifyReportJson, verifyReportText } from '../../publish/verify-report.ts';
import { assertIndexName } from '../../publish/versions.ts';
import type { CliContext, Command } from '../command.ts';
import { openStoreFlag, printJson, storeFlags } from './pipeline-flags.ts';

const usage = `usage: csplade verify [--store …] [--index <name>] [--version <id>] [--fix] [--json]

Checks that CURRENT decodes and names a complete version, and that every published version is complete:
its manifest decodes, every shard exists with the recorded size, checksum and footer, every asset exists.
  --store         folder or s3://bucket/prefix (default ./store)
  --index         only this index (default: every index in the store)
  --version       only this version of --index (CURRENT is checked anyway)
  --fix           repoint a broken CURRENT (missing, garbage, naming a missing or incomplete version) to the
                  newest complete version, with a conditional write
  --json          print the report as one JSON object
Exit code 0 when everything checked is sound (after --fix), 1 otherwise.`;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check CURRENT, manifests, shards and assets; --fix repoints a broken CURRENT',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { ...storeFlags, version: { type: 'string' }, fix: { type: 'boolean', default: false } },
    });
    const index = values.index === undefined ? undefined : values.index;
    if (index !== undefined) assertIndexName(index);
    const store = await openStoreFlag(values, ctx);
    const report = await verifyStore(store, { index, version: values.version, fix: values.fix });
    if (values.json) printJson(ctx, verifyReportJson(report));
    else ctx.stdout.write(verifyReportText(report));
    return report.ok ? 0 : 1;
  },
};
