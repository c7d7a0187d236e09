/**
 * The encoding cache: content hash → encoder output, under `cache/<fingerprint>/segments/` in the
 * index's store, shared by every index and every run that uses the same encoder.
 *
 * Why segments: a run appends its fresh vectors to an in-memory batch and writes it as one immutable
 * object every `segmentSize` documents (and at the end). Each put is atomic (S3 and the folder store
 * show a whole object or none), so a run killed at any moment loses at most the unflushed batch; the
 * rerun lists the segments, reads only their hash lists (one range read each, see cache-segment.ts) and
 * encodes only what is missing. Segment names carry the run, worker and a per-attempt id, so an
 * attempt never overwrites another's segment (puts are create-only). Nothing here is ever read as an
 * index: a half-finished run leaves cache entries, never a version.
 */

import { cachePrefix } from '../../shared/index/layout.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { type Hash64, hex64 } from '../corpus/hash64.ts';
import { Hash64Map } from '../corpus/hash64-table.ts';
import {
  decodeSegment,
  decodeSegmentHashes,
  decodeSegmentHeader,
  encodeSegment,
  SEGMENT_HEADER_BYTES,
  type SegmentEntry,
  type SegmentVocabulary,
} from './cache-segment.ts';
import { PipelineDataError } from './errors.ts';

export const DEFAULT_SEGMENT_SIZE = 1000;
const LOAD_CONCURRENCY = 8;
/** Segment uploads in flight while encoding goes on. */
const MAX_UPLOADS = 2;

/** Fingerprints look like "fnv1a64:0123…"; keys keep only characters every store accepts. */
export function cacheSegmentsPrefix(fingerprint: string): string {
  return `${cachePrefix(fingerprint.replace(/[^A-Za-z0-9._-]/g, '_'))}segments/`;
}

export interface EncodingCacheOptions {
  readonly store: ObjectStore;
  readonly fingerprint: string;
  /** Names the segments this process writes, e.g. "<run>-w0003-<attempt>". */
  readonly writerName: string;
  readonly segmentSize?: number;
  /** For open vocabularies: segments store term strings, read back as this vocabulary's ids. */
  readonly vocabulary?: SegmentVocabulary;
}

export class EncodingCache {
  readonly #store: ObjectStore;
  readonly #prefix: string;
  readonly #writerName: string;
  readonly #segmentSize: number;
  readonly #vocabulary: SegmentVocabulary | undefined;
  readonly #segmentKeys: string[] = [];
  /** content hash → location id; a location is (segment, entry) in the two lists below. */
  readonly #where = new Hash64Map();
  readonly #segmentOf: number[] = [];
  readonly #entryOf: number[] = [];
  #pending: SegmentEntry[] = [];
  #pendingHashes = new Hash64Map(16);
  /** Hashes of segments being uploaded: known (not to be encoded again), not yet readable. */
  readonly #uploading = new Set<Hash64Map>();
  readonly #uploads: Promise<void>[] = [];
  #written = 0;
  /** Bytes of segments this process wrote. */
  bytesWritten = 0;

  constructor(options: EncodingCacheOptions) {
    this.#store = options.store;
    this.#prefix = cacheSegmentsPrefix(options.fingerprint);
    this.#writerName = options.writerName;
    this.#segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.#vocabulary = options.vocabulary;
  }

