/**
 * `csplade search`: queries a published index straight from the store, with the encoder its manifest
 * names and the exhaustive algorithm by default — a check of what was published without the edge.
 */
import { parseArgs } from 'node:util';
import { encodeQueryText, loadManifest, searchManifest } from '../../publish/local-search.ts';
import type { CliContext, Command } from '../command.ts';
import {
  indexFlag,
  integerFlag,
  openStoreFlag,
  printJson,
  STORE_HELP,
  storeFlags,
  stringFlag,
} from './pipeline-flags.ts';

const usage = `usage: csplade search --index <name> --query <text> [--store …] [--k 10] [--version <id>] [--algorithm exhaustive]

Searches a published index locally.
${STORE_HELP}
  --query         query text
  --k             hits (default 10)
  --version       a published version instead of CURRENT
  --algorithm     top-k algorithm from the engine registry (default exhaustive)`;

export const searchCommand: Command = {
  name: 'search',
  summary: 'query a published index locally (no edge needed)',
  usage,
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...storeFlags,
        query: { type: 'string' },
        k: { type: 'string' },
        version: { type: 'string' },
        algorithm: { type: 'string' },
      },
    });
    const index = indexFlag(values);
    const store = await openStoreFlag(values, ctx);
    const manifest = await loadManifest(store, index, values.version as string | undefined);
    const query = await encodeQueryText(store, manifest, stringFlag(values, 'query'));
    const hits = await searchManifest(store, manifest, query, {
      k: integerFlag(values, 'k', 10),
      algorithm: stringFlag(values, 'algorithm', 'exhaustive'),
      storedFields: true,
    });
    if (values.json) printJson(ctx, { index, version: manifest.version, hits });
    else {
      ctx.stdout.write(`${index} ${manifest.version}\n`);
      hits.forEach((h, i) => {
        ctx.stdout.write(
          `${String(i + 1).padStart(3)}. ${h.score.toFixed(4)}  ${h.id}${h.title ? `  ${h.title}` : ''}\n`,
        );
      });
    }
    return 0;
  },
};
