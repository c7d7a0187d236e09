/**
 * Golden files pin the shard format: today's reader must read every committed file of every
 * supported version, and today's writer must reproduce the files of the current version byte for
 * byte. A failure here means the format changed: bump SHARD_FORMAT_VERSION (or the postings
 * version) and add new golden files instead of regenerating old ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../shared/io/byte-source.ts';
import { openShard, SHARD_FORMAT_VERSION, writeShard } from '../../../shared/shard/index.ts';
import { naiveInvert } from './corpus.ts';
import { GOLDEN_SHARDS } from './golden-inputs.ts';

const dir = join(import.meta.dirname, '../../fixtures/shards');

describe.each(GOLDEN_SHARDS)('golden shard $file', (golden) => {
  const bytes = new Uint8Array(readFileSync(join(dir, golden.file)));
  const input = golden.input();

  it('is read by today’s reader with the contents it was written from', async () => {
    const reader = await openShard(bytesSource(golden.file, bytes));
    expect(reader.numDocs).toBe(input.vectors.length);
    expect(reader.docBase).toBe(input.docBase);
    expect(reader.stats.shardName).toBe(input.shardName);
    expect(reader.stats.indexScale).toBe(input.indexScale);
    expect(reader.stats.impactBits).toBe(input.impactBits);
    expect(reader.stats.build).toEqual(input.build);
    const expected = naiveInvert(input.vectors);
    const loaded = await reader.loadPostings(expected.keys());
    expect(loaded.size).toBe(expected.size);
    for (const [term, list] of expected) {
      const got = loaded.get(term)!.decodeAll();
      expect(Array.from(got.docs)).toEqual(list.docs);
      expect(Array.from(got.impacts)).toEqual(list.impacts);
    }
    expect(input.externalIds.map((_, d) => reader.externalId(d))).toEqual(input.externalIds);
    if (input.storedFields) {
      const docs = input.vectors.map((_, d) => d);
      const stored = await reader.storedFields(docs);
      stored.forEach((s, d) => {
        expect(s).toEqual({ localDoc: d, externalId: input.externalIds[d], ...input.storedFields![d] });
      });
    }
  });

  // Files of older versions are only read: today's writer writes the current version.
  if (golden.formatVersion === SHARD_FORMAT_VERSION) {
    it('is reproduced byte for byte by today’s writer', () => {
      const written = writeShard(input);
      expect(written.bytes.length).toBe(bytes.length);
      const firstDifference = written.bytes.findIndex((b, i) => b !== bytes[i]);
      expect(firstDifference, 'first differing byte').toBe(-1);
    });
  }
});

it('there is a golden file for the current format version', () => {
  expect(GOLDEN_SHARDS.some((g) => g.formatVersion === SHARD_FORMAT_VERSION)).toBe(true);
});
