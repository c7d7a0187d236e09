/**
 * Helpers shared by the pipeline tests: temporary folders, the sample corpus, corpus files written from
 * records, and a brute-force scorer (plain loops over quantized vectors, no shard, no engine) that the
 * published index must agree with exactly.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QuantizedVector } from '../../../shared/sparse/types.ts';

export const SAMPLE_CORPUS = fileURLToPath(new URL('../../fixtures/sample-corpus.jsonl', import.meta.url));

export async function tempDir(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `csplade-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function sampleRecords(): Promise<Record<string, unknown>[]> {
  const text = await readFile(SAMPLE_CORPUS, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function writeJsonl(path: string, records: readonly unknown[]): Promise<string> {
  await writeFile(
    path,
    `${records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`,
  );
  return path;
}

/** Exact top-k by dot product over quantized vectors; ties by smaller doc ordinal (the engine's rule). */
export function bruteForceTopK(
  documents: readonly QuantizedVector[],
  query: QuantizedVector,
  k: number,
): { doc: number; score: number }[] {
  const weights = new Map<number, number>();
  query.terms.forEach((t, i) => {
    weights.set(t, query.impacts[i]);
  });
  const scored: { doc: number; score: number }[] = [];
  documents.forEach((v, doc) => {
    let score = 0;
    v.terms.forEach((t, i) => {
      score += (weights.get(t) ?? 0) * v.impacts[i];
    });
    if (score > 0) scored.push({ doc, score });
  });
  return scored.sort((a, b) => b.score - a.score || a.doc - b.doc).slice(0, k);
}
