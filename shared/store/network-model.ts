/**
 * A store decorator that makes a local store (a folder, Miniflare's local R2) answer like object storage
 * over a network, for benchmarks and tests only — never switched on by a deploy config. Per request:
 *
 * - time to first byte per GET, log-normal with the given median and 99th percentile (defaults 30 and
 *   150 ms: first-byte latency dominates small reads on S3-class stores, Durner et al., PVLDB 2023);
 * - transfer at `bandwidthMBps` per request (default 55 MB/s, within the 25–95 MiB/s per request those
 *   measurements report);
 * - at most `connections` requests in flight (default 6: a Worker's simultaneous open connections per
 *   invocation, which R2 gets, Cache API calls and fetches all count against; the 7th waits);
 * - the plan's subrequest budget (Workers Free 50, Paid 10,000 by default): the request after the last
 *   one fails with SubrequestBudgetError, as a Worker's does.
 *
 * Each request (one search) gets its own `NetworkSession` from `session(seed)`: its own connection slots,
 * budget and seeded latency draws, so a run replays from its seed. The session's `slot` lets other I/O
 * of the request (a Cache API lookup) hold a connection the way Workers count it.
 */
import { CspladeError } from '../errors.ts';
import { mulberry32 } from '../random.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';

export interface NetworkModelParams {
  readonly ttfbMedianMs: number;
  readonly ttfbP99Ms: number;
  readonly bandwidthMBps: number;
  readonly connections: number;
  readonly subrequestBudget: number;
}

export const WORKERS_FREE_SUBREQUESTS = 50;
export const WORKERS_PAID_SUBREQUESTS = 10_000;

export const DEFAULT_NETWORK_MODEL: NetworkModelParams = {
  ttfbMedianMs: 30,
  ttfbP99Ms: 150,
  bandwidthMBps: 55,
  connections: 6,
  subrequestBudget: WORKERS_PAID_SUBREQUESTS,
};

/** The request spent its plan's subrequests (Workers: "Too many subrequests"). */
export class SubrequestBudgetError extends CspladeError {
  constructor(budget: number) {
    super('subrequest_budget', `this request has used all ${budget} subrequests its plan allows`);
  }
}

const Z99 = 2.3263478740408408;
const MAX_TRACE = 256;

/** One I/O of a request: a store request, or a Cache API call holding a connection ('slot'). */
export interface NetworkTraceEntry {
  readonly kind: 'store' | 'slot';
  /** When it asked for a connection, got one, and finished (ms from the request's start). */
  readonly queued_ms: number;
  readonly started_ms: number;
  readonly ended_ms: number;
  readonly bytes: number;
}

/** Checks parameters and fills defaults; throws RangeError naming a bad one. */
export function networkModelParams(params?: Partial<NetworkModelParams>): NetworkModelParams {
  const p = { ...DEFAULT_NETWORK_MODEL, ...params };
  const positive = (name: keyof NetworkModelParams) => {
    if (!(Number.isFinite(p[name]) && p[name] > 0))
      throw new RangeError(`network model: ${name} must be > 0, got ${p[name]}`);
  };
  for (const name of [
    'ttfbMedianMs',
    'ttfbP99Ms',
    'bandwidthMBps',
    'connections',
    'subrequestBudget',
  ] as const)
    positive(name);
  if (p.ttfbP99Ms < p.ttfbMedianMs) throw new RangeError('network model: ttfbP99Ms must be ≥ ttfbMedianMs');
  if (!Number.isInteger(p.connections)) throw new RangeError('network model: connections must be an integer');
  return p;
}

/** A counting semaphore: the request's open connections. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  peak = 0;
  constructor(readonly size: number) {
    this.#free = size;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.peak = Math.max(this.peak, this.size - this.#free);
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request's view of the network: slots, budget, seeded draws. */
export class NetworkSession {
  readonly #slots: Slots;
  readonly #random: () => number;
  readonly #sigma: number;
  #subrequests = 0;
  /** Milliseconds this request's store reads spent waiting for a connection, first byte and transfer. */
  waitedMs = 0;
  /**
   * What this request's I/O did, in order of completion (ms from the session's start): benchmarks read it
   * to see which wave of reads a cold query's time went to. Bounded, so a long request cannot grow it.
   */
  readonly trace: NetworkTraceEntry[] = [];
  readonly #startedAt = Date.now();

