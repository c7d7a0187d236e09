/**
 * Reads stored-field records of a shard's hits over a ByteSource. Small tables (≤ 64 KiB by
 * default) are read whole once, checked against the footer CRC and cached; for larger ones each
 * hit's 12-byte entry is read on its own (coalesced), so a cold Worker does not download 8 bytes
 * per document of the shard to show ten results. Records are then read with coalesced range reads
 * and each is checked against its CRC before msgpack decoding.
 */
import { crc32 } from './checksum.ts';
import { coalesceRanges } from './coalesce.ts';
import { ShardFormatError } from './errors.ts';
import { hex } from './format.ts';
import { type Region, u32View } from './hot-region.ts';
import {
  checkStoredTable,
  decodeStoredRecord,
  parseStoredEntry,
  STORED_ENTRY_BYTES,
  type StoredDocument,
  type StoredEntry,
  storedEntryOffset,
} from './stored-fields.ts';

/** Default size up to which the whole table is read once and cached. */
export const DEFAULT_WHOLE_TABLE_BYTES = 64 * 1024;
/** Records (or entries) closer than this are read together. */
const STORED_COALESCE_GAP = 16 * 1024;

export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

export class StoredFieldsReader {
  private wholeTable: Promise<(localDoc: number) => StoredEntry> | null = null;
  private wholeTableSync: ((localDoc: number) => StoredEntry) | null = null;

  constructor(
    private readonly shard: string,
    private readonly numDocs: number,
    private readonly records: Region,
    private readonly table: Region,
    private readonly tableCrc: number,
    private readonly wholeTableBytes: number = DEFAULT_WHOLE_TABLE_BYTES,
  ) {}

  /** Records of `localDocs` (already range-checked), in the order asked. */
  async read(localDocs: readonly number[], readRange: ReadRange): Promise<StoredDocument[]> {
    const entries = await this.entries(localDocs, readRange);
    const ranges = coalesceRanges(
      [...entries].map(([d, e]) => ({
        offset: this.records.offset + e.start,
        length: e.end - e.start,
        key: d,
      })),
      STORED_COALESCE_GAP,
    );
    const reads = await Promise.all(ranges.map((r) => readRange(r.offset, r.length)));
    const byDoc = new Map<number, StoredDocument>();
    ranges.forEach((r, k) => {
      for (const p of r.parts) {
        const bytes = reads[k].subarray(p.offset - r.offset, p.offset - r.offset + p.length);
        byDoc.set(p.key, decodeStoredRecord(bytes, p.key, entries.get(p.key)!.crc, this.shard));
      }
    });
    return localDocs.map((d) => byDoc.get(d)!);
  }

  /** The same from the whole shard in memory. */
  readSync(file: Uint8Array, localDocs: readonly number[]): StoredDocument[] {
    this.wholeTableSync ??= this.checkWholeTable(
      file.subarray(this.table.offset, this.table.offset + this.table.length),
    );
    const entryOf = this.wholeTableSync;
    return localDocs.map((d) => {
      const e = entryOf(d);
      const at = this.records.offset + e.start;
      return decodeStoredRecord(file.subarray(at, at + e.end - e.start), d, e.crc, this.shard);
    });
  }

  private async entries(
    localDocs: readonly number[],
    readRange: ReadRange,
  ): Promise<Map<number, StoredEntry>> {
    const unique = [...new Set(localDocs)];
    const out = new Map<number, StoredEntry>();
    if (this.wholeTable || this.table.length <= this.wholeTableBytes) {
      this.wholeTable ??= readRange(this.table.offset, this.table.length).then((b) =>
        this.checkWholeTable(b),
      );
      const entryOf = await this.wholeTable;
      for (const d of unique) out.set(d, entryOf(d));
      return out;
    }
    const ranges = coalesceRanges(
      unique.map((d) => ({
        offset: this.table.offset + storedEntryOffset(d),
        length: STORED_ENTRY_BYTES,
        key: d,
      })),
      STORED_COALESCE_GAP,
    );
    const reads = await Promise.all(ranges.map((r) => readRange(r.offset, r.length)));
    ranges.forEach((r, k) => {
      for (const p of r.parts) {
        const bytes = reads[k].subarray(p.offset - r.offset, p.offset - r.offset + p.length);
        out.set(p.key, parseStoredEntry(bytes, p.key, this.records.length, this.shard));
      }
    });
    return out;
  }

  private checkWholeTable(bytes: Uint8Array): (localDoc: number) => StoredEntry {
    const actual = crc32(bytes);
    if (actual !== this.tableCrc) {
      throw new ShardFormatError(
        this.shard,
        'stored fields',
        `table checksum mismatch (footer ${hex(this.tableCrc)}, computed ${hex(actual)})`,
      );
    }
    return checkStoredTable(u32View(bytes), this.numDocs, this.records.length, this.shard);
  }
}
