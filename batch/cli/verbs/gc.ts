/**
 * `csplade gc`: deletes published versions beyond the newest `--keep` (never CURRENT's) and abandoned
 * version folders of publishes that lost or died.
 */
import { integer, type StoreValues, storeOptions } from '../options.ts';
import { defineVerb } from '../verb.ts';

export const gcVerb = defineVerb<StoreValues & { keep: number }>({
  name: 'gc',
  summary: 'delete old versions of an index (never the CURRENT one)',
  options: [
    ...storeOptions,
    {
      flags: '--keep <n>',
      description: "published versions to keep (CURRENT's is always kept)",
      default: 3,
      parse: integer(1),
    },
  ],
  async run({ options }, ctx) {
    const { collectGarbage } = await import('../../publish/gc.ts');
    const { openStoreOption } = await import('../runtime.ts');
    const { printJson } = await import('../output.ts');
    const store = openStoreOption(options.store, ctx, { mustExist: true });
    const result = await collectGarbage(store, options.index, options.keep);
    if (options.json) printJson(ctx, { index: options.index, ...result });
    else
      ctx.stdout.write(
        `kept ${result.kept.length} version(s); deleted ${result.deleted.length} (${result.deletedObjects} objects)${result.deleted.length ? `: ${result.deleted.join(', ')}` : ''}\n`,
      );
    return 0;
  },
});
