/**
 * The hot region: everything a query needs before it reads postings, read with one range read.
 * Layout: [u32 headerLength][msgpack header][zero padding to 8][sections, each 8-aligned].
 * The header holds the stats, the file regions (postings, stored fields), the doc-map kind and the
 * section table (name → [offset, length] relative to the first section); sections are raw
 * little-endian typed arrays (dictionary columns, doc-map columns) that the reader views in place.
 * Decoding checks every offset, length and monotonic column once, so later lookups need no checks.
 */
import { Packr } from 'msgpackr';
import { VarintError, VarintReader, varintLength, writeVarint } from '../codec/varint.ts';
import { type DocMap, type DocMapMeta, decodeDocMap } from './doc-map.ts';
import { ShardFormatError, type ShardSection } from './errors.ts';
import { alignUp, encodeSectionedRegion, SECTION_ALIGN } from './format.ts';
import { storedTableBytes } from './stored-fields.ts';

/** Per-shard statistics, also returned by writeShard for the manifest. */
export interface ShardStats {
  readonly shardName: string;
  readonly numDocs: number;
  /** This shard holds global docs [docBase, docBase + numDocs). */
  readonly docBase: number;
  /** Terms with at least one posting. */
  readonly numTerms: number;
  readonly numPostings: number;
  readonly impactBits: number;
  /** Dequantized weight = impact × indexScale (see shared/sparse/quantize.ts). */
  readonly indexScale: number;
  /** Largest impact in the shard (0 when it has no postings). */
  readonly maxImpact: number;
  /** Version of the posting-list blob format (shared/postings/README.md). */
  readonly postingsVersion: number;
  /** Free-form build information given to the writer (tool, encoder fingerprint, …). */
  readonly build: Readonly<Record<string, string | number | boolean>>;
}

export interface Region {
  readonly offset: number;
  readonly length: number;
}

export interface HotHeader {
  readonly stats: ShardStats;
  readonly postings: Region;
  readonly storedFields: { readonly records: Region; readonly table: Region } | null;
  readonly docMap: DocMapMeta;
}

/** The term dictionary: parallel columns sorted by term id. */
export interface Dictionary {
  readonly terms: Uint32Array;
  /** numTerms + 1 blob boundaries, relative to the postings region start. */
  readonly starts: Uint32Array;
  readonly df: Uint32Array;
  readonly maxImpact: Uint16Array;
  readonly crc: Uint32Array;
}

export const DICT_TERMS = 'dict.terms';
export const DICT_STARTS = 'dict.starts';
export const DICT_DF = 'dict.df';
export const DICT_MAX_IMPACT = 'dict.maxImpact';
export const DICT_CRC = 'dict.crc';
/** Format 2: terms, blob lengths and df as one varint stream (replaces the three u32 columns). */
export const DICT_PACKED = 'dict.packed';
/** Format 2 with impactBits <= 8: max impacts as u8 (replaces the u16 column). */
export const DICT_MAX_IMPACT8 = 'dict.maxImpact8';

/**
 * The varint stream of DICT_PACKED: per term, (term id − previous term id, or the id itself for
 * the first), blob length, df. Most of each is one or two bytes where the u32 columns took twelve:
 * the dictionary dominates the hot region, which every cold query reads for every shard.
 */
export function packDictionary(terms: Uint32Array, starts: Uint32Array, df: Uint32Array): Uint8Array {
  let size = 0;
  for (let i = 0; i < terms.length; i++) {
    size += varintLength(i === 0 ? terms[0] : terms[i] - terms[i - 1]);
    size += varintLength(starts[i + 1] - starts[i]) + varintLength(df[i]);
  }
  const out = new Uint8Array(size);
  let p = 0;
  for (let i = 0; i < terms.length; i++) {
    p = writeVarint(out, p, i === 0 ? terms[0] : terms[i] - terms[i - 1]);
    p = writeVarint(out, p, starts[i + 1] - starts[i]);
    p = writeVarint(out, p, df[i]);
  }
  return out;
}

const packr = new Packr({ useRecords: false, moreTypes: true });
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Serializes the hot region; sections are laid out in the order given. */
export function encodeHotRegion(header: HotHeader, sections: ReadonlyMap<string, Uint8Array>): Uint8Array {
  return encodeSectionedRegion(packr, header, sections);
}

export interface DecodedHotRegion {
  readonly header: HotHeader;
  readonly dictionary: Dictionary;
  readonly docMap: DocMap;
}

/**
 * Parses a hot region whose CRC was already checked. `hotOffset` (its file offset) bounds the
 * regions it describes: they must all lie before it.
 */
