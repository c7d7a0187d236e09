/**
 * `csplade verify`: checks CURRENT, manifests, every shard and asset of one index or of every index in
 * the store; `--fix` repoints a broken CURRENT to the newest complete version (conditional write). The
 * checks are in batch/publish/verify.ts. Exit code 0 when everything checked is sound (after --fix).
 */
import { indexOption, jsonOption, storeOption } from '../options.ts';
import { defineVerb } from '../verb.ts';

type Values = { store: string; index?: string; version?: string; fix?: boolean; json?: boolean };

export const verifyVerb = defineVerb<Values>({
  name: 'verify',
  summary: 'check CURRENT, manifests, shards and assets; --fix repoints a broken CURRENT',
  description:
    'Checks that CURRENT decodes and names a complete version, and that every published version is complete: its manifest decodes, every shard exists with the recorded size, checksum and footer, every asset exists.',
  options: [
    storeOption,
    { ...indexOption, required: false, description: 'only this index (default: every index in the store)' },
    { flags: '--version <id>', description: 'only this version of --index (CURRENT is checked anyway)' },
    {
      flags: '--fix',
      description:
        'repoint a broken CURRENT (missing, garbage, naming a missing or incomplete version) to the newest complete version',
    },
    jsonOption,
  ],
  examples: ['csplade verify --store s3://bucket/prefix', 'csplade verify --index docs --fix'],
  async run({ options }, ctx) {
    const { verifyStore } = await import('../../publish/verify.ts');
    const { verifyReportJson, verifyReportText } = await import('../../publish/verify-report.ts');
    const { openStoreOption } = await import('../runtime.ts');
    const { printJson } = await import('../output.ts');
    // A store folder that does not exist holds no index: nothing to verify, not an error.
    const store = openStoreOption(options.store, ctx);
    const report = await verifyStore(store, {
      index: options.index,
      version: options.version,
      fix: options.fix === true,
    });
    if (options.json) printJson(ctx, verifyReportJson(report));
    else ctx.stdout.write(verifyReportText(report));
    return report.ok ? 0 : 1;
  },
});
