/**
 * The stored-fields region: per document one msgpack record {id, title?, url?, meta?} (what a
 * search result shows), followed by a table so a reader fetches only its hits' records.
 * Table layout (u32, little-endian), interleaved so one hit needs one 12-byte slice of it:
 *   entries[2d] = start of doc d's record (relative to the records start), entries[2d + 1] = CRC-32
 *   of that record, entries[2 * numDocs] = records length; doc d's record is [entries[2d], entries[2d+2]).
 * The footer carries the whole table's CRC (checked when a reader loads the whole table); each
 * record's own CRC catches a flipped bit that msgpack would otherwise decode into another value,
 * and a damaged entry read alone, since it then points at bytes with another CRC.
 */
import { Packr } from 'msgpackr';
import { crc32 } from './checksum.ts';
import { ShardFormatError, ShardInputError } from './errors.ts';

/** What a caller may store per document besides its external id. */
export interface StoredFields {
  readonly title?: string;
  readonly url?: string;
  /** Any JSON-compatible value. */
  readonly metadata?: unknown;
  /**
   * The document's text, carried through a run only when it is indexed with --store-text; shard records
   * never hold it (the doc-values file keeps it in compressed blocks, shared/docvalues/text-blocks.ts).
   */
  readonly text?: string;
}

/** A stored record as read back. */
export interface StoredDocument extends StoredFields {
  readonly localDoc: number;
  readonly externalId: string;
}

// One instance per format: useRecords false keeps records plain msgpack maps (readable by any
// msgpack library) and makes the bytes a deterministic function of the value.
const packr = new Packr({ useRecords: false, moreTypes: true });

export interface EncodedStoredFields {
  readonly records: Uint8Array;
  /** The interleaved entries table, as bytes. */
  readonly table: Uint8Array;
}

export function encodeStoredFields(
  externalIds: readonly string[],
  fields: readonly (StoredFields | undefined)[],
): EncodedStoredFields {
  const n = externalIds.length;
  const table = new Uint32Array(2 * n + 1);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let d = 0; d < n; d++) {
    const f = fields[d];
    const record: Record<string, unknown> = { id: externalIds[d] };
    if (f?.title !== undefined) record.title = f.title;
    if (f?.url !== undefined) record.url = f.url;
    if (f?.metadata !== undefined) {
      if (hasProtoKey(f.metadata)) {
        throw new ShardInputError(
          `stored metadata of document ${d} (${externalIds[d]}) has a "__proto__" key, which msgpack readers rename`,
        );
      }
      record.meta = f.metadata;
    }
    let bytes: Uint8Array;
    try {
      bytes = packr.pack(record);
    } catch (cause) {
      throw new ShardInputError(
        `stored fields of document ${d} (${externalIds[d]}) cannot be encoded: ${cause}`,
      );
    }
    chunks.push(bytes);
    total += bytes.length;
    if (total > 0xffffffff) throw new ShardInputError('stored fields exceed 4 GiB in one shard');
    table[2 * d + 1] = crc32(bytes);
    table[2 * d + 2] = total;
  }
  const records = new Uint8Array(total);
  for (let d = 0; d < n; d++) records.set(chunks[d], table[2 * d]);
  return { records, table: new Uint8Array(table.buffer) };
}

/** msgpackr (rightly) renames "__proto__" keys on decode, so such metadata could not round-trip. */
function hasProtoKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasProtoKey);
  if (ArrayBuffer.isView(value)) return false;
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || hasProtoKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** Byte size of the table for `numDocs` documents. */
export function storedTableBytes(numDocs: number): number {
  return (2 * numDocs + 1) * 4;
}

/** Where one document's record lies (relative to the records start) and its CRC. */
export interface StoredEntry {
  readonly start: number;
  readonly end: number;
  readonly crc: number;
}

/** Byte offset, within the table, of the 12 bytes that describe doc d. */
export function storedEntryOffset(localDoc: number): number {
  return 8 * localDoc;
}
export const STORED_ENTRY_BYTES = 12;

/** Validates a whole table (its CRC already checked) against the records length. */
export function checkStoredTable(
  table: Uint32Array,
  numDocs: number,
  recordsLength: number,
  shard: string,
): (localDoc: number) => StoredEntry {
  if (table[0] !== 0 || table[2 * numDocs] !== recordsLength) {
    throw new ShardFormatError(
      shard,
      'stored fields',
      `record offsets must run from 0 to ${recordsLength}, got ${table[0]}..${table[2 * numDocs]}`,
    );
  }
  for (let d = 0; d < numDocs; d++) {
    if (table[2 * d + 2] < table[2 * d]) {
      throw new ShardFormatError(shard, 'stored fields', `record offsets decrease at doc ${d}`);
    }
  }
  return (d) => ({ start: table[2 * d], end: table[2 * d + 2], crc: table[2 * d + 1] });
}

/** Parses the 12 table bytes of one doc read on their own (no table CRC: the record CRC covers it). */
export function parseStoredEntry(
  bytes: Uint8Array,
  localDoc: number,
  recordsLength: number,
  shard: string,
): StoredEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, STORED_ENTRY_BYTES);
  const start = view.getUint32(0, true);
  const crc = view.getUint32(4, true);
  const end = view.getUint32(8, true);
  if (start > end || end > recordsLength) {
    throw new ShardFormatError(
      shard,
      'stored fields',
      `record of doc ${localDoc} at ${start}..${end} lies outside 0..${recordsLength}`,
    );
  }
  return { start, end, crc };
}

/** Decodes one record's bytes after checking its CRC. */
export function decodeStoredRecord(
  bytes: Uint8Array,
  localDoc: number,
  expectedCrc: number,
  shard: string,
): StoredDocument {
  const bad = (detail: string, cause?: unknown) =>
    new ShardFormatError(shard, 'stored fields', `record of doc ${localDoc}: ${detail}`, { cause });
  if (crc32(bytes) !== expectedCrc) throw bad('checksum mismatch');
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (cause) {
    throw bad('not valid msgpack', cause);
  }
  if (typeof value !== 'object' || value === null) throw bad('not a map');
  const r = value as Record<string, unknown>;
  if (typeof r.id !== 'string') throw bad('id is not a string');
  if (r.title !== undefined && typeof r.title !== 'string') throw bad('title is not a string');
  if (r.url !== undefined && typeof r.url !== 'string') throw bad('url is not a string');
  const doc: { -readonly [K in keyof StoredDocument]: StoredDocument[K] } = { localDoc, externalId: r.id };
  if (r.title !== undefined) doc.title = r.title as string;
  if (r.url !== undefined) doc.url = r.url as string;
  if (r.meta !== undefined) doc.metadata = r.meta;
  return doc;
}
