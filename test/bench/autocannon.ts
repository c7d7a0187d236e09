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
}) => Promise<AutocannonResult>;

export const autocannon = ((await import('autocannon' as string)) as { default: Autocannon }).default;
