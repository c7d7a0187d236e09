/**
 * `faults(store, { seed, … })`: an ObjectStore that misbehaves on purpose, for chaos and failure tests.
 * Real backends cannot be made to hang, lose a write or lie in a listing on demand; this decorator can,
 * over any of them, so the code above the seam is tested against the failures object storage really has:
 *
 *   delay       the call waits before it reaches the store
 *   hang        the call never settles, until `signal` aborts or `hangTimeoutMs` passes (then it rejects
 *               with StoreUnavailableError, as a client deadline would)
 *   error       StoreUnavailableError (transient) or StoreRequestError (permanent), thrown before the call
 *               reaches the store or after it (the write happened, the answer was lost)
 *   truncate    a read returns fewer bytes than the object or range has (a connection cut mid-body)
 *   corrupt     a read returns the right number of bytes with one byte flipped
 *   lose        a put reports success and stores nothing
 *   omit/stale  a listing leaves keys out, or lists keys this decorator saw deleted (and made-up ones)
 *   crash       from call `crashAfterCalls` on, nothing reaches the store any more: every call rejects, as
 *               if the process had been killed between two requests
 *
 * Each fault has a probability per call, and `schedule` forces a fault on a given call number. Every
 * decision is drawn from one seeded PRNG in call order, so a run with the same seed and the same sequence
 * of calls meets the same faults; `events` records them to explain a failing run. Sleeping goes through an
 * injectable `sleep`, so tests need not wait for real. Runtime-neutral (timers and AbortSignal only).
 * The network model (latency, bandwidth, connection limits) is a sibling decorator with the same shape.
 */
import { mulberry32 } from '../random.ts';
import { StoreRequestError, StoreUnavailableError } from './errors.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';

export type FaultOperation = 'get' | 'getRange' | 'head' | 'put' | 'list' | 'listPrefixes' | 'delete';
export type FaultKind = 'delay' | 'hang' | 'error' | 'truncate' | 'corrupt' | 'lose' | 'crash';

export interface FaultEvent {
  /** Call number, from 0, over all operations. */
  readonly call: number;
  readonly operation: FaultOperation;
  readonly key: string;
  readonly fault: FaultKind | 'omit' | 'stale';
  readonly detail?: string;
}

export interface ScheduledFault {
  /** Call number (from 0, over all operations) that gets the fault. */
  readonly call: number;
  readonly fault: Exclude<FaultKind, 'crash'>;
}

export interface FaultOptions {
  readonly seed: number;
  /** Probability per call of a pause of `delayMs` (uniform in [min, max]) before the call. */
  readonly delay?: { readonly probability: number; readonly minMs?: number; readonly maxMs: number };
  readonly hang?: { readonly probability: number };
  /**
   * Probability per call of an error; `permanent` is the share that are StoreRequestError, `after` the
   * share thrown after the inner call completed (puts and deletes then took effect).
   */
  readonly error?: { readonly probability: number; readonly permanent?: number; readonly after?: number };
  /** Probability per get/getRange of a short body. */
  readonly truncate?: { readonly probability: number };
  /** Probability per get/getRange of one flipped byte. */
  readonly corrupt?: { readonly probability: number };
  /** Probability per put of a write that is acknowledged and dropped. */
  readonly lose?: { readonly probability: number };
  /** Per listed key, the probability it is left out; per listing, the probability of extra keys. */
  readonly listing?: { readonly omit?: number; readonly extra?: number };
  /** Forced faults by call number (on top of the probabilities). */
  readonly schedule?: readonly ScheduledFault[];
  /** From this call number on, every call rejects without reaching the store. */
  readonly crashAfterCalls?: number;
  /** Operations faults apply to (default: all). */
  readonly operations?: readonly FaultOperation[];
  /** A hung call rejects after this many ms (default: never, only `signal` ends it). */
  readonly hangTimeoutMs?: number;
  /** Aborting it rejects every hung or sleeping call of this store. */
  readonly signal?: AbortSignal;
  /** Waits `ms`; must reject (or resolve early) when `signal` aborts. Default: setTimeout. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called for every fault injected (besides being recorded in `events`). */
  readonly onFault?: (event: FaultEvent) => void;
}

export interface FaultyObjectStore extends ObjectStore {
  /** Every fault injected so far, in order. */
  readonly events: readonly FaultEvent[];
  /** Calls made so far. */
  readonly calls: number;
}

