/**
 * Shard format constants and the fixed-size footer, shared by writer and reader (FORMAT.md has the
 * byte layout). The last 12 bytes of every shard, in every format version, are
 * [u32 formatVersion][8-byte magic "CSPLSHRD"], so a reader can tell "not a shard" from "a shard
 * of another version" before it interprets anything else; the rest of the footer is per version.
 * All integers are little-endian.
 */
import { crc32 } from './checksum.ts';
import { ShardFormatError, UnsupportedShardVersionError } from './errors.ts';

export const SHARD_MAGIC = Uint8Array.from([0x43, 0x53, 0x50, 0x4c, 0x53, 0x48, 0x52, 0x44]); // "CSPLSHRD"
/**
 * 2: the dictionary's terms, blob lengths and df as varints, u8 max impacts. 3: the same container
 * holding posting blobs of version 2 (variable-size blocks), which version-2 readers cannot decode.
 * FORMAT.md has both.
 */
export const SHARD_FORMAT_VERSION = 3;
export const SUPPORTED_SHARD_VERSIONS: readonly number[] = [1, 2, 3];
export const FOOTER_BYTES = 48;
/** Sections start at multiples of 8 so typed-array views over them need no copy. */
export const SECTION_ALIGN = 8;
/** Footer flag bit 0: the shard has a stored-fields region. */
export const FLAG_STORED_FIELDS = 1;

export interface Footer {
  /** File offset of the hot region (a multiple of 8); the footer follows it immediately. */
  readonly hotOffset: number;
  readonly hotLength: number;
  readonly hotCrc: number;
  /** CRC-32 of the stored-fields offsets table, 0 without stored fields. */
  readonly storedTableCrc: number;
  readonly flags: number;
}

export function encodeFooter(footer: Footer): Uint8Array {
  const bytes = new Uint8Array(FOOTER_BYTES);
  const view = new DataView(bytes.buffer);
  setU64(view, 0, footer.hotOffset);
  setU64(view, 8, footer.hotLength);
  view.setUint32(16, footer.hotCrc, true);
  view.setUint32(20, footer.storedTableCrc, true);
  view.setUint32(24, footer.flags, true);
  view.setUint32(28, 0, true);
  view.setUint32(32, crc32(bytes.subarray(0, 32)), true);
  view.setUint32(36, SHARD_FORMAT_VERSION, true);
  bytes.set(SHARD_MAGIC, 40);
  return bytes;
}

/** Parses and checks the last FOOTER_BYTES of a shard. */
export function decodeFooter(bytes: Uint8Array, shard: string): Footer {
  if (bytes.length !== FOOTER_BYTES) {
    throw new ShardFormatError(shard, 'footer', `expected ${FOOTER_BYTES} bytes, got ${bytes.length}`);
  }
  for (let i = 0; i < SHARD_MAGIC.length; i++) {
    if (bytes[40 + i] !== SHARD_MAGIC[i]) {
      throw new ShardFormatError(shard, 'footer', 'bad magic: not a csplade shard (or truncated)');
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(36, true);
  if (!SUPPORTED_SHARD_VERSIONS.includes(version)) {
    throw new UnsupportedShardVersionError(shard, version, SUPPORTED_SHARD_VERSIONS);
  }
  const stored = view.getUint32(32, true);
  const actual = crc32(bytes.subarray(0, 32));
  if (stored !== actual) {
    throw new ShardFormatError(
      shard,
      'footer',
      `checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`,
    );
  }
  const flags = view.getUint32(24, true);
  if ((flags & ~FLAG_STORED_FIELDS) !== 0 || view.getUint32(28, true) !== 0) {
    throw new ShardFormatError(shard, 'footer', `unknown flags ${hex(flags)} or non-zero reserved field`);
  }
  const hotOffset = getU64(view, 0, shard);
  const hotLength = getU64(view, 8, shard);
  if (hotOffset % SECTION_ALIGN !== 0) {
    throw new ShardFormatError(
      shard,
      'footer',
      `hot region offset ${hotOffset} is not a multiple of ${SECTION_ALIGN}`,
    );
  }
  return {
    hotOffset,
    hotLength,
    hotCrc: view.getUint32(16, true),
    storedTableCrc: view.getUint32(20, true),
    flags,
  };
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export function alignUp(n: number, align = SECTION_ALIGN): number {
  return Math.ceil(n / align) * align;
}

/**
 * Serializes a sectioned region, the layout of the shard's hot region and the approximate file's head:
 * [u32 headerLength][msgpack header with a section table][pad to 8][sections in the order given, each
 * padded to 8]. The table maps each name to [offset from the first section, length].
 */
export function encodeSectionedRegion(
  packr: { pack(value: unknown): Uint8Array },
  header: object,
  sections: ReadonlyMap<string, Uint8Array>,
): Uint8Array {
  const table: Record<string, [number, number]> = {};
  let at = 0;
  for (const [name, bytes] of sections) {
    table[name] = [at, bytes.length];
    at = alignUp(at + bytes.length);
  }
  const headerBytes = packr.pack({ ...header, sections: table });
  const dataStart = alignUp(4 + headerBytes.length);
  const out = new Uint8Array(dataStart + at);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 4);
  for (const [name, bytes] of sections) out.set(bytes, dataStart + table[name][0]);
  return out;
}

function setU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

function getU64(view: DataView, at: number, shard: string): number {
  const hi = view.getUint32(at + 4, true);
  if (hi >= 2 ** 21) throw new ShardFormatError(shard, 'footer', `64-bit field at byte ${at} exceeds 2^53`);
  return hi * 2 ** 32 + view.getUint32(at, true);
}
