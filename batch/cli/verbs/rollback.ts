/**
 * `csplade rollback`: points CURRENT back at an older published version (conditional write, like
 * publish), after verifying the target is complete; an incomplete target is refused naming what is missing.
 */
import { type StoreValues, storeOptions } from '../options.ts';
import { defineVerb } from '../verb.ts';

export const rollbackVerb = defineVerb<StoreValues & { to: string }>({
  name: 'rollback',
  summary: 'move CURRENT back to an older published version (verified first)',
  options: [
    ...storeOptions,
    {
      flags: '--to <version>',
      description: 'the version id, or its sequence number (e.g. 3 or v00000003)',
      required: true,
    },
  ],
  examples: ['csplade rollback --index docs --to 3'],
  async run({ options }, ctx) {
    const { rollback } = await import('../../publish/rollback.ts');
    const { openStoreOption } = await import('../runtime.ts');
    const { printJson } = await import('../output.ts');
    const store = openStoreOption(options.store, ctx, { mustExist: true });
    const result = await rollback(store, options.index, options.to);
    if (options.json) printJson(ctx, { index: options.index, ...result });
    else ctx.stdout.write(`CURRENT of ${options.index}: ${result.from ?? '(none)'} → ${result.to}\n`);
    return 0;
  },
});
