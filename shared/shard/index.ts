/**
 * The shard file format: one immutable file per shard, [postings][stored fields][hot region][footer]
 * (FORMAT.md). Writers call writeShard; readers call openShard over a ByteSource (or openShardSync
 * over bytes in memory). This file only re-exports.
 */
export { crc32 } from './checksum.ts';
export { type CoalescedRange, coalesceRanges, DEFAULT_COALESCE_GAP, type KeyedRange } from './coalesce.ts';
export type { DocMapMeta } from './doc-map.ts';
export {
  ShardFormatError,
  ShardInputError,
  ShardRequestError,
  type ShardSection,
  UnsupportedShardVersionError,
} from './errors.ts';
export { FOOTER_BYTES, SHARD_FORMAT_VERSION, SHARD_MAGIC, SUPPORTED_SHARD_VERSIONS } from './format.ts';
export type { Region, ShardStats } from './hot-region.ts';
export {
  InMemoryShardReader,
  openShard,
  openShardSync,
  type PostingRange,
  type ShardLayout,
  type ShardOpenHint,
  type ShardOpenOptions,
  ShardReader,
  type TermInfo,
} from './reader.ts';
export type { StoredDocument, StoredFields } from './stored-fields.ts';
export { type ShardExpectations, type ShardVerification, verifyShardBytes } from './verify.ts';
export { type WriteShardInput, type WrittenShard, writeShard } from './writer.ts';
