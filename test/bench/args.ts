/**
 * Command-line flags of the benchmarks (`--name value`), one definition for all of them. A flag that
 * is not a number where one is expected stops the bench with a message naming it, instead of
 * measuring with NaN.
 */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${process.argv[i + 1]}"`);
  return value;
}

export function stringArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
