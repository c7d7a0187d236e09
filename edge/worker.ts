/**
 * Cloudflare Workers entry: builds the app's dependencies from the environment (the R2 binding under read
 * deadlines, vars, the API_KEY_HASHES secret, the Cache API) once per isolate and hands every request to
 * the one Hono app. Nothing here knows about search; caches live as long as the isolate because the app does.
 */
import type { Hono } from 'hono';
import { DEFAULT_STORE_READ_TIMEOUT_MS, withDeadlines } from '../shared/store/deadline.ts';
import { R2BindingObjectStore } from '../shared/store/r2-binding.ts';
import { createApp, DEFAULT_EDGE_LIMITS } from './app.ts';
import { parseKeyHashes } from './http/api-keys.ts';
import { registryEncoderFactory } from './search/query-codec.ts';
import type { HotRegionCache } from './search/shard-pool.ts';

/** Secrets are not in wrangler.jsonc, so `wrangler types` cannot list them: `wrangler secret put API_KEY_HASHES`. */
type WorkerEnv = Env & { readonly API_KEY_HASHES?: string };

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
      subrequestBudget: positive(env.SUBREQUEST_BUDGET, 50),
      requestTimeoutMs: positive(env.REQUEST_TIMEOUT_MS, DEFAULT_EDGE_LIMITS.requestTimeoutMs),
      readyTimeoutMs: positive(env.READY_TIMEOUT_MS, DEFAULT_EDGE_LIMITS.readyTimeoutMs),
      bodyTimeoutMs: positive(env.BODY_TIMEOUT_MS, DEFAULT_EDGE_LIMITS.bodyTimeoutMs),
      maxBodyBytes: positive(env.MAX_BODY_BYTES, DEFAULT_EDGE_LIMITS.maxBodyBytes),
      // workerd resets a connection whose request body was left unread: discard the rest, then answer.
      refusedBody: 'discard-then-answer',
    },
    ...(publicUrl === '' ? {} : { publicUrl }),
    readPlan: { maxReadsPerShard: positive(env.POSTINGS_READS_PER_SHARD, 3) },
    caches: String(env.HOT_REGION_CACHE) === 'cache-api' ? { hotRegionCache: cacheApiHotRegions() } : {},
  });
  built = { env, app };
  return app;
}

function positive(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Hot regions in the data center's cache: keys name immutable version files, so entries never go stale. */
function cacheApiHotRegions(): HotRegionCache | undefined {
  if (typeof caches === 'undefined') return undefined;
  const url = (key: string) => `https://csplade.cache/${encodeURIComponent(key)}`;
  return {
    async match(key) {
      const response = await caches.default.match(url(key));
      return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      await caches.default.put(
        url(key),
        new Response(bytes, { headers: { 'cache-control': 'public, max-age=604800, immutable' } }),
      );
    },
  };
}

export default {
  fetch(request, env) {
    return appFor(env).fetch(request, env);
  },
} satisfies ExportedHandler<WorkerEnv>;
