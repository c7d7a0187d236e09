/**
 * GET /v1/indexes (every index with a CURRENT pointer) and GET /v1/indexes/:index (its current
 * version: documents, encoder, impact quantization and shards), both straight from the catalog.
 * The encoder's config is shown without the paths of the machine that built the index (an ONNX
 * encoder's `modelDir`): they say nothing useful to a client and something about the server.
 */
import { Hono } from 'hono';
import type { EdgeContext } from './context.ts';

export function indexRoutes(context: EdgeContext): Hono {
  const routes = new Hono();
  routes.get('/', async (c) => {
    const indexes = await context.catalog.list(context.store);
    return c.json({
      indexes: indexes.map((i) => ({ name: i.name, version: i.version, updated_at: i.updatedAt })),
    });
  });
  routes.get('/:index', async (c) => {
    const index = c.req.param('index');
    const version = c.req.query('version');
    const m = await context.catalog.resolve(context.store, index, version);
    return c.json({
      name: m.index,
      version: m.version,
      created_at: m.createdAt,
      documents: m.docs,
      postings: m.postings,
      vocab_size: m.vocabSize,
      encoder: {
        name: m.encoder.name,
        fingerprint: m.encoder.fingerprint,
        config: publicConfig(m.encoder.config),
      },
      impact: m.impact,
      filterable: m.filterable ?? {},
      stored_text: m.storedText === true,
      shards: m.shards.map((s) => ({
        key: s.key,
        documents: s.numDocs,
        doc_base: s.docBase,
        postings: s.postings,
        bytes: s.size,
      })),
    });
  });
  return routes;
}

/** Config fields that name files on the machine that built the index. */
const LOCAL_PATH_FIELDS = new Set(['modelDir']);

function publicConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([field]) => !LOCAL_PATH_FIELDS.has(field)));
}
