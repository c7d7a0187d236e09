/**
 * Deep verification of a shard in memory, for the batch job's "verify before publishing" step and
 * for tools: beyond the whole-file CRC it opens the shard and decodes everything a query could
 * touch — every posting list (blob CRC, header, every posting), every external id and every
 * stored record — so a writer bug is caught before a manifest points at the file.
 */

import { crc32 } from './checksum.ts';
import { ShardFormatError } from './errors.ts';
import { hex } from './format.ts';
import type { Region, ShardStats } from './hot-region.ts';
import { openShardSync } from './reader.ts';

export interface ShardExpectations {
  /** CRC-32 of the whole file (writeShard's `checksum`). */
  readonly checksum?: number;
  /** Where the manifest says the hot region is (writeShard's `hotRegion`). */
  readonly hotRegion?: Region;
}

export interface ShardVerification {
  readonly stats: ShardStats;
  readonly checksum: number;
  readonly postingsChecked: number;
  readonly storedRecordsChecked: number;
}

/** Throws ShardFormatError (or UnsupportedShardVersionError) naming the first problem found. */
export function verifyShardBytes(
  name: string,
  bytes: Uint8Array,
  expected: ShardExpectations = {},
): ShardVerification {
  const checksum = crc32(bytes);
  if (expected.checksum !== undefined && checksum !== expected.checksum) {
    throw new ShardFormatError(name, 'file', `checksum ${hex(checksum)}, expected ${hex(expected.checksum)}`);
  }
  const shard = openShardSync(name, bytes);
  const hot = shard.layout.hot;
  if (
    expected.hotRegion &&
    (expected.hotRegion.offset !== hot.offset || expected.hotRegion.length !== hot.length)
  ) {
    throw new ShardFormatError(
      name,
      'footer',
      `hot region is at ${hot.offset}+${hot.length}, expected ${expected.hotRegion.offset}+${expected.hotRegion.length}`,
    );
  }
  let postingsChecked = 0;
  for (const [term, list] of shard.postingsSync(shard.terms)) {
    let docs: Uint32Array;
    let impacts: Uint16Array;
    try {
      ({ docs, impacts } = list.decodeAll());
    } catch (cause) {
      throw new ShardFormatError(
        name,
        `postings of term ${term}`,
        `postings do not decode: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    for (let i = 0; i < docs.length; i++) {
      if (docs[i] >= shard.numDocs || (i > 0 && docs[i] <= docs[i - 1]) || impacts[i] < 1) {
        throw new ShardFormatError(
          name,
          `postings of term ${term}`,
          `posting ${i} (doc ${docs[i]}) is invalid`,
        );
      }
    }
    postingsChecked += docs.length;
  }
  if (postingsChecked !== shard.stats.numPostings) {
    throw new ShardFormatError(
      name,
      'stats',
      `numPostings ${shard.stats.numPostings}, found ${postingsChecked}`,
    );
  }
  const allDocs = Array.from({ length: shard.numDocs }, (_, d) => d);
  for (const d of allDocs) shard.externalId(d);
  const storedRecordsChecked = shard.hasStoredFields ? shard.storedFieldsSync(allDocs).length : 0;
  return { stats: shard.stats, checksum, postingsChecked, storedRecordsChecked };
}
