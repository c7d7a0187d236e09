/**
 * Runs a small test Worker, given as TypeScript source, inside the real Workers runtime: bundles it the way
 * wrangler does (esbuild, ESM, the `workerd`/`worker`/`browser` export conditions, imports resolved from
 * `resolveDir`) and hands the bundle to Miniflare. For tests that prove shared/ code runs unchanged in workerd.
 */
import { build, type Plugin } from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';

export async function startWorkerdScript(
  source: string,
  resolveDir: string,
  options: Omit<MiniflareOptions, 'script' | 'modules' | 'scriptPath'> = {},
  plugins: Plugin[] = [],
): Promise<Miniflare> {
  const bundle = await build({
    stdin: { contents: source, resolveDir, loader: 'ts', sourcefile: 'worker.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return new Miniflare({
    compatibilityDate: '2026-04-01',
    ...options,
    modules: true,
    script: bundle.outputFiles[0]!.text,
  } as MiniflareOptions);
}
