/**
 * Shard reader over a ByteSource (byte ranges only: no paths, no clients; runs in Workers).
 * Opening costs one read with a manifest hint (hot region + footer, which follow each other) and
 * at most two without (the file tail, which usually contains the whole hot region, then the rest
 * of the hot region if it did not fit). Postings are fetched with coalesced range reads and each
 * blob's CRC is checked before decoding; stored fields are fetched per hit (stored-reader.ts). Everything that depends on the bytes fails with ShardFormatError or
 * UnsupportedShardVersionError naming the shard and the section.
 */
import type { ByteSource } from '../io/byte-source.ts';
import { PostingList } from '../postings/posting-list.ts';
import { indexOfSorted } from '../sorted-search.ts';
import { crc32 } from './checksum.ts';
import { type CoalescedRange, coalesceRanges, DEFAULT_COALESCE_GAP } from './coalesce.ts';
import type { DocMap } from './doc-map.ts';
import { ShardFormatError, ShardRequestError, type ShardSection } from './errors.ts';
import { decodeFooter, FLAG_STORED_FIELDS, FOOTER_BYTES, type Footer, hex } from './format.ts';
import {
  type Dictionary,
  decodeHotRegion,
  type HotHeader,
  type Region,
  type ShardStats,
} from './hot-region.ts';
import type { StoredDocument } from './stored-fields.ts';
import { StoredFieldsReader } from './stored-reader.ts';

/** Where the hot region is, as recorded by a manifest (writeShard's `hotRegion`). */
export interface ShardOpenHint {
  readonly hotOffset: number;
  readonly hotLength: number;
}

export interface ShardOpenOptions {
  /** Postings ranges closer than this many bytes are read together (default 256 KiB). */
  readonly coalesceGap?: number;
  /** Bytes read from the end of a shard opened without a hint (default 64 KiB). */
  readonly tailBytes?: number;
  /**
   * Stored-fields tables up to this size are read whole once and cached; larger ones are read
   * per hit (default 64 KiB).
   */
  readonly storedTableCacheBytes?: number;
}

/** Where each region of a shard lies in the file. */
export interface ShardLayout {
  readonly postings: Region;
  readonly storedRecords: Region | null;
  readonly storedTable: Region | null;
  readonly hot: Region;
  readonly footer: Region;
}

/** Dictionary entry of one term. */
export interface TermInfo {
  readonly term: number;
  /** File offset and length of the term's posting-list blob. */
  readonly offset: number;
  readonly length: number;
  readonly df: number;
  readonly maxImpact: number;
  /** CRC-32 of the blob. */
  readonly checksum: number;
}

/** One read covering the blobs of `terms`. */
export interface PostingRange {
  readonly offset: number;
  readonly length: number;
  readonly terms: readonly number[];
}

const DEFAULT_TAIL_BYTES = 64 * 1024;

/**
 * Opens a shard. With `hint` (from the manifest) this is one read of hot region + footer.
 * @example const shard = await openShard(source, { hotOffset, hotLength });
 */
