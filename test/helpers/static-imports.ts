/**
 * The static import graph of a module, read from the source text: relative imports are followed,
 * packages are listed but not entered, `import type` and dynamic `import()` are skipped (they cost
 * nothing at load time). Tests use it to keep what a cold start or `--help` loads small.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)(?:[\s\S]*?\sfrom\s+)?'([^']+)';/gm;

/** Every file (absolute path) and package specifier `entry` loads statically, `entry` included. */
export function staticImportClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.startsWith('/')) continue; // a package: do not look inside
    for (const match of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const specifier = match[1];
      pending.push(specifier.startsWith('.') ? resolve(dirname(file), specifier) : specifier);
    }
  }
  return seen;
}
