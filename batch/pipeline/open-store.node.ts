/**
 * Opens the store a `--store` or `--corpus` argument names, through the project's one URL grammar
 * (`shared/store/open.node.ts`: folder path, file://, s3://bucket/prefix, memory:). The only thing added
 * here: a relative folder path is taken relative to the CLI's working directory (`ctx.cwd`, which tests
 * set), not the process's.
 */
import { isAbsolute, resolve } from 'node:path';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { openStore } from '../../shared/store/open.node.ts';

export function openStoreUrl(
  url: string,
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): ObjectStore {
  const hasScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(url) || url === 'memory:';
  return openStore(hasScheme || isAbsolute(url) ? url : resolve(cwd, url), { env });
}
