import { describe, expect, it } from 'vitest';
import { ShardFormatError, verifyShardBytes, writeShard } from '../../../shared/shard/index.ts';
import { fixedShardInput } from './fixed-corpus.ts';

const written = writeShard(
  fixedShardInput({
    seed: 5,
    numDocs: 50,
    vocab: 80,
    termsPerDoc: 10,
    impactBits: 8,
    ids: 'strings',
    stored: true,
  }),
);

describe('verifyShardBytes', () => {
  it('accepts a freshly written shard and counts what it checked', () => {
    const result = verifyShardBytes('v', written.bytes, {
      checksum: written.checksum,
      hotRegion: written.hotRegion,
    });
    expect(result.postingsChecked).toBe(written.stats.numPostings);
    expect(result.storedRecordsChecked).toBe(50);
    expect(result.checksum).toBe(written.checksum);
  });

  it('names a wrong whole-file checksum and a wrong hot-region location', () => {
    expect(() => verifyShardBytes('v', written.bytes, { checksum: written.checksum ^ 1 })).toThrow(
      /shard v: file: checksum/,
    );
    const hotRegion = { offset: written.hotRegion.offset, length: written.hotRegion.length + 1 };
    expect(() => verifyShardBytes('v', written.bytes, { hotRegion })).toThrow(ShardFormatError);
  });

  it('finds damage in a posting blob that opening alone does not read', () => {
    const bytes = written.bytes.slice();
    bytes[10] ^= 0x10; // inside the first blob
    expect(() => verifyShardBytes('v', bytes)).toThrow(/postings of term \d+: checksum mismatch/);
  });
});
