/**
 * The one road from "bytes a query needs" to the store. Index files are immutable per version (a new
 * version has new keys), so every byte range can be cached forever under its object key and range:
 *
 *   isolate memory (byte-bounded LRU, RangeCache)  →  shared cache (the Workers Cache API, per location)
 *   →  the store, through the read planner (coalesced ranges, ≤ connections in flight, within budget)
 *
 * Every store read goes through the request's metered (and, in benchmarks, network-modelled) store, so
 * the request's cost report counts every byte and subrequest; hits are counted per tier. Callers that
 * keep decoded objects of their own (shard readers, forward records, the routing index) ask for bytes
 * with `keep: false` so the isolate does not hold them twice. Concurrent requests of one isolate (the
 * searches of a multi-search, or simply simultaneous users) that need the same range share one read of
 * it: a range being read is waited for, not read again.
 */

import { DEFAULT_NETWORK_MODEL, type NetworkSession } from '../../shared/store/network-model.ts';
import type { ObjectInfo, ObjectStore } from '../../shared/store/object-store.ts';
import { type HedgePolicy, hedged } from './hedging.ts';
import type { RequestCost } from './metered-store.ts';
import { RangeCache } from './range-cache.ts';
import { type NeededRange, type PlanModel, planRanges } from './read-planner.ts';

/** A cache shared by isolates (the Workers Cache API), keyed by immutable object ranges. */
export interface SharedRangeCache {
  match(id: string): Promise<Uint8Array | undefined>;
  /** Keeps `bytes` under `id`; for `ttlSeconds` only when given (mutable objects), else for good. */
  put(id: string, bytes: Uint8Array, ttlSeconds?: number): Promise<void>;
}

/** What one request reads through: its store view, its cost, its network session, its deferred work. */
export interface QueryIo {
  readonly store: ObjectStore;
  readonly cost: RequestCost;
  /** Present when a network model is on: Cache API calls hold one of its connections. */
  readonly session?: NetworkSession;
  /** Most store requests this request may still make. */
  budgetLeft(): number;
  /** Work that may finish after the response (Workers: waitUntil). */
  defer(task: Promise<unknown>): void;
  /**
   * Set when one of a version's immutable objects (its manifest, its routing object: what every query
   * of the version reads first) missed the shared cache: no query of this version has been served at
   * this location (or the cache evicted it), so the rest of the request's ranges would miss too — it
   * reads them from the store without a lookup per range, each of which holds a connection.
   */
  sharedCold?: boolean;
  /** Store reads this request sent a second time because the first was slow (edge/search/hedging.ts). */
  hedges?: number;
}

export interface ReadOptions {
  /** Keep the bytes in the isolate's range cache (default true). */
  readonly keep?: boolean;
  /** Offer the bytes to the shared cache (default true). */
  readonly share?: boolean;
  /** Most store requests these reads may make (default: what the request has left). */
  readonly maxReads?: number;
}

export class ByteTiers {
  readonly memory: RangeCache;
  /** Ranges being read now, by rangeId, so a concurrent request waits for them instead of reading again. */
  readonly #inFlight = new Map<string, Promise<Uint8Array>>();

  constructor(
    maxMemoryBytes: number,
    private readonly shared?: SharedRangeCache,
    private readonly model: PlanModel = DEFAULT_NETWORK_MODEL,
    /** How long CURRENT may be served from the shared cache (the isolates' own CURRENT TTL). */
    private readonly currentTtlMs = 0,
    /** When to send a slow store read again (absent: never). */
    private readonly hedge?: HedgePolicy,
  ) {
    this.memory = new RangeCache(maxMemoryBytes);
  }

