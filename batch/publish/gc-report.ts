/**
 * The two spellings of a gc result: one line for people, JSON with snake_case keys for machines.
 */
import { formatDuration } from './durations.ts';
import type { GcResult } from './gc.ts';
import type { ReclaimResult } from './reclaim.ts';

export function gcReportJson(index: string, result: GcResult): unknown {
  const reclaim = (r: ReclaimResult) => ({
    deleted: r.deleted,
    deleted_objects: r.deletedObjects,
    waiting: r.waiting.map((w) => ({ name: w.name, remaining_ms: w.remainingMs })),
    ...(r.skipped ? { skipped: r.skipped } : {}),
  });
  return {
    index,
    kept: result.kept,
    deleted: result.deleted,
    deleted_objects: result.deletedObjects,
    reasons: result.reasons,
    runs: reclaim(result.runs),
    cache: reclaim(result.cache),
    warnings: result.warnings,
  };
}

export function gcReportText(result: GcResult): string {
  const lines = [
    `kept ${result.kept.length} version(s); deleted ${result.deleted.length} (${result.deletedObjects} objects)${result.deleted.length ? `: ${result.deleted.join(', ')}` : ''}`,
  ];
  for (const [what, r] of [
    ['run', result.runs],
    ['cache fingerprint', result.cache],
  ] as const) {
    if (r.deleted.length)
      lines.push(
        `deleted ${r.deleted.length} ${what}(s) (${r.deletedObjects} objects): ${r.deleted.join(', ')}`,
      );
    for (const w of r.waiting)
      lines.push(
        `${what} ${w.name}: unused, deleted in ${formatDuration(w.remainingMs)} if it stays unchanged`,
      );
  }
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}
