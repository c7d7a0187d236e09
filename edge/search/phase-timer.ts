/**
 * Where a request's time went, by phase, for the Server-Timing header (and `debug.timings_ms`): encode
 * (the query into a sparse vector), plan (version, filter, mode and read planning), fetch (bytes from
 * the caches and the store), score (top-k), merge (global top-k, page, fields, text, snippets, explain).
 * Shards fetch in parallel, so fetch time is measured around each parallel step as a whole (wall time,
 * less the synchronous scoring inside it), never summed per shard.
 */
export const PHASES = ['encode', 'plan', 'fetch', 'score', 'merge'] as const;
export type Phase = (typeof PHASES)[number];

export class PhaseTimer {
  readonly #ms: Record<Phase, number> = { encode: 0, plan: 0, fetch: 0, score: 0, merge: 0 };

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Adds `ms` to `phase`. */
  add(phase: Phase, ms: number): void {
    this.#ms[phase] += Math.max(0, ms);
  }

  /** Runs `work`, adding its duration to `phase`. */
  async time<T>(phase: Phase, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const started = this.now();
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      this.add(phase, this.now() - started);
    }
  }

  /** Runs synchronous `work`, adding its duration to `phase`. */
  timeSync<T>(phase: Phase, work: () => T): T {
    const started = this.now();
    try {
      return work();
    } finally {
      this.add(phase, this.now() - started);
    }
  }

  get ms(): Readonly<Record<Phase, number>> {
    return this.#ms;
  }

  /** The Server-Timing header value: `encode;dur=1.2, plan;dur=0.3, …` (milliseconds). */
  header(): string {
    return PHASES.map((p) => `${p};dur=${round(this.#ms[p])}`).join(', ');
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