  /** Number of cached entries known (loaded or added). */
  get size(): number {
    let uploading = 0;
    for (const hashes of this.#uploading) uploading += hashes.size;
    return this.#where.size + this.#pendingHashes.size + uploading;
  }

  /** Reads every segment's hash list: after this, `has` answers for everything already in the store. */
  async loadIndex(): Promise<void> {
    const objects = await this.#store.list(this.#prefix);
    const sizes = new Map(objects.map((o) => [o.key, o.size]));
    const keys = objects
      .map((o) => o.key)
      .filter((k) => k.endsWith('.seg') && !this.#segmentKeys.includes(k));
    await forEachLimited(keys, LOAD_CONCURRENCY, async (key) => {
      const header = await this.#store.getRange(key, 0, SEGMENT_HEADER_BYTES);
      const { count, hashesEnd } = decodeSegmentHeader(header, key);
      // A damaged header must not turn into a read of gigabytes.
      if (hashesEnd > (sizes.get(key) ?? 0))
        throw new PipelineDataError(
          key,
          `cache segment header counts ${count} entries, more than its size holds`,
        );
      const hashes = decodeSegmentHashes(await this.#store.getRange(key, 0, hashesEnd), key);
      const segment = this.#segmentKeys.push(key) - 1;
      for (let i = 0; i < hashes.length / 2; i++)
        this.#remember(hashes[2 * i], hashes[2 * i + 1], segment, i);
    });
  }

  has(hash: Hash64): boolean {
    if (this.#where.has(hash.hi, hash.lo) || this.#pendingHashes.has(hash.hi, hash.lo)) return true;
    for (const uploading of this.#uploading) if (uploading.has(hash.hi, hash.lo)) return true;
    return false;
  }

  #remember(hi: number, lo: number, segment: number, entry: number): void {
    if (this.#where.setIfAbsent(hi, lo, this.#segmentOf.length)) {
      this.#segmentOf.push(segment);
      this.#entryOf.push(entry);
    }
  }

  /**
   * Remembers a fresh vector; starts writing a segment when `segmentSize` are pending. Segment uploads
   * overlap with encoding (at most MAX_UPLOADS in flight), so a GPU does not wait on object storage.
   */
  async add(hash: Hash64, vector: SparseVector): Promise<void> {
    if (this.has(hash)) return;
    this.#pending.push({ hash, vector });
    this.#pendingHashes.setIfAbsent(hash.hi, hash.lo, 0);
    if (this.#pending.length >= this.#segmentSize) await this.#startUpload();
  }

  /** Writes the pending entries as a segment and waits until every upload has landed. */
  async flush(): Promise<void> {
    await this.#startUpload();
    await this.drain();
  }

  /** Waits for the uploads in flight (pending entries stay pending); rethrows an upload's failure. */
  async drain(): Promise<void> {
    while (this.#uploads.length > 0) await this.#uploads.shift();
  }

  async #startUpload(): Promise<void> {
    if (this.#pending.length === 0) return;
    const entries = this.#pending;
    const hashes = this.#pendingHashes;
    this.#pending = [];
    this.#pendingHashes = new Hash64Map(16);
    this.#uploading.add(hashes);
    // Create-only, and the name carries the attempt: no process ever overwrites another's segment.
    const key = `${this.#prefix}${this.#writerName}-${String(this.#written++).padStart(6, '0')}.seg`;
    const bytes = encodeSegment(entries, this.#vocabulary);
    const upload = this.#store
      .put(key, bytes, { ifNoneMatch: '*', contentType: 'application/octet-stream' })
      .then(() => {
        this.bytesWritten += bytes.length;
        const segment = this.#segmentKeys.push(key) - 1;
        for (let entry = 0; entry < entries.length; entry++) {
          this.#remember(entries[entry].hash.hi, entries[entry].hash.lo, segment, entry);
        }
        this.#uploading.delete(hashes);
      });
    // Marked handled now (a failure must not crash the process as an unhandled rejection before it is
    // awaited); it is rethrown where the upload is awaited below or in flush().
    upload.catch(() => {});
    this.#uploads.push(upload);
    while (this.#uploads.length > MAX_UPLOADS) await this.#uploads.shift();
  }

  /**
   * Fetches the vectors of `hashes` (all must be cached and flushed), reading each needed segment once.
   * Returns them in the order asked.
   */
  async getMany(hashes: readonly Hash64[]): Promise<SparseVector[]> {
    const bySegment = new Map<number, number[]>();
    const entries = new Uint32Array(hashes.length);
    hashes.forEach((hash, i) => {
      const location = this.#where.get(hash.hi, hash.lo);
      if (location < 0)
        throw new PipelineDataError(this.#prefix, `no cached vector for content hash ${hex64(hash)}`);
      const segment = this.#segmentOf[location];
      entries[i] = this.#entryOf[location];
      const list = bySegment.get(segment);
      if (list) list.push(i);
      else bySegment.set(segment, [i]);
    });
    const out: SparseVector[] = new Array(hashes.length);
    await forEachLimited([...bySegment.keys()], LOAD_CONCURRENCY, async (segment) => {
      const key = this.#segmentKeys[segment];
      const object = await this.#store.get(key);
      if (!object)
        throw new PipelineDataError(key, 'cache segment disappeared (deleted by a concurrent gc?)');
      const { vectors } = decodeSegment(object.bytes, key, this.#vocabulary);
      for (const i of bySegment.get(segment) ?? []) out[i] = vectors[entries[i]];
    });
    return out;
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]);
  });
  await Promise.all(lanes);
}
