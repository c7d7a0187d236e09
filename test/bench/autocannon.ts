/** autocannon, typed for the parts the benches use (the package ships no types). */

export interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

export type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: { method: string; path: string; headers: Record<string, string>; body: string }[];
}) => AutocannonRun;

/** What autocannon returns: a promise of the result that also emits each failed request as it happens. */
export type AutocannonRun = Promise<AutocannonResult> & {
  on(event: 'reqError', listener: (error: Error & { code?: string }) => void): unknown;
  /** Ends the run early (the result covers the time it ran). */
  stop(): void;
};

/**
 * Runs autocannon and counts its failed requests by error code (ECONNRESET, a timeout, …): "errors: 17"
 * alone does not say what broke. `stopWhen`, asked once a second with the seconds run so far, ends the
 * run early when it answers true (`options.duration` is then the longest it may run).
 */
export async function autocannonCountingErrors(
  options: Parameters<Autocannon>[0],
  stopWhen?: (seconds: number) => boolean,
): Promise<AutocannonResult & { errorsByCode: Record<string, number> }> {
  const errorsByCode: Record<string, number> = {};
  const run = autocannon(options);
  run.on('reqError', (error) => {
    const code = error.code ?? error.message;
    errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
  });
  let seconds = 0;
  const asking = stopWhen
    ? setInterval(() => {
        seconds += 1;
        if (stopWhen(seconds)) run.stop();
      }, 1_000)
    : undefined;
  try {
    return { ...(await run), errorsByCode };
  } finally {
    clearInterval(asking);
  }
}

export const autocannon = ((await import('autocannon' as string)) as { default: Autocannon }).default;
