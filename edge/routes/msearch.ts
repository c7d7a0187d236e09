/**
 * Multi-search: POST /v1/indexes/:index/msearch and POST /v1/msearch, up to `maxSearches` searches in one
 * request. They run concurrently in this isolate over one request io — one subrequest budget, one cost
 * report — and share its caches, and reads that several need are made once (byte-tiers.ts). Each search
 * is validated and answered on its own: a bad or failing search is an error entry with its status, and
 * the others answer as they would alone. Responses keep the searches' order.
 */
import { type Context, Hono } from 'hono';
import { invalidField, toApiError } from '../http/api-error.ts';
import { readJsonBody } from '../http/read-body.ts';
import { recordOf } from '../http/request-log.ts';
import { multiSearchSchema, parseWith } from '../http/search-schema.ts';
import { runLimited } from '../search/byte-tiers.ts';
import type { EdgeContext } from './context.ts';
import { costHeader, deferTo } from './search.ts';

/** Searches of one multi-search in flight at once: enough to overlap their reads, few enough to share. */
const CONCURRENCY = 6;

export function msearchRoutes(context: EdgeContext): Hono {
  const routes = new Hono();
  const schema = multiSearchSchema(context.limits);
  const answer = async (c: Context, defaultIndex?: string) => {
    const started = Date.now();
    const raw = await readJsonBody(c.req.raw, {
      maxBytes: context.limits.maxBodyBytes,
      timeoutMs: context.limits.bodyTimeoutMs,
      refused: context.limits.refusedBody,
    });
    const { searches } = parseWith(schema, raw);
    const io = context.search.io(deferTo(c));
    const responses: Record<string, unknown>[] = new Array(searches.length);
    await runLimited([...searches.keys()], CONCURRENCY, async (i) => {
      try {
        const { index, params } = requestOf(context, searches[i], defaultIndex);
        const { body } = await context.search.search(index, params, undefined, io);
        responses[i] = { status: 200, ...body };
      } catch (error) {
        const apiError = toApiError(error);
        responses[i] = { status: apiError.status, ...apiError.toBody() };
      }
    });
    const record = recordOf(c.req.raw);
    if (record)
      Object.assign(record, {
        searches: searches.length,
        cost: io.cost,
        ...(defaultIndex ? { index: defaultIndex } : {}),
      });
    c.header('x-csplade-cost', costHeader(io.cost));
    return c.json({ took_ms: Date.now() - started, responses });
  };
  routes.post('/indexes/:index/msearch', (c) => answer(c, c.req.param('index')));
  routes.post('/msearch', (c) => answer(c));
  return routes;
}

/** One search of the batch: its index (its own, else the path's) and its validated parameters. */
function requestOf(context: EdgeContext, search: unknown, defaultIndex: string | undefined) {
  if (typeof search !== 'object' || search === null || Array.isArray(search)) {
    return { index: defaultIndex ?? '', params: context.requests.fromBody(search) };
  }
  const { index, ...rest } = search as Record<string, unknown>;
  if (index !== undefined && typeof index !== 'string') throw invalidField('index', 'must be an index name');
  const name = index ?? defaultIndex;
  if (name === undefined) throw invalidField('index', 'missing: every search of /v1/msearch names its index');
  return { index: name, params: context.requests.fromBody(rest) };
}
