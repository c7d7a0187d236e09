/**
 * Cloudflare Workers entry: builds the app's dependencies from the environment (the R2 binding under read
 * deadlines, vars, the API_KEY_HASHES secret, the Cache API) once per isolate and hands every request to
 * the one Hono app. Nothing here knows about search; caches live as long as the isolate because the app does.
 */
import type { Hono } from 'hono';
import { preloadEncoderFactories } from '../shared/encoders/declarations.ts';
import { DEFAULT_STORE_READ_TIMEOUT_MS, withDeadlines } from '../shared/store/deadline.ts';
import { NetworkModel, type NetworkModelParams } from '../shared/store/network-model.ts';
import { R2BindingObjectStore } from '../shared/store/r2-binding.ts';
import { createApp, DEFAULT_EDGE_LIMITS } from './app.ts';
import { parseKeyHashes } from './http/api-keys.ts';
import { withFairTurns } from './http/fair-turns.ts';
import type { SharedRangeCache } from './search/byte-tiers.ts';
import { registryEncoderFactory } from './search/query-codec.ts';

/**
 * Secrets are not in wrangler.jsonc, so `wrangler types` cannot list them: `wrangler secret put API_KEY_HASHES`.
 * NETWORK_MODEL (JSON of shared/store/network-model.ts parameters, plus an optional seed) is set only by
 * benchmarks and tests that run this Worker in workerd; no deploy config sets it
 * (test/infra/wrangler-config.test.ts checks).
 */
type WorkerEnv = Env & {
  readonly API_KEY_HASHES?: string;
  readonly NETWORK_MODEL?: string;
  /** An API key (whose hash is in API_KEY_HASHES) the scheduled warm-up presents: `wrangler secret put`. */
  readonly WARM_API_KEY?: string;
};

let built: { env: WorkerEnv; app: Hono } | undefined;

function appFor(env: WorkerEnv): Hono {
  // Bindings are the same object for every request of an isolate; rebuild only if they change (tests).
  if (built?.env === env) return built.app;
  const cors = String(env.CORS_ORIGINS ?? '').trim();
  const publicUrl = String(env.PUBLIC_URL ?? '').trim();
  const app = createApp({
    store: withDeadlines(new R2BindingObjectStore(env.BUCKET, { name: 'BUCKET' }), {
      readMs: positive(env.STORE_TIMEOUT_MS, DEFAULT_STORE_READ_TIMEOUT_MS),
      name: 'R2 bucket BUCKET',
    }),
    encoderFactory: registryEncoderFactory,
    apiKeyHashes: parseKeyHashes(env.API_KEY_HASHES),
    corsOrigins: cors === '' ? undefined : cors === '*' ? '*' : cors.split(',').map((o) => o.trim()),
    limits: {
      currentTtlMs: positive(env.CURRENT_TTL_MS, 5_000),
      hedgeQuantile: hedgeQuantileOf(env.HEDGE_QUANTILE),
      subrequestBudget: positive(env.SUBREQUEST_BUDGET, 50),
      requestTimeoutMs: positive(env.REQUEST_TIMEOUT_MS, DEFAULT_EDGE_LIMITS.requestTimeoutMs),
      readyTimeoutMs: positive(env.READY_TIMEOUT_MS, DEFAULT_EDGE_LIMITS.readyTimeoutMs),
      bodyTimeoutMs: positive(env.BODY_TIMEOUT_MS, DEFAULT_EDGE_LIMITS.bodyTimeoutMs),
      maxBodyBytes: positive(env.MAX_BODY_BYTES, DEFAULT_EDGE_LIMITS.maxBodyBytes),
      // workerd resets a connection whose request body was left unread: discard the rest, then answer.
      refusedBody: 'discard-then-answer',
    },
    ...(publicUrl === '' ? {} : { publicUrl }),
    caches: String(env.SHARED_CACHE) === 'cache-api' ? { sharedCache: cacheApiRanges() } : {},
    network: networkModel(env.NETWORK_MODEL),
    // One JSON line per request: what Workers Logs and Logpush keep.
    log: (line) => console.log(line),
  });
  built = { env, app };
  return app;
}

/** HEDGE_QUANTILE: a quantile in (0, 1), or 0 for no hedged reads; unset or unreadable, the default. */
function hedgeQuantileOf(value: unknown): number {
  const n = Number(value);
  return value !== undefined && String(value).trim() !== '' && Number.isFinite(n) && n >= 0 && n < 1
    ? n
    : DEFAULT_EDGE_LIMITS.hedgeQuantile;
}

function positive(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

function networkModel(json: string | undefined): NetworkModel | undefined {
  if (!json) return undefined;
  const { seed, ...params } = JSON.parse(json) as Partial<NetworkModelParams> & { seed?: number };
  return new NetworkModel(params, seed ?? 1);
}

/** Ranges in the data center's cache: keys name immutable version files, so entries never go stale. */
function cacheApiRanges(): SharedRangeCache | undefined {
  if (typeof caches === 'undefined') return undefined;
  const url = (key: string) => `https://csplade.cache/${encodeURIComponent(key)}`;
  return {
    async match(key: string) {
      const response = await caches.default.match(url(key));
      return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
    },
    async put(key: string, bytes: Uint8Array, ttlSeconds?: number) {
      const control =
        ttlSeconds === undefined ? 'public, max-age=604800, immutable' : `public, max-age=${ttlSeconds}`;
      await caches.default.put(url(key), new Response(bytes, { headers: { 'cache-control': control } }));
    },
  };
}

/**
 * Scheduled handler (a cron trigger in wrangler.jsonc): warms the current version of every index into
 * the location's Cache API, so a fresh isolate after a publish finds what a cold query needs there.
 */
async function warmAll(env: WorkerEnv): Promise<void> {
  const app = appFor(env);
  const list = await app.request('/v1/indexes', { headers: warmHeaders(env) });
  const { indexes } = (await list.json()) as { indexes: { name: string }[] };
  for (const { name } of indexes) {
    await app.request(`/v1/indexes/${encodeURIComponent(name)}/warm`, {
      method: 'POST',
      headers: warmHeaders(env),
    });
  }
}

/** The scheduled handler is inside the Worker: it may skip the API key check with a per-isolate token. */
function warmHeaders(env: WorkerEnv): Record<string, string> {
  return env.WARM_API_KEY ? { authorization: `Bearer ${env.WARM_API_KEY}` } : {};
}

// At script start, not in the first request (see preloadEncoderFactories).
preloadEncoderFactories().catch(() => undefined);

/** Concurrent requests of the isolate take turns with the sockets workerd has not read yet (fair-turns.ts). */
const fetchInTurns = withFairTurns((request: Request, env: WorkerEnv, ctx: ExecutionContext) =>
  appFor(env).fetch(request, env, ctx),
);

export default {
  // The execution context lets work that outlives the response (Cache API puts) finish: waitUntil.
  fetch(request, env, ctx) {
    return fetchInTurns(request, env, ctx);
  },
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(warmAll(env));
  },
} satisfies ExportedHandler<WorkerEnv>;
