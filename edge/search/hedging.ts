/**
 * Hedged store reads. An object store's first byte has a long tail (median ≈ 30 ms, p99 ≈ 150 ms:
 * Durner et al., PVLDB 2023, who recommend re-sending a request that is slow to answer), and a query waits
 * for the slowest of its parallel reads, so one straggler sets the latency of the whole wave. A read that
 * has not finished by `afterMs` (the first byte's 80th percentile plus the read's transfer time, by
 * default) is sent once more; the first answer wins. The straggler is not cancelled (an R2 get cannot
 * be), so it keeps its connection until it ends: a hedge is sent only while the request has a connection
 * to spare and subrequests left, and it is billed like any read (about one read in five is hedged at the
 * default quantile, on cold reads only — warm queries read nothing).
 */
import type { PlanModel } from './read-planner.ts';

/** What a hedge needs of the request it reads for (byte-tiers.ts's QueryIo): its budget and hedge count. */
export interface HedgedRequest {
  /** Most store requests this request may still make. */
  budgetLeft(): number;
  /** Store reads this request sent a second time because the first was slow. */
  hedges?: number;
}

/** When to send a read again. */
export interface HedgePolicy {
  /** Milliseconds to wait for a read of `bytes` before sending it again. */
  afterMs(bytes: number): number;
}

/** The first byte's `quantile` of a log-normal with the model's median and 99th percentile. */
export function ttfbQuantileMs(model: { ttfbMedianMs: number; ttfbP99Ms: number }, quantile: number): number {
  const sigma = Math.log(model.ttfbP99Ms / model.ttfbMedianMs) / Z99;
  return model.ttfbMedianMs * Math.exp(sigma * normalQuantile(quantile));
}

/** Sends a read again after the model's first-byte `quantile` plus the read's modelled transfer. */
export function hedgeAfterQuantile(
  model: PlanModel & { ttfbP99Ms: number },
  quantile = DEFAULT_HEDGE_QUANTILE,
): HedgePolicy {
  const wait = ttfbQuantileMs(model, quantile);
  return { afterMs: (bytes) => wait + bytes / (model.bandwidthMBps * 1000) };
}

/** Sends a read again after a fixed first-byte wait plus its transfer at `bandwidthMBps`. */
export function hedgeAfterMs(firstByteMs: number, bandwidthMBps: number): HedgePolicy {
  return { afterMs: (bytes) => firstByteMs + bytes / (bandwidthMBps * 1000) };
}

export const DEFAULT_HEDGE_QUANTILE = 0.8;

/** Store requests each request has in flight (hedges are sent only while one connection is spare). */
const inFlight = new WeakMap<HedgedRequest, number>();

/**
 * Runs `read` (a store request of about `bytes`), and once more after the policy's wait when it has not
 * finished and the request can afford it; resolves with the first success, rejects only when every
 * attempt failed (with the first attempt's error).
 */
export function hedged<T>(
  io: HedgedRequest,
  policy: HedgePolicy | undefined,
  connections: number,
  bytes: number,
  read: () => Promise<T>,
): Promise<T> {
  const attempt = async (): Promise<T> => {
    inFlight.set(io, (inFlight.get(io) ?? 0) + 1);
    try {
      return await read();
    } finally {
      inFlight.set(io, (inFlight.get(io) ?? 1) - 1);
    }
  };
  if (!policy) return attempt();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let running = 1;
    let hedgeSent = false;
    let firstError: unknown;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle();
    };
    const onResult = (value: T) => finish(() => resolve(value));
    // Hedging answers slowness, not failure (the store's retry layer below handles that): an attempt's
    // error ends the read unless the other attempt is still running.
    const onError = (error: unknown) => {
      running--;
      if (firstError === undefined) firstError = error ?? new Error('store read failed');
      if (!hedgeSent || running === 0) finish(() => reject(firstError));
    };
    attempt().then(onResult, onError);
    const timer = setTimeout(() => {
      if (settled) return;
      if ((inFlight.get(io) ?? 0) >= connections || io.budgetLeft() <= 0) return;
      hedgeSent = true;
      running++;
      io.hedges = (io.hedges ?? 0) + 1;
      attempt().then(onResult, onError);
    }, policy.afterMs(bytes));
  });
}

const Z99 = 2.3263478740408408;

/** The standard normal's quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`a quantile must lie in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}
