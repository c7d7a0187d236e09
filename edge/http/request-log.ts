/**
 * One structured record per request, on Node and Workers alike: the request id (the caller's
 * X-Request-Id when it is a sane one, else a fresh UUID; echoed in the response), the route, and what a
 * search did — index, version, mode, k, the filter's fields (names, never values), status, latency, store
 * reads and bytes, cache hits per tier. Routes add what they know to the record of their request (found
 * by the Request object, so the nested route app needs no shared context); when the response is ready
 * the record is logged as one JSON line and handed to `observe` (the Node entry's Prometheus metrics).
 */
import type { MiddlewareHandler } from 'hono';
import type { RequestCost } from '../search/metered-store.ts';

export interface RequestRecord {
  readonly id: string;
  readonly method: string;
  /** The route's pattern (bounded label set), e.g. /v1/indexes/:index/search. */
  readonly route: string;
  index?: string;
  version?: string;
  mode?: string;
  k?: number;
  filter?: string[];
  /** Searches of a multi-search. */
  searches?: number;
  cost?: RequestCost;
  /** The error code of an error response. */
  error?: string;
}

/** A finished request: its record with status and latency. */
export interface FinishedRequest extends RequestRecord {
  readonly status: number;
  readonly latencyMs: number;
}

const records = new WeakMap<Request, RequestRecord>();

/** The record of the request being answered (undefined outside the middleware, e.g. direct route tests). */
export function recordOf(request: Request): RequestRecord | undefined {
  return records.get(request);
}

const SANE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Routes as bounded labels: path segments that name things become parameters. */
export function routeOf(path: string): string {
  if (path === '/v1/msearch') return path;
  const m = /^\/v1\/indexes(?:\/([^/]+)(?:\/(search|msearch|warm))?)?\/?$/.exec(path);
  if (m) return m[2] ? `/v1/indexes/:index/${m[2]}` : m[1] ? '/v1/indexes/:index' : '/v1/indexes';
  return ['/', '/healthz', '/readyz', '/metrics', '/openapi.json'].includes(path) ? path : 'unmatched';
}

export interface RequestLogOptions {
  readonly now: () => number;
  /** Where the JSON line goes (default console.log). */
  readonly log?: (line: string) => void;
  readonly observe?: (request: FinishedRequest) => void;
}

/** Middleware of the outer app: request id in and out, the record, the log line and the observer. */
export function requestLog(options: RequestLogOptions): MiddlewareHandler {
  const log = options.log ?? ((line: string) => console.log(line));
  return async (c, next) => {
    const started = options.now();
    const given = c.req.header('x-request-id');
    const id = given !== undefined && SANE_ID.test(given) ? given : crypto.randomUUID();
    const record: RequestRecord = { id, method: c.req.method, route: routeOf(new URL(c.req.url).pathname) };
    records.set(c.req.raw, record);
    await next();
    c.res.headers.set('x-request-id', id);
    const finished: FinishedRequest = { ...record, status: c.res.status, latencyMs: options.now() - started };
    log(JSON.stringify(lineOf(finished)));
    options.observe?.(finished);
  };
}

function lineOf(r: FinishedRequest): Record<string, unknown> {
  const hits = r.cost?.cacheHitsByTier;
  return {
    msg: 'request',
    request_id: r.id,
    method: r.method,
    route: r.route,
    status: r.status,
    latency_ms: r.latencyMs,
    ...(r.index !== undefined ? { index: r.index } : {}),
    ...(r.version !== undefined ? { version: r.version } : {}),
    ...(r.mode !== undefined ? { mode: r.mode } : {}),
    ...(r.k !== undefined ? { k: r.k } : {}),
    ...(r.filter !== undefined ? { filter: r.filter } : {}),
    ...(r.searches !== undefined ? { searches: r.searches } : {}),
    ...(r.cost
      ? {
          store_reads: r.cost.subrequests,
          bytes_read: r.cost.bytes,
          cache_hits: { memory: hits?.memory ?? 0, shared: hits?.shared ?? 0 },
        }
      : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}
