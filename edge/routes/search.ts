/**
 * The search endpoints: POST /v1/indexes/:index/search with a JSON body and GET with ?q= for browsers
 * and curl. Both validate into the same SearchParams and call the one SearchService; the cost of every
 * answer (subrequests, bytes) is in the `x-csplade-cost` header, and in the body with `debug`.
 */
import { type Context, Hono } from 'hono';
import type { EdgeContext } from '../app.ts';
import { ApiError } from '../http/api-error.ts';
import { readJsonBody } from '../http/read-body.ts';
import { parseSearchBody, parseSearchQuery, type SearchParams } from '../http/search-request.ts';
import type { RequestCost } from '../search/metered-store.ts';

export function searchRoutes(context: EdgeContext): Hono {
  const routes = new Hono();
  const answer = async (c: Context, params: SearchParams) => {
    const { body, cost } = await context.search.search(c.req.param('index')!, params);
    c.header('x-csplade-cost', costHeader(cost));
    return c.json(body);
  };
  routes.post('/:index/search', async (c) => {
    const body = await readJsonBody(c.req.raw, {
      maxBytes: context.limits.maxBodyBytes,
      timeoutMs: context.limits.bodyTimeoutMs,
      refused: context.limits.refusedBody,
    });
    return answer(c, parseSearchBody(body, context.limits));
  });
  routes.get('/:index/search', async (c) =>
    answer(c, parseSearchQuery(new URL(c.req.url).searchParams, context.limits)),
  );
  routes.on(['PUT', 'DELETE', 'PATCH'], '/:index/search', () => {
    throw new ApiError(405, 'method_not_allowed', 'search accepts GET (?q=) and POST (JSON body)');
  });
  return routes;
}

export function costHeader(cost: RequestCost): string {
  return `subrequests=${cost.subrequests}; bytes=${cost.bytes}; cache_hits=${cost.cacheHits}`;
}
