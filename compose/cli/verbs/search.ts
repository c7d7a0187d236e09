/**
 * `csplade search`: queries a published index straight from the store — the query encoder rebuilt from
 * the manifest as the Node edge rebuilds it (for an ONNX index: the query model the version ships, else
 * the model directory the manifest names), the exhaustive algorithm by default. A check of what was
 * published without running the edge; `--json` prints the HTTP API's response shape.
 */
import { integer, type StoreValues, storeOptions } from '../../../batch/cli/options.ts';
import { defineVerb } from '../../../batch/cli/verb.ts';

type Values = StoreValues & { query: string; k: number; version?: string; algorithm: string };

export const searchVerb = defineVerb<Values>({
  name: 'search',
  summary: 'query a published index locally (no edge needed)',
  options: [
    ...storeOptions,
    { flags: '-q, --query <text>', description: 'query text', required: true },
    { flags: '-k, --k <n>', description: 'hits', default: 10, parse: integer(1) },
    { flags: '--version <id>', description: 'a published version instead of CURRENT' },
    {
      flags: '--algorithm <name>',
      description: 'top-k algorithm of the engine registry',
      default: 'exhaustive',
    },
  ],
  examples: ["csplade search --index sample --query 'how do plants turn light into energy' --k 3"],
  async run({ options }, ctx) {
    const { loadManifest, openQueryEncoder, searchManifest } = await import(
      '../../../batch/publish/local-search.ts'
    );
    const { nodeEncoderFactory } = await import('../../node-query-encoders.node.ts');
    const { openStoreOption } = await import('../../../batch/cli/runtime.ts');
    const { printJson } = await import('../../../batch/cli/output.ts');
    const started = performance.now();
    const { index } = options;
    const store = openStoreOption(options.store, ctx, { mustExist: true });
    const manifest = await loadManifest(store, index, options.version);
    const encoder = await openQueryEncoder(store, manifest, nodeEncoderFactory);
    try {
      const [query] = await encoder.encode([options.query], 'query');
      const hits = await searchManifest(store, manifest, query, {
        k: options.k,
        algorithm: options.algorithm,
        storedFields: true,
      });
      if (options.json) {
        printJson(ctx, {
          index,
          version: manifest.version,
          tookMs: Math.round(performance.now() - started),
          hits: hits.map((h) => ({
            id: h.id,
            score: h.score,
            fields: {
              ...(h.title !== undefined ? { title: h.title } : {}),
              ...(h.url !== undefined ? { url: h.url } : {}),
            },
          })),
        });
        return 0;
      }
      ctx.stdout.write(`${index} ${manifest.version}\n`);
      if (hits.length === 0) {
        const terms = Array.from(query.terms, (t) => encoder.tokenOf(t));
        ctx.stdout.write(
          terms.length === 0
            ? `no hits: the query has no term this index knows (encoder ${manifest.encoder.name})\n`
            : `no hits: no document of this version contains any of the query's terms (${terms.join(' ')})\n`,
        );
        return 0;
      }
      hits.forEach((h, i) => {
        ctx.stdout.write(
          `${String(i + 1).padStart(3)}. ${h.score.toFixed(4)}  ${h.id}${h.title ? `  ${h.title}` : ''}\n`,
        );
      });
      return 0;
    } finally {
      await encoder.close?.();
    }
  },
});
