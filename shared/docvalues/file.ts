/**
 * The doc-values file of one shard (`shard-NNNN.docvalues`, beside the shard): what filters test and what
 * a hit's stored text is, per local document, in sections a query reads by range:
 *
 *   [sections]           filter structures (columns.ts) and compressed text blocks (text-blocks.ts)
 *   [head]               msgpack: doc count, section table (offset, length, CRC-32 of each), fields, text
 *   [footer, 32 bytes]   u32 headOffset lo, u32 headOffset hi, u32 headLength, u32 headCrc, u32 version,
 *                        u32 reserved, magic "CSPLDOCV"
 *
 * It is a file of its own (not a section of the shard) because both search modes need it and approximate
 * search never opens the shard file. The manifest records the head's range and CRC, so a query learns
 * where every section is with one read; every section carries its own CRC, checked when it is read.
 */
import { Packr } from 'msgpackr';
import { crc32 } from '../shard/checksum.ts';
import { ShardFormatError } from '../shard/errors.ts';
import { type BuiltField, buildField, type FieldEntry } from './columns.ts';
import type { FilterableSchema } from './schema.ts';
import { encodeTextBlocks, TEXT_CODEC } from './text-blocks.ts';

export const DOC_VALUES_MAGIC = Uint8Array.from([0x43, 0x53, 0x50, 0x4c, 0x44, 0x4f, 0x43, 0x56]); // CSPLDOCV
export const DOC_VALUES_FORMAT_VERSION = 1;
export const DOC_VALUES_FOOTER_BYTES = 32;

const packr = new Packr({ useRecords: false, moreTypes: true });

export interface DocValuesHead {
  readonly numDocs: number;
  /** (offset, length, crc) of every section. */
  readonly sections: Uint32Array;
  readonly fields: FieldEntry[];
  /** Stored text: first local doc of each block (then numDocs), and the section of block 0. */
  readonly text?: { readonly firstDocs: Uint32Array; readonly firstSection: number; readonly codec: string };
}

export interface SectionRange {
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
}

export interface BuiltDocValues {
  readonly bytes: Uint8Array;
  readonly head: SectionRange;
  readonly fields: FieldEntry[];
  readonly textBlocks: number;
}

export interface DocValuesInput {
  /** Per local doc, its metadata (what filterable fields are read from). */
  readonly metadata: readonly unknown[];
  readonly schema: FilterableSchema;
  /** Per local doc, its text, when the index stores text. */
  readonly texts?: readonly (string | undefined)[];
}

export async function buildDocValuesFile(input: DocValuesInput): Promise<BuiltDocValues> {
  const numDocs = input.metadata.length;
  const sections: Uint8Array[] = [];
  const fields: FieldEntry[] = [];
  for (const [name, type] of Object.entries(input.schema)) {
    const built: BuiltField = buildField(name, type, input.metadata, sections.length);
    fields.push(built.entry);
    sections.push(...built.sections);
  }
  let text: DocValuesHead['text'];
  if (input.texts) {
    if (input.texts.length !== numDocs) throw new RangeError('texts and metadata differ in length');
    const { blocks, firstDocs } = await encodeTextBlocks(input.texts);
    text = {
      firstDocs: Uint32Array.from([...firstDocs, numDocs]),
      firstSection: sections.length,
      codec: TEXT_CODEC,
    };
    sections.push(...blocks);
  }
  const table = new Uint32Array(3 * sections.length);
  let at = 0;
  sections.forEach((s, i) => {
    table[3 * i] = at;
    table[3 * i + 1] = s.length;
    table[3 * i + 2] = crc32(s);
    at += s.length;
  });
  if (at > 0xffffffff) throw new RangeError('doc values exceed 4 GiB in one shard');
  const head = packr.pack({ numDocs, sections: table, fields, ...(text ? { text } : {}) } as DocValuesHead);
  const bytes = new Uint8Array(at + head.length + DOC_VALUES_FOOTER_BYTES);
  sections.forEach((s, i) => {
    bytes.set(s, table[3 * i]);
  });
  bytes.set(head, at);
  const headCrc = crc32(head);
  const footer = new DataView(bytes.buffer, at + head.length, DOC_VALUES_FOOTER_BYTES);
  footer.setUint32(0, at, true);
  footer.setUint32(4, 0, true);
  footer.setUint32(8, head.length, true);
  footer.setUint32(12, headCrc, true);
  footer.setUint32(16, DOC_VALUES_FORMAT_VERSION, true);
  bytes.set(DOC_VALUES_MAGIC, at + head.length + 24);
  return {
    bytes,
    head: { offset: at, length: head.length, crc: headCrc },
    fields,
    textBlocks: text ? text.firstDocs.length - 1 : 0,
  };
}

/** Decodes a head read by its manifest range, checking its CRC and the section table's bounds. */
export function decodeDocValuesHead(bytes: Uint8Array, expectedCrc: number, key: string): DocValuesHead {
  if (crc32(bytes) !== expectedCrc) throw new ShardFormatError(key, 'doc values', 'head checksum mismatch');
  let head: DocValuesHead;
  try {
    head = packr.unpack(bytes) as DocValuesHead;
  } catch (cause) {
    throw new ShardFormatError(key, 'doc values', 'head is not valid msgpack', { cause });
  }
  if (
    typeof head !== 'object' ||
    head === null ||
    !Number.isSafeInteger(head.numDocs) ||
    !(head.sections instanceof Uint32Array) ||
    head.sections.length % 3 !== 0 ||
    !Array.isArray(head.fields)
  ) {
    throw new ShardFormatError(key, 'doc values', 'head lacks numDocs, sections or fields');
  }
  return head;
}

/** Byte range and CRC of section `i`. */
export function sectionRange(head: DocValuesHead, i: number, key: string): SectionRange {
  if (!Number.isInteger(i) || i < 0 || 3 * i >= head.sections.length) {
    throw new ShardFormatError(key, 'doc values', `no section ${i}`);
  }
  return { offset: head.sections[3 * i], length: head.sections[3 * i + 1], crc: head.sections[3 * i + 2] };
}

/** A section's bytes, after checking their CRC. */
export function checkedSection(bytes: Uint8Array, range: SectionRange, key: string): Uint8Array {
  if (bytes.length !== range.length || crc32(bytes) !== range.crc) {
    throw new ShardFormatError(key, 'doc values', `section at ${range.offset}: checksum mismatch`);
  }
  return bytes;
}

/** The text block holding local doc `doc` (its index), or -1 when the file stores no text. */
export function textBlockOf(head: DocValuesHead, doc: number): number {
  const firstDocs = head.text?.firstDocs;
  if (!firstDocs || doc < 0 || doc >= head.numDocs) return -1;
  let lo = 0;
  let hi = firstDocs.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (firstDocs[mid] <= doc) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