export async function openShard(
  source: ByteSource,
  hint?: ShardOpenHint,
  options?: ShardOpenOptions,
): Promise<ShardReader> {
  const name = source.name;
  let footer: Footer;
  let hot: Uint8Array;
  if (hint) {
    if (
      !Number.isSafeInteger(hint.hotOffset) ||
      !Number.isSafeInteger(hint.hotLength) ||
      hint.hotOffset < 0 ||
      hint.hotLength < 0
    ) {
      throw new ShardRequestError(`shard ${name}: invalid hint ${JSON.stringify(hint)}`);
    }
    const bytes = await readChecked(source, hint.hotOffset, hint.hotLength + FOOTER_BYTES, 'hot region');
    footer = decodeFooter(bytes.subarray(hint.hotLength), name);
    if (footer.hotOffset !== hint.hotOffset || footer.hotLength !== hint.hotLength) {
      throw new ShardFormatError(
        name,
        'footer',
        `hot region is at ${footer.hotOffset}+${footer.hotLength} but the manifest says ${hint.hotOffset}+${hint.hotLength}`,
      );
    }
    hot = bytes.subarray(0, hint.hotLength);
  } else {
    const size = source.size;
    if (size === undefined) {
      throw new ShardRequestError(
        `shard ${name}: its size is unknown, so it cannot be opened without a manifest hint`,
      );
    }
    if (size < FOOTER_BYTES)
      throw new ShardFormatError(name, 'footer', `shard has ${size} bytes, fewer than a footer`);
    const tailLength = Math.min(size, Math.max(options?.tailBytes ?? DEFAULT_TAIL_BYTES, FOOTER_BYTES));
    const tail = await readChecked(source, size - tailLength, tailLength, 'footer');
    footer = decodeFooter(tail.subarray(tailLength - FOOTER_BYTES), name);
    const hotEnd = footer.hotOffset + footer.hotLength;
    if (hotEnd + FOOTER_BYTES !== size) {
      throw new ShardFormatError(
        name,
        'footer',
        `hot region ends at ${hotEnd}, but the footer starts at ${size - FOOTER_BYTES} (truncated?)`,
      );
    }
    const tailStart = size - tailLength;
    hot =
      footer.hotOffset >= tailStart
        ? tail.subarray(footer.hotOffset - tailStart, tailLength - FOOTER_BYTES)
        : await readChecked(source, footer.hotOffset, footer.hotLength, 'hot region');
  }
  return new ShardReader(source, footer, hot, options);
}

/** Opens a shard already in memory; adds synchronous postings and stored-field access (benchmarks, tests). */
export function openShardSync(
  name: string,
  bytes: Uint8Array,
  options?: ShardOpenOptions,
): InMemoryShardReader {
  if (bytes.length < FOOTER_BYTES) {
    throw new ShardFormatError(name, 'footer', `shard has ${bytes.length} bytes, fewer than a footer`);
  }
  const footer = decodeFooter(bytes.subarray(bytes.length - FOOTER_BYTES), name);
  if (footer.hotOffset + footer.hotLength + FOOTER_BYTES !== bytes.length) {
    throw new ShardFormatError(
      name,
      'footer',
      `hot region ${footer.hotOffset}+${footer.hotLength} does not end at the footer (truncated?)`,
    );
  }
  const hot = bytes.subarray(footer.hotOffset, footer.hotOffset + footer.hotLength);
  return new InMemoryShardReader(name, bytes, footer, hot, options);
}

export class ShardReader {
  readonly name: string;
  readonly stats: ShardStats;
  readonly numDocs: number;
  readonly docBase: number;
  protected readonly source: ByteSource;
  protected readonly footer: Footer;
  protected readonly header: HotHeader;
  protected readonly dictionary: Dictionary;
  private readonly docMap: DocMap;
  private readonly coalesceGap: number;
  private readonly wholeTableBytes: number | undefined;
  private stored: StoredFieldsReader | null = null;

  constructor(source: ByteSource, footer: Footer, hot: Uint8Array, options?: ShardOpenOptions) {
    this.name = source.name;
    this.source = source;
    this.footer = footer;
    const actual = crc32(hot);
    if (actual !== footer.hotCrc) {
      throw new ShardFormatError(
        this.name,
        'hot region',
        `checksum mismatch (footer ${hex(footer.hotCrc)}, computed ${hex(actual)})`,
      );
    }
    const decoded = decodeHotRegion(hot, footer.hotOffset, this.name);
    if ((decoded.header.storedFields !== null) !== ((footer.flags & FLAG_STORED_FIELDS) !== 0)) {
      throw new ShardFormatError(this.name, 'footer', 'stored-fields flag disagrees with the section table');
    }
    this.header = decoded.header;
    this.dictionary = decoded.dictionary;
    this.docMap = decoded.docMap;
    this.stats = decoded.header.stats;
    this.numDocs = this.stats.numDocs;
    this.docBase = this.stats.docBase;
    this.coalesceGap = options?.coalesceGap ?? DEFAULT_COALESCE_GAP;
    this.wholeTableBytes = options?.storedTableCacheBytes;
  }

