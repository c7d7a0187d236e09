/**
 * The search API as one Hono app built from injected dependencies: a store, an encoder factory, caches,
 * a clock, limits, API key hashes and CORS. The Workers entry (worker.ts) and the Node entry (node.ts)
 * only build these dependencies from their environment (and put their store under read deadlines);
 * everything the API does lives behind this function, so `app.request()` tests exercise the same code
 * both runtimes serve. The routes answer inside a request deadline (http/request-deadline.ts): the
 * outer app holds only CORS and that deadline, so a route that finishes late cannot touch the answer.
 *
 * @example const app = createApp({ store: new MemoryObjectStore(), encoderFactory });
 *          await app.request('/v1/indexes/demo/search?q=hello');
 */
import { type Context, type ErrorHandler, type ExecutionContext, Hono } from 'hono';
import { cors } from 'hono/cors';
import { DEFAULT_NETWORK_MODEL, type NetworkModel } from '../shared/store/network-model.ts';
import type { ObjectStore } from '../shared/store/object-store.ts';
import { ApiError, toApiError } from './http/api-error.ts';
import { requireApiKey } from './http/api-keys.ts';
import { discardUnreadBody } from './http/read-body.ts';
import { DEFAULT_READY_TIMEOUT_MS } from './http/readiness.ts';
import { answerWithin, DEFAULT_REQUEST_TIMEOUT_MS } from './http/request-deadline.ts';
import { type FinishedRequest, recordOf, requestLog } from './http/request-log.ts';
import { DEFAULT_SEARCH_LIMITS, SearchRequests } from './http/search-request.ts';
import type { EdgeContext, EdgeLimits, MetricsEndpoint } from './routes/context.ts';
import { indexRoutes } from './routes/indexes.ts';
import { metaRoutes } from './routes/meta.ts';
import { msearchRoutes } from './routes/msearch.ts';
import { searchRoutes } from './routes/search.ts';
import { ApproximatePath } from './search/approximate-path.ts';
import { ByteTiers, type SharedRangeCache } from './search/byte-tiers.ts';
import { IndexCatalog } from './search/catalog.ts';
import { DEFAULT_HEDGE_QUANTILE, hedgeAfterQuantile } from './search/hedging.ts';
import { type EncoderFactory, QueryCodecs } from './search/query-codec.ts';
import { SearchService } from './search/search-service.ts';
import { ShardPool } from './search/shard-pool.ts';

export type { EdgeContext, EdgeLimits, MetricsEndpoint } from './routes/context.ts';

/**
 * What the isolate keeps (bytes, not entries: a Worker isolate has 128 MB, so the defaults add up to
 * 64 MB) and the cache shared by the isolates of a location.
 */
export interface EdgeCaches {
  /** Bytes of opened shards (hot regions) kept in the isolate. */
  readonly maxHotBytes: number;
  /** Bytes of decoded posting lists kept in the isolate. */
  readonly maxPostingsBytes: number;
  /** Bytes of raw ranges (postings and stored fields read for exact search) kept in the isolate. */
  readonly maxRangeBytes: number;
  /** Bytes of decoded approximate-search data (routing, forward records) kept in the isolate. */
  readonly maxApproximateBytes: number;
  /** Immutable ranges across isolates (the Workers Cache API), when present. */
  readonly sharedCache?: SharedRangeCache;
}

export interface EdgeDeps {
  readonly store: ObjectStore;
  /** Builds a version's query encoder from its manifest descriptor and asset bytes. */
  readonly encoderFactory: EncoderFactory;
  /** Milliseconds, for TTLs and took_ms (default Date.now). */
  readonly now?: () => number;
  readonly limits?: Partial<EdgeLimits>;
  readonly caches?: Partial<EdgeCaches>;
  /** SHA-256 hex hashes of accepted API keys; empty or absent: no authentication. */
  readonly apiKeyHashes?: readonly string[];
  /** Allowed origins ('*' for any); absent: no CORS headers. */
  readonly corsOrigins?: '*' | readonly string[];
  /** Benchmarks and tests only: store reads pay this network model's latency, connections and budget. */
  readonly network?: NetworkModel;
  /** Top-k algorithm (shared/engine/registry.ts). */
  readonly algorithm?: string;
  /** Where unexpected (500) errors go; default console.error. */
  readonly logError?: (error: unknown) => void;
  /**
   * The deployment's public URL (https://search.example.com), the server URL of /openapi.json; absent,
   * the document names a relative one. Never taken from the Host header a caller sends.
   */
  readonly publicUrl?: string;
  /** Where each request's JSON log line goes (the entries: console.log); absent: not logged. */
  readonly log?: (line: string) => void;
  /** Told about every finished request (the Node entry's Prometheus metrics). */
  readonly observe?: (request: FinishedRequest) => void;
  /** GET /metrics (the Node entry: prom-client's registry); absent: no such route. */
  readonly metrics?: MetricsEndpoint;
}

export const DEFAULT_EDGE_LIMITS: EdgeLimits = {
  ...DEFAULT_SEARCH_LIMITS,
  shardTimeoutMs: 10_000,
  currentTtlMs: 5_000,
  hedgeQuantile: DEFAULT_HEDGE_QUANTILE,
  subrequestBudget: 50,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS,
  bodyTimeoutMs: 10_000,
  refusedBody: 'answer-then-discard',
};

