/**
 * `csplade gc`: deletes old versions (never the one CURRENT names, nor one it named within the grace
 * period), abandoned version folders, abandoned runs and unused encoding cache. Flag parsing only; the
 * rules are in batch/publish/gc.ts and docs/lifecycle.md.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../../publish/durations.ts';
import { collectGarbage } from '../../publish/gc.ts';
import { gcReportJson, gcReportText } from '../../publish/gc-report.ts';
import { type CliContext, type Command, UsageError } from '../command.ts';
import {
  indexFlag,
  integerFlag,
  openStoreFlag,
  printJson,
  STORE_HELP,
  storeFlags,
} from './pipeline-flags.ts';

const usage = `usage: csplade gc --index <name> [--store …] [--keep K] [--keep-for D] [--grace D]
                  [--run-max-age D|never] [--cache-max-age D|never]

Deletes old versions of an index, abandoned runs and unused encoding cache (durations: 90s, 15m, 1h, 7d).
${STORE_HELP}
  --keep            published versions to keep, newest first (default 3)
  --keep-for        also keep versions published within this long (default 0)
  --grace           keep every version CURRENT named within this long (default 1h)
  --run-max-age     delete runs/<run>/ no kept version was built from, once unchanged this long (default 7d)
  --cache-max-age   delete cache/<fingerprint>/ no version or run uses, once unchanged this long (default 30d)
CURRENT's version is always kept. Ages are counted from when gc first saw a run or cache folder unused.`;

export const gcCommand: Command = {
  name: 'gc',
  summary: 'delete old versions, abandoned runs and unused cache (never what CURRENT names)',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...storeFlags,
        keep: { type: 'string' },
        'keep-for': { type: 'string' },
        grace: { type: 'string' },
        'run-max-age': { type: 'string' },
        'cache-max-age': { type: 'string' },
      },
    });
    const index = indexFlag(values);
    const duration = (name: 'keep-for' | 'grace' | 'run-max-age' | 'cache-max-age') => {
      const text = values[name];
      return text === undefined ? undefined : parseDuration(text, `--${name}`);
    };
    const finite = (name: 'keep-for' | 'grace') => {
      const ms = duration(name);
      if (ms === null) throw new UsageError(`--${name} takes a duration such as 0, 15m or 1h, not "never"`);
      return ms;
    };
    const store = await openStoreFlag(values, ctx);
    const result = await collectGarbage(store, index, {
      keep: integerFlag(values, 'keep', 3),
      keepForMs: finite('keep-for'),
      graceMs: finite('grace'),
      runMaxAgeMs: duration('run-max-age'),
      cacheMaxAgeMs: duration('cache-max-age'),
    });
    if (values.json) printJson(ctx, gcReportJson(index, result));
    else ctx.stdout.write(gcReportText(result));
    return 0;
  },
};
