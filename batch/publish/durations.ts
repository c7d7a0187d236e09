/**
 * Durations as people write them in lifecycle options: a non-negative number with a unit — `90s`, `15m`,
 * `1h`, `7d`, `2w` — or `0`; `never` (or `off`) turns a reclaim step off. One parser for the CLI flags and
 * the tests, so every lifecycle option reads the same.
 */
import { PipelineConfigError } from '../pipeline/errors.ts';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds, or null for `never` / `off`; throws PipelineConfigError naming `what` otherwise. */
export function parseDuration(text: string, what: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'never' || trimmed === 'off') return null;
  if (trimmed === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(trimmed);
  if (!match) {
    throw new PipelineConfigError(
      `${what} must be a duration such as 90s, 15m, 1h, 7d, 2w, 0 or never, got "${text}"`,
    );
  }
  return Math.round(Number(match[1]) * UNITS[match[2]]);
}

/** The shortest exact spelling of `ms` in the units above (for reports). */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms >= UNITS[unit] && ms % UNITS[unit] === 0) return `${ms / UNITS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
