/**
 * `csplade gc`: deletes old versions (never the one CURRENT names, nor one it named within the grace
 * period), abandoned version folders, abandoned runs and unused encoding cache. The rules are in
 * batch/publish/gc.ts and docs/lifecycle.md; this file only declares the flags.
 */
import { integer, type StoreValues, storeOptions } from '../options.ts';
import { defineVerb, UsageError } from '../verb.ts';

/** Durations stay text here and are read by the lifecycle's one parser (batch/publish/durations.ts). */
type Values = StoreValues & {
  keep: number;
  keepFor?: string;
  grace?: string;
  runMaxAge?: string;
  cacheMaxAge?: string;
};

export const gcVerb = defineVerb<Values>({
  name: 'gc',
  summary: 'delete old versions, abandoned runs and unused cache (never what CURRENT names)',
  description:
    "CURRENT's version is always kept, and so is every version it named within the grace period. Ages of runs and cache folders count from when gc first saw them unused (docs/lifecycle.md).",
  options: [
    ...storeOptions,
    {
      flags: '--keep <n>',
      description: 'published versions to keep, newest first',
      default: 3,
      parse: integer(1),
    },
    {
      flags: '--keep-for <duration>',
      description: 'also keep versions published within this long',
      defaultHelp: '0',
    },
    {
      flags: '--grace <duration>',
      description: 'keep every version CURRENT named within this long',
      defaultHelp: '1h',
    },
    {
      flags: '--run-max-age <duration>',
      description: 'delete runs/<run>/ no kept version was built from, once unchanged this long (or never)',
      defaultHelp: '7d',
    },
    {
      flags: '--cache-max-age <duration>',
      description: 'delete cache/<fingerprint>/ no version or run uses, once unchanged this long (or never)',
      defaultHelp: '30d',
    },
  ],
  examples: ['csplade gc --index docs --keep 5 --grace 2h'],
  async run({ options }, ctx) {
    const { collectGarbage } = await import('../../publish/gc.ts');
    const { parseDuration } = await import('../../publish/durations.ts');
    const read = (text: string | undefined, flag: string, allowNever: boolean) => {
      if (text === undefined) return undefined;
      const ms = parseDuration(text, flag);
      if (ms === null && !allowNever)
        throw new UsageError(`${flag} takes a duration such as 0, 15m or 1h, not "never"`);
      return ms;
    };
    const keepForMs = read(options.keepFor, '--keep-for', false);
    const graceMs = read(options.grace, '--grace', false);
    const runMaxAgeMs = read(options.runMaxAge, '--run-max-age', true);
    const cacheMaxAgeMs = read(options.cacheMaxAge, '--cache-max-age', true);
    const { gcReportJson, gcReportText } = await import('../../publish/gc-report.ts');
    const { openStoreOption } = await import('../runtime.ts');
    const { printJson } = await import('../output.ts');
    const store = openStoreOption(options.store, ctx, { mustExist: true });
    const result = await collectGarbage(store, options.index, {
      keep: options.keep,
      ...(keepForMs !== undefined ? { keepForMs: keepForMs ?? 0 } : {}),
      ...(graceMs !== undefined ? { graceMs: graceMs ?? 0 } : {}),
      ...(runMaxAgeMs !== undefined ? { runMaxAgeMs } : {}),
      ...(cacheMaxAgeMs !== undefined ? { cacheMaxAgeMs } : {}),
    });
    if (options.json) printJson(ctx, gcReportJson(options.index, result));
    else ctx.stdout.write(gcReportText(result));
    return 0;
  },
});