  /** File regions of this shard (for verification tools and tests). */
  get layout(): ShardLayout {
    const sf = this.header.storedFields;
    return {
      postings: this.header.postings,
      storedRecords: sf?.records ?? null,
      storedTable: sf?.table ?? null,
      hot: { offset: this.footer.hotOffset, length: this.footer.hotLength },
      footer: { offset: this.footer.hotOffset + this.footer.hotLength, length: FOOTER_BYTES },
    };
  }

  /** Whether the shard has a stored-fields region. */
  get hasStoredFields(): boolean {
    return this.header.storedFields !== null;
  }

  /** Dictionary entry of `term`, or undefined when no document of this shard has it. */
  termInfo(term: number): TermInfo | undefined {
    const i = this.entryOf(term);
    if (i < 0) return undefined;
    const d = this.dictionary;
    return {
      term,
      offset: this.header.postings.offset + d.starts[i],
      length: d.starts[i + 1] - d.starts[i],
      df: d.df[i],
      maxImpact: d.maxImpact[i],
      checksum: d.crc[i],
    };
  }

  /** The term ids present in this shard, increasing (a view; do not modify). */
  get terms(): Uint32Array {
    return this.dictionary.terms;
  }

  externalId(localDoc: number): string {
    this.checkDoc(localDoc);
    return this.docMap.externalId(localDoc);
  }

  /** Byte ranges holding the blobs of `terms` (absent terms skipped), coalesced when near. */
  postingRanges(terms: Iterable<number>, maxGap: number = this.coalesceGap): PostingRange[] {
    return this.coalescedPostings(terms, maxGap).map((r) => ({
      offset: r.offset,
      length: r.length,
      terms: r.parts.map((p) => p.key.term),
    }));
  }

  /** Fetches, checks and decodes the posting lists of `terms`; absent terms are not in the map. */
  async loadPostings(terms: Iterable<number>): Promise<Map<number, PostingList>> {
    const ranges = this.coalescedPostings(terms, this.coalesceGap);
    const reads = await Promise.all(
      ranges.map((r) =>
        readChecked(this.source, r.offset, r.length, `postings of term ${r.parts[0].key.term}`, this.name),
      ),
    );
    const out = new Map<number, PostingList>();
    ranges.forEach((r, k) => {
      for (const p of r.parts)
        out.set(
          p.key.term,
          this.decodeBlob(p.key, reads[k].subarray(p.offset - r.offset, p.offset - r.offset + p.length)),
        );
    });
    return out;
  }

  /** Stored records of `localDocs`, in the order asked (ShardRequestError without stored fields). */
  async storedFields(localDocs: readonly number[]): Promise<StoredDocument[]> {
    return this.storedFieldsWith(localDocs, (offset, length) => this.source.read(offset, length));
  }

  /**
   * The same, reading through `read` instead of the shard's own source: the edge passes the request's
   * metered, cached reader so stored-field bytes are counted like every other byte of the request.
   */
  async storedFieldsWith(
    localDocs: readonly number[],
    read: (offset: number, length: number) => Promise<Uint8Array>,
  ): Promise<StoredDocument[]> {
    for (const d of localDocs) this.checkDoc(d);
    const source: ByteSource = { name: this.name, size: this.source.size, read };
    return this.storedReader().read(localDocs, (offset, length) =>
      readChecked(source, offset, length, 'stored fields', this.name),
    );
  }

