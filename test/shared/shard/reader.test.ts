import { describe, expect, it } from 'vitest';
import { type ByteSource, bytesSource } from '../../../shared/io/byte-source.ts';
import { openShard, openShardSync, ShardRequestError, writeShard } from '../../../shared/shard/index.ts';
import { fixedShardInput } from './fixed-corpus.ts';

const written = writeShard(
  fixedShardInput({
    seed: 3,
    numDocs: 300,
    vocab: 500,
    termsPerDoc: 20,
    impactBits: 8,
    ids: 'numeric',
    stored: true,
  }),
);

/** A ByteSource that records every read, to check how many requests the reader makes. */
function countingSource(bytes: Uint8Array, size?: number): ByteSource & { reads: [number, number][] } {
  const inner = bytesSource('counted', bytes);
  const reads: [number, number][] = [];
  return {
    name: 'counted',
    size,
    reads,
    read(offset, length) {
      reads.push([offset, length]);
      return inner.read(offset, length);
    },
  };
}

describe('ShardReader reads', () => {
  it('opens with one read given a manifest hint, and with one read of the tail without', async () => {
    const hinted = countingSource(written.bytes);
    await openShard(hinted, { hotOffset: written.hotRegion.offset, hotLength: written.hotRegion.length });
    expect(hinted.reads).toEqual([[written.hotRegion.offset, written.hotRegion.length + 48]]);
    const plain = countingSource(written.bytes, written.bytes.length);
    await openShard(plain);
    expect(plain.reads.length).toBe(1);
    const small = countingSource(written.bytes, written.bytes.length);
    await openShard(small, undefined, { tailBytes: 48 });
    expect(small.reads.length).toBe(2);
  });

  it('coalesces postings reads and reads only what the ranges say', async () => {
    const source = countingSource(written.bytes, written.bytes.length);
    const reader = await openShard(source, undefined, { coalesceGap: 0 });
    const terms = Array.from(reader.terms).filter((_, i) => i % 2 === 0);
    source.reads.length = 0;
    await reader.loadPostings(terms);
    const ranges = reader.postingRanges(terms);
    expect(source.reads).toEqual(ranges.map((r) => [r.offset, r.length]));
    expect(reader.postingRanges(terms, 1 << 20).length).toBe(1);
    expect(ranges.flatMap((r) => r.terms).sort((a, b) => a - b)).toEqual(terms);
  });

  it('fetches stored fields with one table read, then only the hits', async () => {
    const source = countingSource(written.bytes, written.bytes.length);
    const reader = await openShard(source);
    source.reads.length = 0;
    const hits = await reader.storedFields([5, 250]);
    expect(hits.map((h) => h.localDoc)).toEqual([5, 250]);
    // The table, then one coalesced read: the records of 300 docs lie within the 16 KiB gap.
    expect(source.reads.length).toBe(2);
    expect(source.reads[1][1]).toBeLessThan(written.bytes.length / 2);
    await reader.storedFields([6]);
    expect(source.reads.length).toBe(3); // table cached
  });

  it('reads only the hits’ table entries when the table is larger than storedTableCacheBytes', async () => {
    const source = countingSource(written.bytes, written.bytes.length);
    const reader = await openShard(source, undefined, { storedTableCacheBytes: 0 });
    const table = reader.layout.storedTable!;
    source.reads.length = 0;
    const hits = await reader.storedFields([7, 290, 7]);
    expect(hits.map((h) => h.externalId)).toEqual([
      reader.externalId(7),
      reader.externalId(290),
      reader.externalId(7),
    ]);
    const tableReads = source.reads.filter(([o]) => o >= table.offset && o < table.offset + table.length);
    expect(tableReads.reduce((s, [, l]) => s + l, 0)).toBeLessThan(table.length);
    expect(source.reads.length).toBe(2); // entries (coalesced), then records (coalesced)
  });

  it('answers requests outside the shard with ShardRequestError', async () => {
    const reader = openShardSync('r', written.bytes);
    expect(() => reader.externalId(300)).toThrow(ShardRequestError);
    await expect(reader.storedFields([-1])).rejects.toBeInstanceOf(ShardRequestError);
    expect(reader.termInfo(123_456)).toBeUndefined();
    const plain = openShardSync(
      'p',
      writeShard({
        ...fixedShardInput({
          seed: 4,
          numDocs: 3,
          vocab: 5,
          termsPerDoc: 2,
          impactBits: 4,
          ids: 'strings',
          stored: false,
        }),
      }).bytes,
    );
    expect(() => plain.storedFieldsSync([0])).toThrow(/has no stored fields/);
    const unsized = { name: 'u', read: (o: number, l: number) => bytesSource('u', written.bytes).read(o, l) };
    await expect(openShard(unsized)).rejects.toBeInstanceOf(ShardRequestError);
  });

  it('passes I/O failures of the source through unchanged', async () => {
    const failing: ByteSource = {
      name: 'f',
      size: written.bytes.length,
      read: async () => Promise.reject(new Error('network down')),
    };
    await expect(openShard(failing)).rejects.toThrow('network down');
  });
});
