/**
 * How verbs print: `--json` output is one object per line with snake_case keys at every depth (the HTTP
 * API's convention, so scripts read one schema from both), and a few formatters for human summaries.
 */
import type { CliContext } from './verb.ts';

/** "bytesWritten" → "bytes_written"; keys already in snake_case, or with dots ("build.loadRun"), per part. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** A deep copy of `value` with every object key in snake_case (arrays and primitives as they are). */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [snakeCase(k), snakeCaseKeys(v)]),
  );
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(snakeCaseKeys(value))}\n`);
}

/** 12345 → "12,345". */
export const count = (n: number): string => n.toLocaleString('en-US');

/** "1 document", "3 documents". */
export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${count(n)} ${n === 1 ? one : many}`;

/** Bytes as B / KiB / MiB / GiB. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}