export function decodeHotRegion(bytes: Uint8Array, hotOffset: number, shard: string): DecodedHotRegion {
  if (!LITTLE_ENDIAN)
    throw new ShardFormatError(shard, 'hot region', 'big-endian platforms are not supported');
  const bad = (section: ShardSection, detail: string, cause?: unknown) =>
    new ShardFormatError(shard, section, detail, { cause });
  if (bytes.length < 4) throw bad('hot region', `${bytes.length} bytes is too short`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (4 + headerLength > bytes.length)
    throw bad('section table', `header length ${headerLength} exceeds the region`);
  let raw: unknown;
  try {
    raw = packr.unpack(bytes.subarray(4, 4 + headerLength));
  } catch (cause) {
    throw bad('section table', 'header is not valid msgpack', cause);
  }
  if (!isObject(raw)) throw bad('section table', 'header is not a map');
  const dataStart = alignUp(4 + headerLength);
  const sections = readSectionTable(raw.sections, bytes.length - dataStart, (d) => bad('section table', d));
  const section = (name: string) => {
    const s = sections.get(name);
    return s && bytes.subarray(dataStart + s[0], dataStart + s[0] + s[1]);
  };
  const stats = readStats(raw.stats, (d) => bad('stats', d));
  const postings = readRegion(raw.postings, 'postings', (d) => bad('section table', d));
  if (postings.offset !== 0) throw bad('section table', `postings must start at 0, got ${postings.offset}`);
  let storedFields: HotHeader['storedFields'] = null;
  if (raw.storedFields !== null && raw.storedFields !== undefined) {
    if (!isObject(raw.storedFields)) throw bad('section table', 'storedFields is not a map');
    const records = readRegion(raw.storedFields.records, 'stored records', (d) => bad('stored fields', d));
    const table = readRegion(raw.storedFields.table, 'stored table', (d) => bad('stored fields', d));
    if (records.offset < postings.length || table.offset < records.offset + records.length) {
      throw bad('stored fields', 'regions overlap the postings or each other');
    }
    if (table.offset % 4 !== 0 || table.length !== storedTableBytes(stats.numDocs)) {
      throw bad(
        'stored fields',
        `table at ${table.offset} has ${table.length} bytes for ${stats.numDocs} docs`,
      );
    }
    storedFields = { records, table };
  }
  const end = storedFields ? storedFields.table.offset + storedFields.table.length : postings.length;
  if (end > hotOffset)
    throw bad('section table', `regions end at ${end}, past the hot region at ${hotOffset}`);
  const dictionary = readDictionary(section, stats, postings.length, (d) => bad('dictionary', d));
  const docMap = decodeDocMap(raw.docMap, stats.numDocs, section, u32View, shard);
  const header: HotHeader = { stats, postings, storedFields, docMap: raw.docMap as DocMapMeta };
  return { header, dictionary, docMap };
}

/** A Uint32Array over `bytes` without a copy when aligned (the usual case), with one otherwise. */
export function u32View(bytes: Uint8Array): Uint32Array {
  const b = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength >>> 2);
}

function u16View(bytes: Uint8Array): Uint16Array {
  const b = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  return new Uint16Array(b.buffer, b.byteOffset, b.byteLength >>> 1);
}

function readDictionary(
  section: (name: string) => Uint8Array | undefined,
  stats: ShardStats,
  postingsLength: number,
  bad: (detail: string) => Error,
): Dictionary {
  const n = stats.numTerms;
  const column = (name: string, bytesPer: number, count: number) => {
    const s = section(name);
    if (!s) throw bad(`missing column ${name}`);
    if (s.length !== count * bytesPer)
      throw bad(`${name} has ${s.length} bytes, expected ${count * bytesPer}`);
    return s;
  };
  const packed = section(DICT_PACKED);
  const { terms, starts, df } = packed
    ? unpackDictionary(packed, n, bad)
    : {
        terms: u32View(column(DICT_TERMS, 4, n)),
        starts: u32View(column(DICT_STARTS, 4, n + 1)),
        df: u32View(column(DICT_DF, 4, n)),
      };
  const narrow = section(DICT_MAX_IMPACT8);
  const maxImpact = narrow
    ? Uint16Array.from(column(DICT_MAX_IMPACT8, 1, n))
    : u16View(column(DICT_MAX_IMPACT, 2, n));
  const crc = u32View(column(DICT_CRC, 4, n));
  if (starts[0] !== 0 || starts[n] !== postingsLength) {
    throw bad(`blob offsets must run from 0 to ${postingsLength}, got ${starts[0]}..${starts[n]}`);
  }
  const topImpact = 2 ** stats.impactBits - 1;
  let postings = 0;
  let maxSeen = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && terms[i] <= terms[i - 1]) throw bad(`term ids not increasing at entry ${i}`);
    if (starts[i + 1] <= starts[i]) throw bad(`empty or negative blob for term ${terms[i]}`);
    if (df[i] < 1 || df[i] > stats.numDocs)
      throw bad(`df ${df[i]} of term ${terms[i]} outside 1..${stats.numDocs}`);
    if (maxImpact[i] < 1 || maxImpact[i] > topImpact) {
      throw bad(`max impact ${maxImpact[i]} of term ${terms[i]} outside 1..${topImpact}`);
    }
    if (maxImpact[i] > maxSeen) maxSeen = maxImpact[i];
    postings += df[i];
  }
  if (postings !== stats.numPostings)
    throw bad(`df sum ${postings} differs from stats.numPostings ${stats.numPostings}`);
  if (maxSeen !== stats.maxImpact) throw bad(`largest max impact ${maxSeen} differs from stats.maxImpact`);
  return { terms, starts, df, maxImpact, crc };
}

