/**
 * The two spellings of a verify report: text for people (one line per index and per version, problems
 * indented under what they belong to) and JSON with snake_case keys for machines. Kept apart from the
 * CLI verb so any front end prints the same thing.
 */

import type { IndexReport, StoreReport } from './verify.ts';
import type { VersionCheck } from './verify-version.ts';

export function verifyReportJson(report: StoreReport): unknown {
  return {
    ok: report.ok,
    indexes: report.indexes.map((r) => ({
      index: r.index,
      ok: r.ok,
      current: {
        status: r.current.status,
        version: r.current.version,
        ...(r.current.detail ? { detail: r.current.detail } : {}),
      },
      versions: r.versions.map(versionJson),
      unpublished_folders: r.unpublished,
      ...(r.fix
        ? {
            fix: r.fix.fixed
              ? { fixed: true, from: r.fix.from, to: r.fix.to }
              : { fixed: false, reason: r.fix.reason },
          }
        : {}),
    })),
  };
}

function versionJson(v: VersionCheck) {
  return {
    version: v.version,
    ok: v.ok,
    broken: v.broken,
    shards_checked: v.shardsChecked,
    bytes_checked: v.bytesChecked,
    problems: v.problems.map((p) => ({ key: p.key, kind: p.kind, detail: p.detail })),
  };
}

export function verifyReportText(report: StoreReport): string {
  if (report.indexes.length === 0) return 'no indexes in this store\n';
  const lines: string[] = [];
  for (const r of report.indexes) lines.push(...indexLines(r));
  lines.push(report.ok ? 'all checks passed' : 'PROBLEMS FOUND');
  return `${lines.join('\n')}\n`;
}

function indexLines(r: IndexReport): string[] {
  const c = r.current;
  const head =
    c.status === 'ok'
      ? `CURRENT → ${c.version}`
      : c.status === 'empty'
        ? 'no CURRENT (no version published yet)'
        : `CURRENT BROKEN (${c.status.replaceAll('_', ' ')}${c.version ? `: ${c.version}` : ''})${c.detail ? `: ${c.detail}` : ''}`;
  const lines = [`index ${r.index}: ${head}`];
  if (r.fix?.fixed)
    lines.push(`  fixed: CURRENT ${r.fix.from ?? '(unreadable)'} → ${r.fix.to} (newest complete version)`);
  else if (r.fix) lines.push(`  not fixed: ${r.fix.reason}`);
  for (const v of r.versions) {
    const what = v.ok
      ? `ok (${v.shardsChecked} shard(s), ${v.bytesChecked} bytes checked)`
      : v.broken
        ? 'BROKEN'
        : 'could not be checked';
    lines.push(`  ${v.version} ${what}`);
    for (const p of v.problems) lines.push(`    ${p.kind}: ${p.key}: ${p.detail}`);
  }
  for (const folder of r.unpublished)
    lines.push(`  ${folder} unpublished (no manifest: a publish at work, or gc's)`);
  return lines;
}
