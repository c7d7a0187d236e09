/**
 * writeShard: documents' quantized vectors (+ external ids, optional stored fields) → one shard
 * file in memory, laid out as [postings][stored fields][hot region][footer] (FORMAT.md).
 * Inversion and blob encoding are shared/postings' (a counting sort, then one blob per term);
 * this file adds per-blob CRCs and the dictionary, and copies every part once into an exactly
 * sized output buffer. The bytes are a deterministic function of the input, which is what lets a
 * golden file per format version pin the format.
 */

import { POSTINGS_VERSION } from '../postings/format.ts';
import {
  type EncodedPostings,
  encodeAllPostingLists,
  type InvertedPostings,
  invertDocuments,
} from '../postings/invert.ts';
import type { PostingListEncodeOptions } from '../postings/posting-list.ts';
import type { QuantizedVector } from '../sparse/types.ts';
import { crc32 } from './checksum.ts';
import { type EncodedDocMap, encodeDocMap } from './doc-map.ts';
import { ShardInputError } from './errors.ts';
import { alignUp, encodeFooter, FLAG_STORED_FIELDS, FOOTER_BYTES } from './format.ts';
import {
  DICT_CRC,
  DICT_MAX_IMPACT,
  DICT_MAX_IMPACT8,
  DICT_PACKED,
  encodeHotRegion,
  type HotHeader,
  packDictionary,
  type Region,
  type ShardStats,
} from './hot-region.ts';
import { type EncodedStoredFields, encodeStoredFields, type StoredFields } from './stored-fields.ts';

export interface WriteShardInput {
  /** Used in stats and error messages, e.g. "shard-00003". */
  readonly shardName: string;
  /** Local doc d of this shard is global doc docBase + d. */
  readonly docBase: number;
  /** Impact width of the index (1..16); every impact must be ≤ 2^bits − 1. */
  readonly impactBits: number;
  /** The index-wide scale from impactScale(); stored so scores can be dequantized. */
  readonly indexScale: number;
  /** One quantized vector per local document. */
  readonly vectors: readonly QuantizedVector[];
  /** One external id per local document. */
  readonly externalIds: readonly string[];
  /** When given (one entry per document, undefined allowed), the shard gets a stored-fields region. */
  readonly storedFields?: readonly (StoredFields | undefined)[];
  /** Build information recorded in the stats (keep it deterministic for reproducible files). */
  readonly build?: Readonly<Record<string, string | number | boolean>>;
  /** Posting-list encoder options (block size, …). */
  readonly postings?: PostingListEncodeOptions;
}

export interface WrittenShard {
  readonly bytes: Uint8Array;
  /** Hot region range for the manifest; openShard(source, { hotOffset, hotLength }) reads it at once. */
  readonly hotRegion: Region;
  /** CRC-32 of the whole file. */
  readonly checksum: number;
  readonly stats: ShardStats;
}

export function writeShard(input: WriteShardInput): WrittenShard {
  checkInput(input);
  const maxTerm = checkVectors(input);
  const inverted = invertDocuments(input.vectors, maxTerm + 1);
  const encoded = encodeAllPostingLists(inverted, input.postings);
  if (encoded.totalBytes > 0xffffffff) throw new ShardInputError('postings exceed 4 GiB in one shard');
  const dictionary = dictionaryOf(inverted, encoded);
  const stored = input.storedFields ? encodeStoredFields(input.externalIds, input.storedFields) : null;
  const storedRegions = stored ? storedRegionsAfter(encoded.totalBytes, stored) : null;
  const end = storedRegions ? storedRegions.table.offset + storedRegions.table.length : encoded.totalBytes;
  const stats = statsOf(input, inverted, dictionary);
  const docMap = encodeDocMap(input.externalIds);
  const hot = encodeHotRegion(
    {
      stats,
      postings: { offset: 0, length: encoded.totalBytes },
      storedFields: storedRegions,
      docMap: docMap.meta,
    },
    hotSections(input.impactBits, encoded, dictionary, docMap),
  );
  const hotOffset = alignUp(end);
  const footer = encodeFooter({
    hotOffset,
    hotLength: hot.length,
    hotCrc: crc32(hot),
    storedTableCrc: stored ? crc32(stored.table) : 0,
    flags: stored ? FLAG_STORED_FIELDS : 0,
  });
  const bytes = new Uint8Array(hotOffset + hot.length + FOOTER_BYTES);
  let at = 0;
  for (const blob of encoded.blobs) {
    bytes.set(blob, at);
    at += blob.length;
  }
  if (stored && storedRegions) {
    bytes.set(stored.records, storedRegions.records.offset);
    bytes.set(stored.table, storedRegions.table.offset);
  }
  bytes.set(hot, hotOffset);
  bytes.set(footer, hotOffset + hot.length);
  return { bytes, hotRegion: { offset: hotOffset, length: hot.length }, checksum: crc32(bytes), stats };
}

/** Per term of the dictionary: where its blob starts, its document frequency, top impact and blob CRC. */
interface DictionaryColumns {
  /** numTerms + 1 offsets into the postings region. */
  readonly starts: Uint32Array;
  readonly df: Uint32Array;
  readonly maxImpact: Uint16Array;
  readonly crc: Uint32Array;
  /** The largest impact of the shard. */
  readonly shardMaxImpact: number;
}

/**
 * Each document's terms strictly increasing and its impacts within 1..2^impactBits − 1; returns the
 * largest term id (−1 for no terms).
 */
