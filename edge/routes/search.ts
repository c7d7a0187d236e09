/**
 * The search endpoints: POST /v1/indexes/:index/search with a JSON body and GET with ?q= for browsers
 * and curl. Both validate into the same SearchParams and call the one SearchService; the cost of every
 * answer (subrequests, bytes) is in the `x-csplade-cost` header, and in the body with `debug`.
 */
import { type Context, Hono } from 'hono';
import { ApiError } from '../http/api-error.ts';
import { readJsonBody } from '../http/read-body.ts';
import { recordOf } from '../http/request-log.ts';
import type { RequestCost } from '../search/metered-store.ts';
import type { SearchParams } from '../search/search-params.ts';
import type { EdgeContext } from './context.ts';

export function searchRoutes(context: EdgeContext): Hono {
  const routes = new Hono();
  const answer = async (c: Context, params: SearchParams) => {
    const { body, cost, timer, filterFields } = await context.search.search(
      c.req.param('index')!,
      params,
      deferTo(c),
    );
    const record = recordOf(c.req.raw);
    if (record) {
      Object.assign(record, { index: body.index, version: body.version, mode: body.mode, k: params.k, cost });
      if (filterFields) record.filter = filterFields;
    }
    c.header('x-csplade-cost', costHeader(cost));
    c.header('server-timing', timer.header());
    return c.json(body);
  };
  routes.post('/:index/search', async (c) => {
    const body = await readJsonBody(c.req.raw, {
      maxBytes: context.limits.maxBodyBytes,
      timeoutMs: context.limits.bodyTimeoutMs,
      refused: context.limits.refusedBody,
    });
    return answer(c, context.requests.fromBody(body));
  });
  routes.get('/:index/search', async (c) =>
    answer(c, context.requests.fromQuery(new URL(c.req.url).searchParams)),
  );
  // Warm a version's caches after a publish (the Worker's scheduled handler does the same on a timer).
  // Cache puts are awaited here (not deferred): a warm-up is done when its bytes are in the caches.
  routes.post('/:index/warm', async (c) => {
    const pending: Promise<unknown>[] = [];
    const result = await context.search.warm(c.req.param('index')!, (task) => pending.push(task));
    await Promise.all(pending);
    return c.json(result);
  });
  routes.on(['PUT', 'DELETE', 'PATCH'], '/:index/search', () => {
    throw new ApiError(405, 'method_not_allowed', 'search accepts GET (?q=) and POST (JSON body)');
  });
  return routes;
}

export function costHeader(cost: RequestCost): string {
  const hits = cost.cacheHitsByTier;
  return `subrequests=${cost.subrequests}; bytes=${cost.bytes}; cache_hits=${cost.cacheHits}; memory_hits=${hits.memory}`;
}

/** Work that may outlive the response: Workers' waitUntil when there is one, else run and forget. */
export function deferTo(c: Context): (task: Promise<unknown>) => void {
  return (task) => {
    const guarded = task.catch(() => undefined);
    try {
      c.executionCtx.waitUntil(guarded);
    } catch {
      // No execution context (Node, app.request in tests): the task runs on its own.
    }
  };
}
