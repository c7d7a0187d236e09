import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../shared/tokenizers/load.ts';
import { staticImportClosure } from '../../helpers/static-imports.ts';

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