  protected decodeBlob(
    entry: { term: number; index: number },
    bytes: Uint8Array,
    verified = false,
  ): PostingList {
    const section: ShardSection = `postings of term ${entry.term}`;
    const d = this.dictionary;
    const actual = verified ? d.crc[entry.index] : crc32(bytes);
    if (actual !== d.crc[entry.index]) {
      throw new ShardFormatError(
        this.name,
        section,
        `checksum mismatch (dictionary ${hex(d.crc[entry.index])}, computed ${hex(actual)})`,
      );
    }
    let list: PostingList;
    try {
      list = PostingList.decode(bytes);
    } catch (cause) {
      throw new ShardFormatError(this.name, section, `blob does not decode: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (
      list.df !== d.df[entry.index] ||
      list.maxImpact !== d.maxImpact[entry.index] ||
      list.numDocs !== this.numDocs
    ) {
      throw new ShardFormatError(
        this.name,
        section,
        'blob df, max impact or numDocs disagree with the dictionary',
      );
    }
    return list;
  }

  protected checkDoc(localDoc: number): void {
    if (!Number.isInteger(localDoc) || localDoc < 0 || localDoc >= this.numDocs) {
      throw new ShardRequestError(`shard ${this.name}: local doc ${localDoc} outside 0..${this.numDocs - 1}`);
    }
  }

  protected entryOf(term: number): number {
    return indexOfSorted(this.dictionary.terms, term);
  }

  protected coalescedPostings(
    terms: Iterable<number>,
    maxGap: number,
  ): CoalescedRange<{ term: number; index: number }>[] {
    const d = this.dictionary;
    const base = this.header.postings.offset;
    const seen = new Set<number>();
    const ranges = [];
    for (const term of terms) {
      if (seen.has(term)) continue;
      seen.add(term);
      const i = this.entryOf(term);
      if (i < 0) continue;
      ranges.push({
        offset: base + d.starts[i],
        length: d.starts[i + 1] - d.starts[i],
        key: { term, index: i },
      });
    }
    return coalesceRanges(ranges, maxGap);
  }

  protected storedReader(): StoredFieldsReader {
    const sf = this.header.storedFields;
    if (!sf) throw new ShardRequestError(`shard ${this.name} has no stored fields`);
    this.stored ??= new StoredFieldsReader(
      this.name,
      this.numDocs,
      sf.records,
      sf.table,
      this.footer.storedTableCrc,
      this.wholeTableBytes,
    );
    return this.stored;
  }
}

/** A reader over bytes in memory, with synchronous postings and stored fields. */
export class InMemoryShardReader extends ShardReader {
  private readonly bytes: Uint8Array;
  /**
   * Blobs whose CRC already matched: the bytes are held in memory, so each is checked once, not on
   * every query (checking dominates decode cost for long lists). Assumes nobody mutates `bytes`.
   */
  private readonly verified: Uint8Array;

  constructor(name: string, bytes: Uint8Array, footer: Footer, hot: Uint8Array, options?: ShardOpenOptions) {
    super(memorySource(name, bytes), footer, hot, options);
    this.bytes = bytes;
    this.verified = new Uint8Array(this.dictionary.terms.length);
  }

  /** Like loadPostings, without awaiting (the blobs are views into the shard bytes). */
  postingsSync(terms: Iterable<number>): Map<number, PostingList> {
    const out = new Map<number, PostingList>();
    const d = this.dictionary;
    const base = this.header.postings.offset;
    for (const term of terms) {
      const index = this.entryOf(term);
      if (index < 0 || out.has(term)) continue;
      const blob = this.bytes.subarray(base + d.starts[index], base + d.starts[index + 1]);
      out.set(term, this.decodeBlob({ term, index }, blob, this.verified[index] === 1));
      this.verified[index] = 1;
    }
    return out;
  }

  storedFieldsSync(localDocs: readonly number[]): StoredDocument[] {
    for (const d of localDocs) this.checkDoc(d);
    return this.storedReader().readSync(this.bytes, localDocs);
  }
}

function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
  };
}

/**
 * Reads a range, turning "the shard is shorter than its own metadata says" into ShardFormatError.
 * Other read failures (network, missing object) pass through unchanged.
 */
async function readChecked(
  source: ByteSource,
  offset: number,
  length: number,
  section: ShardSection,
  name: string = source.name,
): Promise<Uint8Array> {
  if (source.size !== undefined && offset + length > source.size) {
    throw new ShardFormatError(
      name,
      section,
      `needs bytes ${offset}..${offset + length} but the shard has ${source.size} (truncated?)`,
    );
  }
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) {
    throw new ShardFormatError(
      name,
      section,
      `read of ${length} bytes at ${offset} returned ${bytes.length} (truncated?)`,
    );
  }
  return bytes;
}
