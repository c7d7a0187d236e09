/**
 * The approximate-search file of one shard (`shard-NNNN.approx`, beside the exact shard file), and the
 * parts of it a query reads. Layout (FORMAT in docs/search-at-scale.md):
 *
 *   [forward region]     one record per cluster of consecutive local docs (approximate/forward.ts)
 *   [block-lists region] per term, the blocks with its highest impacts and those maxima (block-lists.ts)
 *   [head]               what a query reads first: header, cluster directory, routing summaries (head.ts)
 *   [footer, 32 bytes]   u64 headOffset, u32 headLength, u32 headCrc, u32 version, u32 reserved, magic
 *
 * The manifest records the head's byte range, so opening the file is one read; the index-level
 * routing object (routing.ts) repeats every shard's head so a cold query reads all of them at once.
 */
import { Packr } from 'msgpackr';
import { crc32 } from '../shard/checksum.ts';
import { ShardFormatError } from '../shard/errors.ts';
import { alignUp, encodeSectionedRegion, SECTION_ALIGN } from '../shard/format.ts';

export const APPROX_MAGIC = Uint8Array.from([0x43, 0x53, 0x50, 0x4c, 0x41, 0x50, 0x52, 0x58]); // "CSPLAPRX"
export const APPROX_FORMAT_VERSION = 1;
export const APPROX_FOOTER_BYTES = 32;

/** Build settings of the approximate index, recorded in its head and in the manifest. */
export interface ApproximateBuildSettings {
  /** Consecutive local docs per cluster: the unit of routing and of one forward read (default 256). */
  readonly clusterSize: number;
  /** Docs per forward block inside a cluster: the unit of exact scoring (default 32, ≤ 256). */
  readonly blockSize: number;
  /** Terms kept in each cluster's routing summary, those with the largest maxima (default 64). */
  readonly termsPerCluster: number;
  /**
   * Routing entries the index may spend in all (default 131,072: ~390 KB, what a cold query reads first),
   * shared equally by its shards. A small index's summaries then keep every term — safe bounds, exact
   * answers: on a few thousand documents no cluster is about one thing and pruned summaries mislead —
   * and a large one's keep `termsPerCluster`.
   */
  readonly routingEntries: number;
  /** Fraction of a term's blocks kept in its block list, those with the largest maxima (default 0.2). */
  readonly blockListKeep: number;
  /** Blocks a term's list keeps at least, when it has that many (default 32). */
  readonly blockListMinKeep: number;
  /**
   * Block-list entries a shard may keep without pruning (default 2,097,152: ~10 MB): below it every
   * list is whole (safe bounds); above it the `blockListKeep` fraction is kept, or more if the budget allows.
   */
  readonly blockListEntries: number;
}

export const DEFAULT_APPROXIMATE_BUILD: ApproximateBuildSettings = {
  clusterSize: 256,
  blockSize: 32,
  termsPerCluster: 64,
  routingEntries: 131_072,
  blockListKeep: 0.2,
  blockListMinKeep: 32,
  blockListEntries: 2_097_152,
};

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** The msgpack header of a head region. */
export interface ApproxHeader {
  readonly version: number;
  readonly numDocs: number;
  readonly numClusters: number;
  readonly numBlocks: number;
  readonly impactBits: number;
  /** Term ids stored as u32 (vocabularies past 65,536) rather than u16. */
  readonly wideTerms: boolean;
  /** Cluster numbers in routing stored as u32 (more than 65,535 clusters) rather than u16. */
  readonly wideClusters: boolean;
  readonly settings: ApproximateBuildSettings;
  /** Terms each cluster's routing summary keeps at most, as resolved for this shard's size. */
  readonly routingTermsPerCluster: number;
  readonly forward: ByteRange;
  readonly blockLists: ByteRange & {
    readonly crc: number;
    readonly numTerms: number;
    readonly entries: number;
    /** The fraction of each list kept, as resolved for this shard (1: nothing pruned). */
    readonly keep: number;
  };
  /** Named sections of the head: [offset from the first section, length]. */
  readonly sections: Record<string, [number, number]>;
}

const packr = new Packr({ useRecords: false });

/** Serializes a head region: [u32 headerLength][msgpack header][pad to 8][sections, each padded to 8]. */
export function encodeSections(
  header: Omit<ApproxHeader, 'sections'>,
  sections: ReadonlyMap<string, Uint8Array>,
): Uint8Array {
  return encodeSectionedRegion(packr, header, sections);
}