export const DEFAULT_EDGE_CACHES: EdgeCaches = {
  maxHotBytes: 16 * 1024 * 1024,
  maxPostingsBytes: 8 * 1024 * 1024,
  maxRangeBytes: 8 * 1024 * 1024,
  maxApproximateBytes: 32 * 1024 * 1024,
};

export function createApp(deps: EdgeDeps): Hono {
  const now = deps.now ?? Date.now;
  const limits: EdgeLimits = { ...DEFAULT_EDGE_LIMITS, ...deps.limits };
  const caches: EdgeCaches = { ...DEFAULT_EDGE_CACHES, ...deps.caches };
  const catalog = new IndexCatalog({ currentTtlMs: limits.currentTtlMs, now });
  const context: EdgeContext = {
    store: deps.store,
    catalog,
    search: searchServiceOf(deps, catalog, limits, caches, now),
    limits,
    requests: new SearchRequests(limits),
    publicUrl: deps.publicUrl === undefined ? undefined : checkPublicUrl(deps.publicUrl),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  };
  const answerError = errorAnswer(deps.logError ?? ((error: unknown) => console.error(error)));
  const routes = routesOf(context, deps.apiKeyHashes ?? [], answerError);

  const app = new Hono();
  if (deps.corsOrigins) app.use('*', corsFor(deps.corsOrigins));
  app.use('*', requestLog({ now, log: deps.log ?? (() => {}), observe: deps.observe }));
  app.all('*', async (c) => {
    const response = await answerWithin(
      routes.fetch(c.req.raw, c.env, executionContextOf(c)),
      limits.requestTimeoutMs,
    );
    if (limits.refusedBody === 'discard-then-answer')
      await discardUnreadBody(c.req.raw, limits.bodyTimeoutMs);
    return response;
  });
  app.onError(answerError);
  return app;
}

/** The search service over the isolate's caches: byte tiers (hedged per the limits), shard pool, approximate path. */
function searchServiceOf(
  deps: EdgeDeps,
  catalog: IndexCatalog,
  limits: EdgeLimits,
  caches: EdgeCaches,
  now: () => number,
): SearchService {
  const model = deps.network?.params ?? DEFAULT_NETWORK_MODEL;
  const tiers = new ByteTiers(
    caches.maxRangeBytes,
    caches.sharedCache,
    model,
    limits.currentTtlMs,
    limits.hedgeQuantile > 0 ? hedgeAfterQuantile(model, limits.hedgeQuantile) : undefined,
  );
  const shards = new ShardPool(deps.store, tiers, caches);
  const approximate = new ApproximatePath(tiers, caches.maxApproximateBytes);
  return new SearchService(
    deps.store,
    catalog,
    new QueryCodecs(deps.encoderFactory),
    shards,
    tiers,
    approximate,
    {
      shardTimeoutMs: limits.shardTimeoutMs,
      maxQueryTerms: limits.maxQueryTerms,
      algorithm: deps.algorithm,
      subrequestBudget: limits.subrequestBudget,
      network: deps.network,
      now,
    },
  );
}

/** The routes, behind the API key where one is required, answering unknown paths and errors as JSON. */
function routesOf(context: EdgeContext, apiKeyHashes: readonly string[], answerError: ErrorHandler): Hono {
  const routes = new Hono();
  routes.use('/metrics', requireApiKey(apiKeyHashes));
  routes.route('/', metaRoutes(context));
  routes.use('/v1/*', requireApiKey(apiKeyHashes));
  routes.route('/v1/indexes', indexRoutes(context));
  routes.route('/v1/indexes', searchRoutes(context));
  routes.route('/v1', msearchRoutes(context));
  routes.notFound((c) =>
    c.json(
      new ApiError(404, 'no_route', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`).toBody(),
      404,
    ),
  );
  routes.onError(answerError);
  return routes;
}

/** The answer to an error: its status, headers and JSON body, its code in the request log; 500s logged. */
function errorAnswer(logError: (error: unknown) => void): ErrorHandler {
  return (error, c) => {
    const apiError = toApiError(error);
    if (apiError.status === 500) logError(error);
    const record = recordOf(c.req.raw);
    if (record) record.error = apiError.code;
    for (const [name, value] of Object.entries(apiError.headers())) c.header(name, value);
    return c.json(apiError.toBody(), apiError.status);
  };
}

function corsFor(origins: '*' | readonly string[]) {
  return cors({
    origin: origins === '*' ? '*' : [...origins],
    allowHeaders: ['authorization', 'content-type', 'x-request-id'],
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    exposeHeaders: ['x-csplade-cost', 'x-request-id', 'server-timing'],
    maxAge: 600,
  });
}

/** The Workers ExecutionContext when there is one (Node and app.request() have none). */
function executionContextOf(c: Context): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/** An absolute http(s) URL without a trailing slash; anything else is a configuration error at start-up. */
function checkPublicUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new Error(
      `PUBLIC_URL must be an absolute http(s) URL like https://search.example.com, got "${value}"`,
    );
  }
  return value.replace(/\/+$/, '');
}
