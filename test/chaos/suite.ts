/**
 * Runs many chaos schedules (a few at a time: their requests interleave, which is the point, and the
 * machine's cores stay busy while one waits on the store) and sums them up: schedules, violations with
 * their seeds, outcomes per operation, CLI processes killed, faults injected.
 */
import { type OpRecord, runSchedule, type ScheduleResult } from './schedule.ts';
import type { ChaosTarget } from './targets.ts';

export interface SuiteOptions {
  readonly seeds: readonly number[];
  /** Every n-th schedule runs some operations through the CLI (0: none). */
  readonly cliEvery: number;
  readonly concurrency: number;
  readonly workDir: string;
  readonly onResult?: (result: ScheduleResult) => void;
}

export interface SuiteSummary {
  readonly schedules: number;
  readonly violations: number;
  readonly failing: { seed: number; violations: string[] }[];
  readonly outcomes: Record<string, Record<string, number>>;
  readonly cliProcesses: number;
  readonly cliKilled: number;
  readonly faultsInjected: number;
  readonly unexpectedErrors: string[];
  readonly seconds: number;
}

export async function runSuite(target: ChaosTarget, options: SuiteOptions): Promise<SuiteSummary> {
  const began = performance.now();
  const results: ScheduleResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.seeds.length) {
      const seed = options.seeds[next++];
      const cli = options.cliEvery > 0 && seed % options.cliEvery === 0;
      const result = await runSchedule(seed, target, { cli, workDir: options.workDir });
      results.push(result);
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  const ops: OpRecord[] = results.flatMap((r) => r.ops);
  const outcomes: Record<string, Record<string, number>> = {};
  for (const op of ops) {
    const key = op.outcome.startsWith('unexpected:') ? 'unexpected' : op.outcome;
    outcomes[op.kind] ??= {};
    outcomes[op.kind][key] = (outcomes[op.kind][key] ?? 0) + 1;
  }
  const failing = results.filter((r) => r.violations.length > 0).sort((a, b) => a.seed - b.seed);
  return {
    schedules: results.length,
    violations: failing.reduce((n, r) => n + r.violations.length, 0),
    failing: failing.map((r) => ({ seed: r.seed, violations: r.violations })),
    outcomes,
    cliProcesses: ops.filter((o) => o.via === 'cli').length,
    cliKilled: ops.filter((o) => o.outcome === 'killed').length,
    faultsInjected: results.reduce((n, r) => n + r.faultsInjected, 0),
    unexpectedErrors: ops
      .filter((o) => o.outcome.startsWith('unexpected:'))
      .map((o) => `${o.kind}: ${o.outcome}`),
    seconds: (performance.now() - began) / 1000,
  };
}