/** Parses a head region's header and returns a lookup of its sections (views, no copies). */
export function decodeSections(
  bytes: Uint8Array,
  where: string,
): { header: ApproxHeader; section: (name: string) => Uint8Array } {
  const fail = (detail: string, cause?: unknown): never => {
    throw new ShardFormatError(where, 'approximate head', detail, { cause });
  };
  if (bytes.length < 4) fail(`${bytes.length} bytes is too short`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (4 + headerLength > bytes.length) fail(`header length ${headerLength} exceeds the head`);
  let header: ApproxHeader;
  try {
    header = packr.unpack(bytes.subarray(4, 4 + headerLength)) as ApproxHeader;
  } catch (cause) {
    return fail('header is not valid msgpack', cause);
  }
  if (typeof header !== 'object' || header === null || typeof header.sections !== 'object')
    fail('no section table');
  if (header.version !== APPROX_FORMAT_VERSION)
    fail(`version ${header.version}, expected ${APPROX_FORMAT_VERSION}`);
  const dataStart = alignUp(4 + headerLength);
  const section = (name: string): Uint8Array => {
    const entry = header.sections[name];
    if (!Array.isArray(entry) || entry.length !== 2) return fail(`missing section ${name}`);
    const [offset, length] = entry;
    if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0)) {
      return fail(`section ${name} has a bad range`);
    }
    if (offset % SECTION_ALIGN !== 0 || dataStart + offset + length > bytes.length)
      fail(`section ${name} runs past the head`);
    return bytes.subarray(dataStart + offset, dataStart + offset + length);
  };
  return { header, section };
}

export interface ApproxFooter {
  readonly headOffset: number;
  readonly headLength: number;
  readonly headCrc: number;
}

export function encodeApproxFooter(footer: ApproxFooter): Uint8Array {
  const out = new Uint8Array(APPROX_FOOTER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, footer.headOffset % 2 ** 32, true);
  view.setUint32(4, Math.floor(footer.headOffset / 2 ** 32), true);
  view.setUint32(8, footer.headLength, true);
  view.setUint32(12, footer.headCrc, true);
  view.setUint32(16, APPROX_FORMAT_VERSION, true);
  view.setUint32(20, 0, true);
  out.set(APPROX_MAGIC, 24);
  return out;
}

export function decodeApproxFooter(bytes: Uint8Array, where: string): ApproxFooter {
  const fail = (detail: string): never => {
    throw new ShardFormatError(where, 'approximate footer', detail);
  };
  if (bytes.length !== APPROX_FOOTER_BYTES)
    fail(`expected ${APPROX_FOOTER_BYTES} bytes, got ${bytes.length}`);
  for (let i = 0; i < APPROX_MAGIC.length; i++) if (bytes[24 + i] !== APPROX_MAGIC[i]) fail('bad magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(16, true);
  if (version !== APPROX_FORMAT_VERSION) fail(`version ${version}, expected ${APPROX_FORMAT_VERSION}`);
  return {
    headOffset: view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32,
    headLength: view.getUint32(8, true),
    headCrc: view.getUint32(12, true),
  };
}

/** Checks a head's bytes against the CRC its footer (or manifest entry) gives. */
export function checkHeadCrc(bytes: Uint8Array, expected: number, where: string): void {
  const actual = crc32(bytes);
  if (actual !== expected) {
    throw new ShardFormatError(
      where,
      'approximate head',
      `checksum mismatch (stored ${expected.toString(16)}, computed ${actual.toString(16)})`,
    );
  }
}

/** A Uint32Array/Uint16Array view of section bytes (copied once when unaligned). */
export function u32s(bytes: Uint8Array): Uint32Array {
  const b = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength >>> 2);
}

export function u16s(bytes: Uint8Array): Uint16Array {
  const b = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  return new Uint16Array(b.buffer, b.byteOffset, b.byteLength >>> 1);
}

export function bytesOf(array: Uint32Array | Uint16Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Summaries keep maxima in one byte, rounded up so a bound never shrinks (8-bit impacts: exact). */
export function toSummaryByte(max: number, topImpact: number): number {
  return topImpact <= 255 ? max : Math.min(255, Math.ceil((max * 255) / topImpact));
}

/** What one summary byte is worth in impact units (1 for 8-bit impacts). */
export function summaryUnit(impactBits: number): number {
  const top = 2 ** impactBits - 1;
  return top <= 255 ? 1 : top / 255;
}