const BACKEND = 'faults';

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function aborted(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

interface Decision {
  readonly delayMs: number;
  readonly hang: boolean;
  readonly error: 'before' | 'after' | null;
  readonly permanent: boolean;
  readonly truncate: boolean;
  readonly corrupt: boolean;
  readonly lose: boolean;
}

const ALL_OPERATIONS: readonly FaultOperation[] = [
  'get',
  'getRange',
  'head',
  'put',
  'list',
  'listPrefixes',
  'delete',
];

export function faults(store: ObjectStore, options: FaultOptions): FaultyObjectStore {
  const run = new FaultRun(options);
  return {
    get events() {
      return run.events;
    },
    get calls() {
      return run.calls;
    },
    get: (key) =>
      run.call(
        'get',
        key,
        () => store.get(key),
        (found, decision, call) =>
          found && { bytes: run.damage(found.bytes, decision, call, 'get', key), info: found.info },
      ),
    getRange: (key, offset, length) =>
      run.call(
        'getRange',
        key,
        () => store.getRange(key, offset, length),
        (bytes, decision, call) => run.damage(bytes, decision, call, 'getRange', key),
      ),
    head: (key) => run.call('head', key, () => store.head(key)),
    put: (key: string, bytes: Uint8Array, putOptions?: PutOptions) =>
      run
        .call(
          'put',
          key,
          () => store.put(key, bytes, putOptions),
          undefined,
          () => ({
            key,
            size: bytes.length,
            etag: `lost-${Math.floor(run.random() * 2 ** 32).toString(16)}`,
          }),
        )
        .then((info) => {
          run.deleted.delete(key);
          return info;
        }),
    list: (prefix) => {
      const call = run.calls;
      return run
        .call('list', prefix, () => store.list(prefix))
        .then((listed) => run.lie(listed, prefix, call));
    },
    listPrefixes: (prefix) => {
      const call = run.calls;
      return run
        .call('listPrefixes', prefix, () => store.listPrefixes(prefix))
        .then((prefixes) => run.omitPrefixes(prefixes, call));
    },
    delete: (key) =>
      run
        .call('delete', key, () => store.delete(key))
        .then(() => {
          run.deleted.add(key);
        }),
  };
}

/**
 * One faulty store's state and decisions: the seeded PRNG (every draw in call order, so a replay meets the
 * same faults), the call counter, the events so far and the keys deleted through it.
 */
class FaultRun {
  readonly events: FaultEvent[] = [];
  /** Keys deleted through this decorator: what a stale listing shows again. */
  readonly deleted = new Set<string>();
  calls = 0;
  readonly random: () => number;
  readonly #options: FaultOptions;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #applies: Set<FaultOperation>;
  readonly #scheduled = new Map<number, ScheduledFault['fault']>();

  constructor(options: FaultOptions) {
    this.#options = options;
    this.random = mulberry32(options.seed);
    this.#sleep = options.sleep ?? defaultSleep;
    this.#applies = new Set(options.operations ?? ALL_OPERATIONS);
    for (const s of options.schedule ?? []) this.#scheduled.set(s.call, s.fault);
  }

  /** Runs one call through the decisions; `alter` may change a successful result (reads, lost writes). */
  async call<T>(
    operation: FaultOperation,
    key: string,
    inner: () => Promise<T>,
    alter?: (result: T, decision: Decision, call: number) => T,
    lost?: () => T,
  ): Promise<T> {
    const call = this.calls++;
    const options = this.#options;
    if (options.crashAfterCalls !== undefined && call >= options.crashAfterCalls) {
      this.#record({ call, operation, key, fault: 'crash' });
      throw new StoreUnavailableError(BACKEND, `${operation} (injected crash: the process is gone)`, key);
    }
    const decision = this.#decide(call, operation);
    if (decision.delayMs > 0) {
      this.#record({ call, operation, key, fault: 'delay', detail: `${decision.delayMs} ms` });
      try {
        await this.#sleep(decision.delayMs, options.signal);
      } catch {
        throw new StoreUnavailableError(BACKEND, `${operation} (aborted while delayed)`, key);
      }
    }
    if (decision.hang) {
      this.#record({ call, operation, key, fault: 'hang' });
      return this.#hangForever(operation, key);
    }
    if (decision.error === 'before') {
      const detail = decision.permanent ? 'permanent' : 'transient';
      this.#record({ call, operation, key, fault: 'error', detail });
      throw failure(operation, key, decision.permanent, 'error');
    }
    if (decision.lose && lost) {
      this.#record({ call, operation, key, fault: 'lose' });
      return lost();
    }
    const result = await inner();
    if (decision.error === 'after') {
      this.#record({ call, operation, key, fault: 'error', detail: 'after the call took effect' });
      throw failure(operation, key, decision.permanent, 'error after the call took effect');
    }
    return alter ? alter(result, decision, call) : result;
  }

  /** A read's bytes as the decision has them: cut short, one byte flipped, or both. */
  damage(bytes: Uint8Array, decision: Decision, call: number, operation: FaultOperation, key: string) {
    let out = bytes;
    if (decision.truncate && out.length > 0) {
      const keep = Math.floor(this.random() * out.length);
      this.#record({ call, operation, key, fault: 'truncate', detail: `${keep} of ${out.length} bytes` });
      out = out.slice(0, keep);
    }
    if (decision.corrupt && out.length > 0) {
      const at = Math.floor(this.random() * out.length);
      const flip = 1 + Math.floor(this.random() * 255);
      this.#record({ call, operation, key, fault: 'corrupt', detail: `byte ${at} ^ ${flip}` });
      out = out.slice();
      out[at] ^= flip;
    }
    return out;
  }

  /** A listing with keys left out and, by chance, a stale (deleted) or made-up key added. */
  lie(listed: ObjectInfo[], prefix: string, call: number): ObjectInfo[] {
    const operation = 'list';
    if (!this.#applies.has(operation)) return listed;
    const omit = this.#options.listing?.omit ?? 0;
    const kept = listed.filter((info) => {
      if (!this.#chance(omit)) return true;
      this.#record({ call, operation, key: info.key, fault: 'omit' });
      return false;
    });
    if (this.#chance(this.#options.listing?.extra)) {
      const stale = [...this.deleted].filter((k) => k.startsWith(prefix) && !listed.some((i) => i.key === k));
      const key =
        stale.length > 0
          ? stale[Math.floor(this.random() * stale.length)]
          : `${prefix}phantom-${Math.floor(this.random() * 2 ** 32).toString(16)}`;
      this.#record({ call, operation, key, fault: 'stale' });
      kept.push({ key, size: Math.floor(this.random() * 4096), etag: `phantom-${call}` });
      kept.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return kept;
  }

  /** A listing of prefixes with some left out. */
  omitPrefixes(prefixes: string[], call: number): string[] {
    if (!this.#applies.has('listPrefixes')) return prefixes;
    return prefixes.filter((p) => {
      if (!this.#chance(this.#options.listing?.omit)) return true;
      this.#record({ call, operation: 'listPrefixes', key: p, fault: 'omit' });
      return false;
    });
  }

  #chance(p: number | undefined): boolean {
    return this.random() < (p ?? 0);
  }

  #record(event: FaultEvent): void {
    this.events.push(event);
    this.#options.onFault?.(event);
  }

  /** Draws every decision of one call up front (a fixed number of draws), so replays line up. */
  #decide(call: number, operation: FaultOperation): Decision {
    const options = this.#options;
    const draws = Array.from({ length: 8 }, () => this.random());
    const forced = this.#scheduled.get(call);
    const on = this.#applies.has(operation);
    const isRead = operation === 'get' || operation === 'getRange';
    const p = (x: { probability: number } | undefined, i: number) => on && draws[i] < (x?.probability ?? 0);
    const delayed = p(options.delay, 0) || forced === 'delay';
    const min = options.delay?.minMs ?? 0;
    const max = options.delay?.maxMs ?? 0;
    const errored = p(options.error, 2) || forced === 'error';
    return {
      delayMs: delayed ? min + Math.floor(draws[1] * (Math.max(max, min) - min + 1)) : 0,
      hang: p(options.hang, 3) || forced === 'hang',
      error: errored ? (draws[5] < (options.error?.after ?? 0) ? 'after' : 'before') : null,
      permanent: draws[6] < (options.error?.permanent ?? 0),
      truncate: isRead && (p(options.truncate, 4) || forced === 'truncate'),
      corrupt: isRead && (p(options.corrupt, 7) || forced === 'corrupt'),
      lose: operation === 'put' && (p(options.lose, 4) || forced === 'lose'),
    };
  }

  #hangForever(operation: FaultOperation, key: string): Promise<never> {
    const { signal, hangTimeoutMs } = this.#options;
    return new Promise<never>((_, reject) => {
      const fail = (why: string) => reject(new StoreUnavailableError(BACKEND, `${operation} (${why})`, key));
      if (signal?.aborted) return fail('aborted while hanging');
      signal?.addEventListener('abort', () => fail('aborted while hanging'), { once: true });
      if (hangTimeoutMs !== undefined) {
        this.#sleep(hangTimeoutMs, signal).then(
          () => fail(`no answer within ${hangTimeoutMs} ms`),
          () => fail('aborted while hanging'),
        );
      }
    });
  }
}

function failure(operation: FaultOperation, key: string, permanent: boolean, what: string): Error {
  return permanent
    ? new StoreRequestError(BACKEND, operation, key, `injected ${what}`)
    : new StoreUnavailableError(BACKEND, `${operation} (injected ${what})`, key);
}
