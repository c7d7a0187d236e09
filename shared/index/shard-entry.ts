/**
 * A manifest's ShardEntry from a freshly written shard, and the one spelling of a shard checksum in a
 * manifest (CRC-32 as 8 lowercase hex digits). Everything that writes manifests — the build stage, test
 * indexes, benchmarks — goes through here, so a verifier comparing checksums never meets another spelling.
 */
import type { WrittenShard } from '../shard/writer.ts';
import type { ShardEntry } from './manifest.ts';

export function checksumHex(crc32: number): string {
  return (crc32 >>> 0).toString(16).padStart(8, '0');
}

export function shardEntryOf(key: string, written: WrittenShard): ShardEntry {
  return {
    key,
    size: written.bytes.length,
    checksum: checksumHex(written.checksum),
    docBase: written.stats.docBase,
    numDocs: written.stats.numDocs,
    postings: written.stats.numPostings,
    hotRegion: { offset: written.hotRegion.offset, length: written.hotRegion.length },
  };
}
