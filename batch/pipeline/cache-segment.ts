/**
 * One encoding-cache segment: a batch of (content hash → sparse vector) entries written as one immutable
 * object. Binary and little-endian, laid out so the hashes can be read alone with one range read (a run
 * that only needs to know what is cached never downloads vectors):
 *
 *   [0]  8-byte magic "CSPLCACH"   [8] u32 version (1 or 2)   [12] u32 count   [16] u32 totalTerms
 *   [20] u32 CRC-32 of everything after the header
 *   [24] u32 byte length of the term table (version 2; 0 in version 1)   [28] 4 reserved bytes (0)
 *   [32] hashes   u32[2·count]   (hi, lo per entry)
 *        offsets  u32[count+1]   (entry i's terms are [offsets[i], offsets[i+1]))
 *        terms    u32[totalTerms]
 *        weights  f32[totalTerms]
 *        term table (version 2): UTF-8, one term a line; entry terms are line numbers in it
 *
 * Version 2 is for open vocabularies (the English analyzer, batch/pipeline/english-bm25.ts), whose term
 * ids are per process: the segment names its terms by string, and the reader maps them to ids of its own
 * (`intern`), re-sorting each vector. Encoders with a fixed vocabulary write version 1.
 */
import { crc32 } from '../../shared/shard/checksum.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import type { Hash64 } from '../corpus/hash64.ts';
import { PipelineDataError } from './errors.ts';

const MAGIC = [0x43, 0x53, 0x50, 0x4c, 0x43, 0x41, 0x43, 0x48]; // "CSPLCACH"
const VERSIONS = [1, 2];
export const SEGMENT_HEADER_BYTES = 32;

export interface SegmentEntry {
  readonly hash: Hash64;
  readonly vector: SparseVector;
}

/** How a segment of an open vocabulary names terms: writers turn ids into strings, readers back into ids. */
export interface SegmentVocabulary {
  termOf(id: number): string;
  intern(term: string): number;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeSegment(input: readonly SegmentEntry[], vocabulary?: SegmentVocabulary): Uint8Array {
  let entries = input;
  let table = new Uint8Array(0);
  if (vocabulary) {
    // Segment-local ids in first-use order; the table lists their strings.
    const local = new Map<number, number>();
    const strings: string[] = [];
    entries = input.map(({ hash, vector }) => ({
      hash,
      vector: {
        terms: Uint32Array.from(vector.terms, (id) => {
          let at = local.get(id);
          if (at === undefined) {
            at = strings.push(vocabulary.termOf(id)) - 1;
            local.set(id, at);
          }
          return at;
        }),
        weights: vector.weights,
      },
    }));
    table = utf8.encode(strings.join('\n'));
  }
  const count = entries.length;
  let totalTerms = 0;
  for (const e of entries) totalTerms += e.vector.terms.length;
  const words = 2 * count + (count + 1) + 2 * totalTerms;
  const bytes = new Uint8Array(SEGMENT_HEADER_BYTES + 4 * words + table.length);
  bytes.set(table, SEGMENT_HEADER_BYTES + 4 * words);
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
  view.setUint32(8, vocabulary ? 2 : 1, true);
  view.setUint32(12, count, true);
  view.setUint32(16, totalTerms, true);
  view.setUint32(24, table.length, true);
  view.setUint32(20, crc32(bytes.subarray(SEGMENT_HEADER_BYTES)), true);
  return bytes;
}

/** Reads the header; returns the entry count and the byte length of header + hashes. */
export function decodeSegmentHeader(
  header: Uint8Array,
  key: string,
): { count: number; hashesEnd: number; version: number } {
  if (header.length < SEGMENT_HEADER_BYTES)
    throw new PipelineDataError(key, 'cache segment shorter than its header');
  for (let i = 0; i < MAGIC.length; i++) {
    if (header[i] !== MAGIC[i]) throw new PipelineDataError(key, 'not a cache segment (bad magic)');
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const version = view.getUint32(8, true);
  if (!VERSIONS.includes(version))
    throw new PipelineDataError(key, `cache segment version ${version} is not supported`);
  const count = view.getUint32(12, true);
  return { count, hashesEnd: SEGMENT_HEADER_BYTES + 8 * count, version };
}

/** The hashes of a segment from its first `hashesEnd` bytes, as (hi, lo) pairs. */
export function decodeSegmentHashes(prefix: Uint8Array, key: string): Uint32Array {
  const { count, hashesEnd } = decodeSegmentHeader(prefix, key);
  if (prefix.length < hashesEnd)
    throw new PipelineDataError(key, 'cache segment truncated inside its hashes');
  // Copy into an aligned buffer: the prefix may sit at any byte offset.
  return new Uint32Array(prefix.slice(SEGMENT_HEADER_BYTES, SEGMENT_HEADER_BYTES + 8 * count).buffer);
}

/**
 * Decodes a whole segment after checking its size and checksum. A version 2 segment needs `vocabulary`
 * (its terms come back as `vocabulary.intern` ids, each vector sorted again); version 1 ignores it.
 */
export function decodeSegment(
  bytes: Uint8Array,
  key: string,
  vocabulary?: SegmentVocabulary,
): { hashes: Uint32Array; vectors: SparseVector[] } {
  const { count, version } = decodeSegmentHeader(bytes, key);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const totalTerms = view.getUint32(16, true);
  const tableBytes = version === 2 ? view.getUint32(24, true) : 0;
  const words = 2 * count + (count + 1) + 2 * totalTerms;
  if (bytes.length !== SEGMENT_HEADER_BYTES + 4 * words + tableBytes) {
    throw new PipelineDataError(
      key,
      `cache segment is ${bytes.length} bytes, expected ${SEGMENT_HEADER_BYTES + 4 * words + tableBytes}`,
    );
  }
  if (version === 2 && !vocabulary)
    throw new PipelineDataError(key, 'cache segment names terms by string, but its reader has no vocabulary');
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
  if (version === 2) {
    const end = aligned.byteOffset + SEGMENT_HEADER_BYTES + 4 * words;
    const text = utf8Decoder.decode(new Uint8Array(aligned.buffer, end, tableBytes));
    const ids = (text === '' ? [] : text.split('\n')).map((term) => vocabulary!.intern(term));
    for (let i = 0; i < count; i++) vectors[i] = renumber(vectors[i], ids, key);
  }
  return { hashes: body.slice(0, 2 * count), vectors };
}

/** A vector with segment-local term numbers → the reader's ids, sorted again (the SparseVector invariant). */
function renumber(v: SparseVector, ids: readonly number[], key: string): SparseVector {
  const order = Array.from(v.terms, (_, i) => i);
  const mapped = Array.from(v.terms, (local) => {
    const id = ids[local];
    if (id === undefined)
      throw new PipelineDataError(key, `cache segment term ${local} is outside its term table`);
    return id;
  });
  order.sort((a, b) => mapped[a] - mapped[b]);
  return {
    terms: Uint32Array.from(order, (i) => mapped[i]),
    weights: Float32Array.from(order, (i) => v.weights[i]),
  };
}