  /** The bytes of each needed range, in input order. */
  async read(needed: readonly NeededRange[], io: QueryIo, options: ReadOptions = {}): Promise<Uint8Array[]> {
    const out: (Uint8Array | undefined)[] = needed.map((r) => this.memory.find(r.key, r.offset, r.length));
    for (const bytes of out) if (bytes) io.cost.hit('memory');
    const waits: Promise<void>[] = [];
    const mine: number[] = [];
    for (let i = 0; i < needed.length; i++) {
      if (out[i]) continue;
      const pending = this.#inFlight.get(rangeId(needed[i]));
      if (!pending) {
        mine.push(i);
        continue;
      }
      io.cost.hit('memory');
      waits.push(
        pending.then((bytes) => {
          out[i] = bytes;
        }),
      );
    }
    const settle = this.#claim(needed, mine);
    try {
      await this.#fetch(needed, mine, out, io, options);
      settle((i) => out[i]);
    } catch (error) {
      settle(() => undefined, error);
      throw error;
    }
    await Promise.all(waits);
    return out as Uint8Array[];
  }

  /**
   * Registers ranges `which` as being read by this request; the returned function settles them (with
   * the bytes read, or the error) and forgets them.
   */
  #claim(
    needed: readonly NeededRange[],
    which: readonly number[],
  ): (bytesOf: (i: number) => Uint8Array | undefined, error?: unknown) => void {
    const deferred = which.map((i) => {
      let resolve!: (bytes: Uint8Array) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<Uint8Array>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined); // nobody may be waiting
      const id = rangeId(needed[i]);
      if (!this.#inFlight.has(id)) this.#inFlight.set(id, promise);
      return { i, id, promise, resolve, reject };
    });
    return (bytesOf, error) => {
      for (const d of deferred) {
        const bytes = bytesOf(d.i);
        if (bytes) d.resolve(bytes);
        else d.reject(error ?? new Error(`range ${d.id} was not read`));
        if (this.#inFlight.get(d.id) === d.promise) this.#inFlight.delete(d.id);
      }
    };
  }

  /** Reads ranges `which` of `needed` into `out`: the shared cache first, then the store as planned. */
  async #fetch(
    needed: readonly NeededRange[],
    which: readonly number[],
    out: (Uint8Array | undefined)[],
    io: QueryIo,
    options: ReadOptions,
  ): Promise<void> {
    let missing = [...which];
    if (missing.length > 0 && this.shared && !io.sharedCold) {
      const found = await Promise.all(missing.map((i) => this.#matchShared(needed[i], io)));
      missing.forEach((i, j) => {
        const bytes = found[j];
        if (bytes && bytes.length === needed[i].length) {
          out[i] = bytes;
          io.cost.hit('shared');
          if (options.keep !== false) this.memory.put(needed[i].key, needed[i].offset, bytes);
        }
      });
      missing = missing.filter((i) => !out[i]);
    }
    if (missing.length > 0) {
      const ranges = missing.map((i) => needed[i]);
      const plan = planRanges(ranges, this.model, Math.max(1, options.maxReads ?? io.budgetLeft()));
      await runLimited(plan, this.model.connections, async (read) => {
        const bytes = await this.#storeRead(io, read.length, () =>
          io.store.getRange(read.key, read.offset, read.length),
        );
        for (const p of read.parts) {
          const r = ranges[p];
          const start = r.offset - read.offset;
          // A part of a coalesced read gets its own copy, so caching it does not pin the whole read.
          const part =
            read.parts.length === 1 && start === 0 && r.length === bytes.length
              ? bytes
              : bytes.slice(start, start + r.length);
          out[missing[p]] = part;
          if (options.keep !== false) this.memory.put(r.key, r.offset, part);
          if (options.share !== false && this.shared)
            io.defer(this.shared.put(rangeId(r), part).catch(() => undefined));
        }
      });
    }
  }

  /**
   * A whole immutable object (a manifest, an encoder asset): shared cache, then the store; null when
   * absent. Callers decode and keep what they need, so the isolate does not hold the bytes here.
   */
  async readObject(
    key: string,
    io: QueryIo,
    /** The object's size when known: its read is then hedged when slow (unknown: never, see below). */
    expectedBytes?: number,
  ): Promise<Uint8Array | null> {
    const id = `${key}#object`;
    if (this.shared) {
      const lookup = () => this.shared!.match(id).catch(() => undefined);
      const hit = await (io.session ? io.session.slot(lookup) : lookup());
      if (hit) {
        io.cost.hit('shared');
        return hit;
      }
    }
    if (this.shared) io.sharedCold = true;
    // A duplicate of a large read of unknown size (a routing object read before its manifest says how
    // large) would hold a connection for its whole transfer, likely in vain: such reads are not hedged.
    const read = () => io.store.get(key);
    const object = await (expectedBytes === undefined ? read() : this.#storeRead(io, expectedBytes, read));
    if (object && this.shared) io.defer(this.shared.put(id, object.bytes).catch(() => undefined));
    return object?.bytes ?? null;
  }

  /**
   * The request's store as index readers should see it: objects of a version (immutable: their keys hold
   * the version) through the tiers, everything else — CURRENT, listings — from the store.
   */
  view(io: QueryIo): ObjectStore {
    return {
      ...io.store,
      get: async (key) => {
        if (key.endsWith('/CURRENT')) return this.#readCurrent(key, io);
        if (!isImmutableKey(key)) return io.store.get(key);
        // A manifest is small (kilobytes): its read may be hedged; other objects' sizes are unknown here.
        const bytes = await this.readObject(key, io, key.endsWith(MANIFEST_SUFFIX) ? 0 : undefined);
        return bytes ? { bytes, info: { key, size: bytes.length, etag: '' } } : null;
      },
      getRange: async (key, offset, length) => (await this.read([{ key, offset, length }], io))[0],
      head: (key) => io.store.head(key),
      put: (key, bytes, options) => io.store.put(key, bytes, options),
      list: (prefix) => io.store.list(prefix),
      listPrefixes: (prefix) => io.store.listPrefixes(prefix),
      delete: (key) => io.store.delete(key),
    };
  }

  /**
   * CURRENT through the shared cache for at most the CURRENT TTL (whole seconds): a fresh isolate of a
   * location that another isolate served a moment ago need not read it from the store. A publish is
   * seen by every isolate within twice the TTL.
   */
  async #readCurrent(key: string, io: QueryIo): Promise<{ bytes: Uint8Array; info: ObjectInfo } | null> {
    const ttlSeconds = Math.floor(this.currentTtlMs / 1000);
    if (!this.shared || ttlSeconds < 1) return this.#storeRead(io, 0, () => io.store.get(key));
    const id = `${key}#current`;
    const lookup = () => this.shared!.match(id).catch(() => undefined);
    const hit = await (io.session ? io.session.slot(lookup) : lookup());
    if (hit) {
      io.cost.hit('shared');
      return { bytes: hit, info: { key, size: hit.length, etag: '' } };
    }
    const object = await this.#storeRead(io, 0, () => io.store.get(key));
    if (object) io.defer(this.shared.put(id, object.bytes, ttlSeconds).catch(() => undefined));
    return object;
  }

  /** A store request of about `bytes`, hedged when it is slow (edge/search/hedging.ts). */
  #storeRead<T>(io: QueryIo, bytes: number, read: () => Promise<T>): Promise<T> {
    return hedged(io, this.hedge, this.model.connections, bytes, read);
  }

  /** Drops what the isolate holds of an object (found corrupt: the next request reads it again). */
  forget(key: string): void {
    this.memory.forget(key);
    this.abandon(key);
  }

  /**
   * Stops sharing the reads of `key` in flight: a retry after a timed-out attempt must read again, not
   * wait for the read that hung.
   */
  abandon(key: string): void {
    for (const id of [...this.#inFlight.keys()]) if (id.startsWith(`${key}#`)) this.#inFlight.delete(id);
  }

  async #matchShared(range: NeededRange, io: QueryIo): Promise<Uint8Array | undefined> {
    const lookup = () => this.shared!.match(rangeId(range)).catch(() => undefined);
    return io.session ? io.session.slot(lookup) : lookup();
  }
}

const MANIFEST_SUFFIX = '/manifest.msgpack';

/** Keys inside a version folder never change once written (shared/index/layout.ts). */
export function isImmutableKey(key: string): boolean {
  return key.includes('/versions/');
}

/** The shared cache's key of an immutable range. */
export function rangeId(range: NeededRange): string {
  return `${range.key}#${range.offset}+${range.length}`;
}

/** Runs `task` over `items` in order with at most `limit` in flight. */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]);
  });
  await Promise.all(lanes);
}
