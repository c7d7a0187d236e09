/**
 * The cost report of one request. Each request wraps the shared store in its own `counting` decorator
 * (shared/store/counting.ts), so concurrent requests never mix their counts; caches sit in front of it,
 * so a warm request that re-reads nothing reports zero. Reads made outside the request's store (the
 * shard reader's stored-field reads) are added by the search service as `extra`.
 */
import { counting } from '../../shared/store/counting.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

export type CacheTier = 'memory' | 'shared';

export class RequestCost {
  readonly #counted: ReturnType<typeof counting>;
  /** Reads answered by a cache instead of the store, per tier (isolate memory, shared Cache API). */
  readonly cacheHitsByTier: Record<CacheTier, number> = { memory: 0, shared: 0 };
  #extraRequests = 0;
  #extraBytes = 0;

  constructor(counted: ReturnType<typeof counting>) {
    this.#counted = counted;
  }

  /** Store requests (each one a Worker subrequest). */
  get subrequests(): number {
    return this.#counted.counts().total.requests + this.#extraRequests;
  }

  /** Bytes read from the store. */
  get bytes(): number {
    return this.#counted.counts().total.bytesRead + this.#extraBytes;
  }

  /** Reads answered by the shared cache (what the cost header has always called cache hits). */
  get cacheHits(): number {
    return this.cacheHitsByTier.shared;
  }

  hit(tier: CacheTier): void {
    this.cacheHitsByTier[tier]++;
  }

  add(requests: number, bytes: number): void {
    this.#extraRequests += requests;
    this.#extraBytes += bytes;
  }
}

/** A per-request counting view of `store` and the cost it accumulates. */
export function meteredStore(store: ObjectStore): { store: ObjectStore; cost: RequestCost } {
  const counted = counting(store);
  return { store: counted, cost: new RequestCost(counted) };
}