  constructor(
    readonly params: NetworkModelParams,
    seed: number,
    private readonly sleep: Sleep = realSleep,
  ) {
    this.#slots = new Slots(params.connections);
    this.#random = mulberry32(seed);
    this.#sigma = Math.log(params.ttfbP99Ms / params.ttfbMedianMs) / Z99;
  }

  get subrequests(): number {
    return this.#subrequests;
  }

  /** Most requests this session had in flight at once. */
  get peakConnections(): number {
    return this.#slots.peak;
  }

  /** A time-to-first-byte draw (ms): log-normal, median and 99th percentile as configured. */
  drawTtfb(): number {
    // Box–Muller from two uniform draws.
    const u = Math.max(1e-12, this.#random());
    const v = this.#random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return this.params.ttfbMedianMs * Math.exp(this.#sigma * z);
  }

  transferMs(bytes: number): number {
    return bytes / (this.params.bandwidthMBps * 1000);
  }

  /** Runs `task` holding one connection (the 7th caller waits), without latency: a Cache API call. */
  async slot<T>(task: () => Promise<T>): Promise<T> {
    const queued = Date.now();
    await this.#slots.acquire();
    const started = Date.now();
    try {
      return await task();
    } finally {
      this.#slots.release();
      this.#record({ kind: 'slot', queued, started, bytes: 0 });
    }
  }

  #record(entry: { kind: NetworkTraceEntry['kind']; queued: number; started: number; bytes: number }): void {
    if (this.trace.length >= MAX_TRACE) return;
    const at = (t: number) => t - this.#startedAt;
    this.trace.push({
      kind: entry.kind,
      queued_ms: at(entry.queued),
      started_ms: at(entry.started),
      ended_ms: at(Date.now()),
      bytes: entry.bytes,
    });
  }

  /**
   * Runs a store request: budget, a connection, then the read, taking in all a first-byte draw plus its
   * transfer time. The local store's own time counts toward that total (it is not added on top), so the
   * request costs what the model says, not the model plus this machine's disk.
   */
  async request<T>(task: () => Promise<T>, bytesOf: (result: T) => number): Promise<T> {
    if (this.#subrequests >= this.params.subrequestBudget)
      throw new SubrequestBudgetError(this.params.subrequestBudget);
    this.#subrequests++;
    const started = Date.now();
    await this.#slots.acquire();
    const reading = Date.now();
    let bytes = 0;
    try {
      const ttfb = this.drawTtfb();
      const result = await task();
      bytes = bytesOf(result);
      const spent = Date.now() - reading;
      await this.sleep(Math.max(0, ttfb + this.transferMs(bytes) - spent));
      return result;
    } finally {
      this.#slots.release();
      this.waitedMs += Date.now() - started;
      this.#record({ kind: 'store', queued: started, started: reading, bytes });
    }
  }

  /** `store` as this session sees it: every call pays the model. */
  wrap(store: ObjectStore): ObjectStore {
    const none = () => 0;
    return {
      get: (key) =>
        this.request(
          () => store.get(key),
          (r) => r?.bytes.length ?? 0,
        ),
      getRange: (key, offset, length) =>
        this.request(
          () => store.getRange(key, offset, length),
          (b) => b.length,
        ),
      head: (key: string): Promise<ObjectInfo | null> => this.request(() => store.head(key), none),
      put: (key: string, bytes: Uint8Array, options?: PutOptions) =>
        this.request(() => store.put(key, bytes, options), none),
      list: (prefix) => this.request(() => store.list(prefix), none),
      listPrefixes: (prefix) => this.request(() => store.listPrefixes(prefix), none),
      delete: (key) => this.request(() => store.delete(key), none),
    };
  }
}

/** Sessions of one model; `seed` makes each request's draws replayable (base seed + request number). */
export class NetworkModel {
  readonly params: NetworkModelParams;
  #requests = 0;
  constructor(
    params?: Partial<NetworkModelParams>,
    private readonly seed = 1,
    private readonly sleep?: Sleep,
  ) {
    this.params = networkModelParams(params);
  }

  session(): NetworkSession {
    return new NetworkSession(
      this.params,
      (this.seed + Math.imul(++this.#requests, 0x9e3779b1)) >>> 0,
      this.sleep,
    );
  }
}
