/**
 * One encoding-cache segment: a batch of (content hash → sparse vector) entries written as one immutable
 * object. Binary and little-endian, laid out so the hashes can be read alone with one range read (a run
 * that only needs to know what is cached never downloads vectors):
 *
 *   [0]  8-byte magic "CSPLCACH"   [8] u32 version (1)   [12] u32 count   [16] u32 totalTerms
 *   [20] u32 CRC-32 of everything after the header       [24] 8 reserved bytes (0)
 *   [32] hashes   u32[2·count]   (hi, lo per entry)
 *        offsets  u32[count+1]   (entry i's terms are [offsets[i], offsets[i+1]))
 *        terms    u32[totalTerms]
 *        weights  f32[totalTerms]
 */
import { crc32 } from '../../shared/shard/checksum.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import type { Hash64 } from '../corpus/hash64.ts';
import { PipelineDataError } from './errors.ts';

const MAGIC = [0x43, 0x53, 0x50, 0x4c, 0x43, 0x41, 0x43, 0x48]; // "CSPLCACH"
const VERSION = 1;
export const SEGMENT_HEADER_BYTES = 32;

export interface SegmentEntry {
  readonly hash: Hash64;
  readonly vector: SparseVector;
}

export function encodeSegment(entries: readonly SegmentEntry[]): Uint8Array {
  const count = entries.length;
  let totalTerms = 0;
  for (const e of entries) totalTerms += e.vector.terms.length;
  const words = 2 * count + (count + 1) + 2 * totalTerms;
  const bytes = new Uint8Array(SEGMENT_HEADER_BYTES + 4 * words);
  const body = new Uint32Array(bytes.buffer, SEGMENT_HEADER_BYTES, words);
  const offsetsAt = 2 * count;
  const termsAt = offsetsAt + count + 1;
  const weights = new Float32Array(
    bytes.buffer,
    SEGMENT_HEADER_BYTES + 4 * (termsAt + totalTerms),
    totalTerms,
  );
  let at = 0;
  for (let i = 0; i < count; i++) {
    const { hash, vector } = entries[i];
    body[2 * i] = hash.hi;
    body[2 * i + 1] = hash.lo;
    body[offsetsAt + i] = at;
    body.set(vector.terms, termsAt + at);
    weights.set(vector.weights, at);
    at += vector.terms.length;
  }
  body[offsetsAt + count] = at;
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, count, true);
  view.setUint32(16, totalTerms, true);
  view.setUint32(20, crc32(bytes.subarray(SEGMENT_HEADER_BYTES)), true);
  return bytes;
}

/** Reads the header; returns the entry count and the byte length of header + hashes. */
export function decodeSegmentHeader(header: Uint8Array, key: string): { count: number; hashesEnd: number } {
  if (header.length < SEGMENT_HEADER_BYTES)
    throw new PipelineDataError(key, 'cache segment shorter than its header');
  for (let i = 0; i < MAGIC.length; i++) {
    if (header[i] !== MAGIC[i]) throw new PipelineDataError(key, 'not a cache segment (bad magic)');
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION)
    throw new PipelineDataError(key, `cache segment version ${version} is not supported`);
  const count = view.getUint32(12, true);
  return { count, hashesEnd: SEGMENT_HEADER_BYTES + 8 * count };
}

/** The hashes of a segment from its first `hashesEnd` bytes, as (hi, lo) pairs. */
export function decodeSegmentHashes(prefix: Uint8Array, key: string): Uint32Array {
  const { count, hashesEnd } = decodeSegmentHeader(prefix, key);
  if (prefix.length < hashesEnd)
    throw new PipelineDataError(key, 'cache segment truncated inside its hashes');
  // Copy into an aligned buffer: the prefix may sit at any byte offset.
  return new Uint32Array(prefix.slice(SEGMENT_HEADER_BYTES, SEGMENT_HEADER_BYTES + 8 * count).buffer);
}

/** Decodes a whole segment after checking its size and checksum. */
export function decodeSegment(
  bytes: Uint8Array,
  key: string,
): { hashes: Uint32Array; vectors: SparseVector[] } {
  const { count } = decodeSegmentHeader(bytes, key);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const totalTerms = view.getUint32(16, true);
  const words = 2 * count + (count + 1) + 2 * totalTerms;
  if (bytes.length !== SEGMENT_HEADER_BYTES + 4 * words) {
    throw new PipelineDataError(
      key,
      `cache segment is ${bytes.length} bytes, expected ${SEGMENT_HEADER_BYTES + 4 * words}`,
    );
  }
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (crc32(aligned.subarray(SEGMENT_HEADER_BYTES)) !== view.getUint32(20, true)) {
    throw new PipelineDataError(key, 'cache segment checksum mismatch');
  }
  const body = new Uint32Array(aligned.buffer, aligned.byteOffset + SEGMENT_HEADER_BYTES, words);
  const offsetsAt = 2 * count;
  const termsAt = offsetsAt + count + 1;
  const allWeights = new Float32Array(
    aligned.buffer,
    aligned.byteOffset + SEGMENT_HEADER_BYTES + 4 * (termsAt + totalTerms),
    totalTerms,
  );
  const vectors: SparseVector[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const from = body[offsetsAt + i];
    const to = body[offsetsAt + i + 1];
    if (to < from || to > totalTerms)
      throw new PipelineDataError(key, `cache segment entry ${i} has bad offsets`);
    vectors[i] = {
      terms: body.subarray(termsAt + from, termsAt + to),
      weights: allWeights.subarray(from, to),
    };
  }
  return { hashes: body.slice(0, 2 * count), vectors };
}
