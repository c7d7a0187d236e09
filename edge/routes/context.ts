/**
 * What the route modules receive from the app (edge/app.ts builds it once): the store, the catalog, the
 * search service, the limits and the request validation. Its own module so that the routes depend on
 * this contract and not on the app that mounts them.
 */
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { RefusedBody } from '../http/read-body.ts';
import type { SearchLimits, SearchRequests } from '../http/search-request.ts';
import type { IndexCatalog } from '../search/catalog.ts';
import type { SearchService } from '../search/search-service.ts';

export interface EdgeLimits extends SearchLimits {
  /** Deadline of one attempt at one shard (ms); a failed attempt is retried once. */
  readonly shardTimeoutMs: number;
  /** How long a CURRENT pointer is trusted before it is read again (ms). */
  readonly currentTtlMs: number;
  /**
   * A store read slower than this quantile of the modelled first byte (plus its transfer) is sent once
   * more, the first answer winning (edge/search/hedging.ts); 0 sends none.
   */
  readonly hedgeQuantile: number;
  /** Most store requests per query (Workers free plan: 50 subrequests). */
  readonly subrequestBudget: number;
  /** Deadline of a whole request (ms): past it the answer is 503 `deadline_exceeded` with Retry-After. */
  readonly requestTimeoutMs: number;
  /** Deadline of the readiness check of /readyz (ms). */
  readonly readyTimeoutMs: number;
  /** Most milliseconds a request body may take to arrive (a slower one is a 408). */
  readonly bodyTimeoutMs: number;
  /**
   * Whether body bytes the app does not keep (the rest of a body over maxBodyBytes, a body no route
   * reads) are discarded after answering (Node) or before (workerd resets a connection whose body was
   * left unread, losing the answer): http/read-body.ts.
   */
  readonly refusedBody: RefusedBody;
}

/** What GET /metrics serves. */
export interface MetricsEndpoint {
  readonly contentType: string;
  render(): Promise<string>;
}

/** What route modules receive. */
export interface EdgeContext {
  readonly store: ObjectStore;
  readonly catalog: IndexCatalog;
  readonly search: SearchService;
  readonly limits: EdgeLimits;
  /** Validation of search requests against the limits (the schema built once). */
  readonly requests: SearchRequests;
  /** The OpenAPI server URL, when one is configured. */
  readonly publicUrl?: string;
  readonly metrics?: MetricsEndpoint;
}