/** Decodes DICT_PACKED into the dictionary's columns; the stream must hold exactly n entries. */
function unpackDictionary(
  bytes: Uint8Array,
  n: number,
  bad: (detail: string) => Error,
): { terms: Uint32Array; starts: Uint32Array; df: Uint32Array } {
  // Three varints of at least one byte each per term: checked before allocating n-sized columns.
  if (n * 3 > bytes.length) throw bad(`${DICT_PACKED} has ${bytes.length} bytes, too few for ${n} terms`);
  const terms = new Uint32Array(n);
  const starts = new Uint32Array(n + 1);
  const df = new Uint32Array(n);
  const reader = new VarintReader(bytes);
  try {
    for (let i = 0; i < n; i++) {
      const term = i === 0 ? reader.next() : terms[i - 1] + reader.next();
      const length = reader.next();
      if (term > 0xffffffff || starts[i] + length > 0xffffffff) {
        throw bad(`${DICT_PACKED} entry ${i} overflows 32 bits`);
      }
      terms[i] = term;
      starts[i + 1] = starts[i] + length;
      df[i] = reader.next();
    }
  } catch (error) {
    if (error instanceof VarintError) throw bad(`${DICT_PACKED}: ${error.message}`);
    throw error;
  }
  if (!reader.done) throw bad(`${DICT_PACKED} has ${bytes.length - reader.pos} bytes after ${n} entries`);
  return { terms, starts, df };
}

function readSectionTable(
  value: unknown,
  dataLength: number,
  bad: (detail: string) => Error,
): Map<string, [number, number]> {
  if (!isObject(value)) throw bad('sections is not a map');
  const out = new Map<string, [number, number]>();
  for (const [name, entry] of Object.entries(value)) {
    if (!Array.isArray(entry) || entry.length !== 2 || !entry.every(isUint)) {
      throw bad(`section ${name} is not [offset, length]`);
    }
    const [offset, length] = entry as [number, number];
    if (offset % SECTION_ALIGN !== 0 || offset + length > dataLength) {
      throw bad(`section ${name} [${offset}, +${length}] is misaligned or outside ${dataLength} bytes`);
    }
    out.set(name, [offset, length]);
  }
  return out;
}

function readStats(value: unknown, bad: (detail: string) => Error): ShardStats {
  if (!isObject(value)) throw bad('not a map');
  const v = value;
  const uints = [
    'numDocs',
    'docBase',
    'numTerms',
    'numPostings',
    'impactBits',
    'maxImpact',
    'postingsVersion',
  ];
  for (const k of uints) if (!isUint(v[k])) throw bad(`${k} is not a non-negative integer: ${String(v[k])}`);
  const impactBits = v.impactBits as number;
  if (impactBits < 1 || impactBits > 16) throw bad(`impactBits ${impactBits} outside 1..16`);
  if (typeof v.indexScale !== 'number' || !(v.indexScale > 0) || !Number.isFinite(v.indexScale)) {
    throw bad(`indexScale ${String(v.indexScale)} is not a finite number > 0`);
  }
  if (typeof v.shardName !== 'string') throw bad('shardName is not a string');
  if ((v.numDocs as number) > 0xffffffff) throw bad(`numDocs ${v.numDocs} exceeds 2^32 - 1`);
  if (!isObject(v.build)) throw bad('build is not a map');
  return {
    shardName: v.shardName,
    numDocs: v.numDocs as number,
    docBase: v.docBase as number,
    numTerms: v.numTerms as number,
    numPostings: v.numPostings as number,
    impactBits,
    indexScale: v.indexScale,
    maxImpact: v.maxImpact as number,
    postingsVersion: v.postingsVersion as number,
    build: v.build as ShardStats['build'],
  };
}

function readRegion(value: unknown, what: string, bad: (detail: string) => Error): Region {
  if (!isObject(value) || !isUint(value.offset) || !isUint(value.length))
    throw bad(`${what} region is malformed`);
  return { offset: value.offset, length: value.length };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
