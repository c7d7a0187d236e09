/**
 * The version-level side of approximate search: each shard's manifest entry for its approximate file,
 * and the routing object — every shard's head concatenated — that lets a cold query learn where to
 * look in every shard with one read instead of one per shard. Written by everything that writes a
 * version (the build stage, test indexes, benchmarks); read by the edge.
 */
import type { ApproximateFileEntry } from '../index/manifest.ts';
import { checksumHex } from '../index/shard-entry.ts';
import { crc32 } from '../shard/checksum.ts';
import { ShardFormatError } from '../shard/errors.ts';
import type { BuiltApproximateFile } from './build.ts';
import { checkHeadCrc } from './format.ts';
import { type ApproxHead, decodeApproxHead } from './head.ts';

/** The routing object's bytes and each shard's entry (its file, its head, the head's place in routing). */
export function approximateEntries(files: readonly { key: string; built: BuiltApproximateFile }[]): {
  routing: Uint8Array;
  entries: ApproximateFileEntry[];
} {
  let size = 0;
  const at = files.map((f) => {
    const offset = size;
    size = Math.ceil((size + f.built.head.length) / 8) * 8;
    return offset;
  });
  const routing = new Uint8Array(size);
  const entries = files.map((f, i): ApproximateFileEntry => {
    const { offset, length, crc } = f.built.head;
    routing.set(f.built.bytes.subarray(offset, offset + length), at[i]);
    return {
      key: f.key,
      size: f.built.bytes.length,
      checksum: checksumHex(crc32(f.built.bytes)),
      head: { offset, length, crc },
      routing: { offset: at[i], length },
    };
  });
  return { routing, entries };
}

/** Every shard's head from routing bytes (`routing` = the whole object or the covering range at `base`). */
export function headsFromRouting(
  routing: Uint8Array,
  base: number,
  entries: readonly ApproximateFileEntry[],
  where: string,
): ApproxHead[] {
  return entries.map((e) => {
    const from = e.routing.offset - base;
    if (from < 0 || from + e.routing.length > routing.length) {
      throw new ShardFormatError(where, 'approximate head', `head of ${e.key} lies outside the bytes read`);
    }
    const bytes = routing.subarray(from, from + e.routing.length);
    checkHeadCrc(bytes, e.head.crc, `${where} (${e.key})`);
    return decodeApproxHead(bytes, `${where} (${e.key})`);
  });
}