function checkVectors(input: WriteShardInput): number {
  const { vectors, externalIds, impactBits } = input;
  const topImpact = 2 ** impactBits - 1;
  let maxTerm = -1;
  for (let d = 0; d < vectors.length; d++) {
    const { terms, impacts } = vectors[d];
    for (let i = 0; i < terms.length; i++) {
      if (i > 0 && terms[i] <= terms[i - 1]) {
        throw new ShardInputError(
          `document ${d} (${externalIds[d]}): term ids not strictly increasing at ${i}`,
        );
      }
      if (impacts[i] < 1 || impacts[i] > topImpact) {
        throw new ShardInputError(
          `document ${d} (${externalIds[d]}): impact ${impacts[i]} of term ${terms[i]} outside 1..${topImpact}`,
        );
      }
    }
    if (terms.length > 0 && terms[terms.length - 1] > maxTerm) maxTerm = terms[terms.length - 1];
  }
  return maxTerm;
}

function dictionaryOf(inverted: InvertedPostings, encoded: EncodedPostings): DictionaryColumns {
  const numTerms = encoded.terms.length;
  const starts = new Uint32Array(numTerms + 1);
  const df = new Uint32Array(numTerms);
  const maxImpact = new Uint16Array(numTerms);
  const crc = new Uint32Array(numTerms);
  let shardMaxImpact = 0;
  for (let i = 0; i < numTerms; i++) {
    const t = encoded.terms[i];
    const from = inverted.termStarts[t];
    const to = inverted.termStarts[t + 1];
    let m = 0;
    for (let p = from; p < to; p++) if (inverted.impacts[p] > m) m = inverted.impacts[p];
    df[i] = to - from;
    maxImpact[i] = m;
    if (m > shardMaxImpact) shardMaxImpact = m;
    crc[i] = crc32(encoded.blobs[i]);
    starts[i + 1] = starts[i] + encoded.blobs[i].length;
  }
  return { starts, df, maxImpact, crc, shardMaxImpact };
}

/** The stored-field records, then their table, each aligned, after the postings that end at `end`. */
function storedRegionsAfter(
  end: number,
  stored: EncodedStoredFields,
): NonNullable<HotHeader['storedFields']> {
  const records = { offset: alignUp(end), length: stored.records.length };
  const table = { offset: alignUp(records.offset + records.length), length: stored.table.length };
  return { records, table };
}

function statsOf(
  input: WriteShardInput,
  inverted: InvertedPostings,
  dictionary: DictionaryColumns,
): ShardStats {
  return {
    shardName: input.shardName,
    numDocs: input.vectors.length,
    docBase: input.docBase,
    numTerms: dictionary.df.length,
    numPostings: inverted.docs.length,
    impactBits: input.impactBits,
    indexScale: input.indexScale,
    maxImpact: dictionary.shardMaxImpact,
    postingsVersion: POSTINGS_VERSION,
    build: { ...(input.build ?? {}) },
  };
}

/** The hot region's sections: the packed dictionary, its max-impact and CRC columns, the doc map. */
function hotSections(
  impactBits: number,
  encoded: EncodedPostings,
  dictionary: DictionaryColumns,
  docMap: EncodedDocMap,
): Map<string, Uint8Array> {
  const { starts, df, maxImpact, crc } = dictionary;
  return new Map<string, Uint8Array>([
    [DICT_PACKED, packDictionary(encoded.terms, starts, df)],
    impactBits <= 8 ? [DICT_MAX_IMPACT8, Uint8Array.from(maxImpact)] : [DICT_MAX_IMPACT, bytesOf(maxImpact)],
    [DICT_CRC, bytesOf(crc)],
    ...docMap.sections,
  ]);
}

function checkInput(input: WriteShardInput): void {
  const { vectors, externalIds, storedFields, impactBits, indexScale, docBase } = input;
  if (typeof input.shardName !== 'string') throw new ShardInputError('shardName must be a string');
  if (!Number.isInteger(impactBits) || impactBits < 1 || impactBits > 16) {
    throw new ShardInputError(`impactBits must be an integer in 1..16, got ${impactBits}`);
  }
  if (!Number.isFinite(indexScale) || indexScale <= 0) {
    throw new ShardInputError(`indexScale must be a finite number > 0, got ${indexScale}`);
  }
  if (!Number.isSafeInteger(docBase) || docBase < 0) {
    throw new ShardInputError(`docBase must be a non-negative integer, got ${docBase}`);
  }
  if (vectors.length > 0xffffffff) throw new ShardInputError(`too many documents: ${vectors.length}`);
  if (externalIds.length !== vectors.length) {
    throw new ShardInputError(`${vectors.length} vectors but ${externalIds.length} external ids`);
  }
  if (storedFields && storedFields.length !== vectors.length) {
    throw new ShardInputError(`${vectors.length} vectors but ${storedFields.length} stored-field entries`);
  }
  for (let d = 0; d < vectors.length; d++) {
    const v = vectors[d];
    if (v.terms.length !== v.impacts.length) {
      throw new ShardInputError(`document ${d}: ${v.terms.length} terms but ${v.impacts.length} impacts`);
    }
    if (typeof externalIds[d] !== 'string')
      throw new ShardInputError(`external id of document ${d} is not a string`);
  }
}

function bytesOf(a: Uint32Array | Uint16Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
