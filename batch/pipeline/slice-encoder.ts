/**
 * One worker's pass over the corpus (the encode stage's inner loop): which documents are its own, which of
 * them the encoding cache already holds, and the misses encoded in batches into the cache. Refused
 * documents (the encoder throws a CspladeError for them) are found one by one and rejected.
 */
import { CspladeError } from '../../shared/errors.ts';
import type { StoredFields } from '../../shared/shard/stored-fields.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import { type CorpusDocument, contentHash, encoderInput } from '../corpus/document.ts';
import { type Hash64, workerOf } from '../corpus/hash64.ts';
import type { RejectedLine } from '../corpus/read-corpus.ts';
import type { DocumentEncoder } from './document-encoder.ts';
import type { EncodingCache } from './encoding-cache.ts';
import type { EncodeCounts, RunPart } from './run-part.ts';

const utf8 = new TextEncoder();

export interface SliceOptions {
  readonly worker: number;
  readonly workers: number;
  readonly encoder: DocumentEncoder;
  /** Called for each bad line (worker 0 only) and each document the encoder refused (its owner). */
  readonly onReject?: (rejected: RejectedLine) => void | Promise<void>;
  readonly batchSize?: number;
  /** Called after every batch with the running counters. */
  readonly onProgress?: (counts: EncodeCounts) => void;
  /** Keep each document's text in the run part, for the build to store (csplade index --store-text). */
  readonly storeText?: boolean;
}

/**
 * One worker's pass over the corpus: takes the documents of its slice in corpus order, counts them,
 * reuses the vectors the cache (or the pending batch) has, and encodes the misses in batches into the
 * cache. A document the encoder refuses is rejected and left out, like a bad line.
 */
export class SliceEncoder {
  readonly #options: SliceOptions;
  readonly #cache: EncodingCache;
  readonly #batchSize: number;
  readonly #counts: EncodeCounts = {
    lines: 0,
    documents: 0,
    rejected: 0,
    assigned: 0,
    encoded: 0,
    reused: 0,
    tokens: 0,
    cacheBytesWritten: 0,
    seconds: 0,
  };
  readonly rejectsByReason: Record<string, number> = {};
  readonly #ids: string[] = [];
  readonly #lines: number[] = [];
  readonly #hashes: number[] = [];
  readonly #fields: (StoredFields | null)[] = [];
  #batch: { hash: Hash64; text: string; doc: CorpusDocument }[] = [];
  readonly #batchHashes = new Set<string>();
  /** Content hashes the encoder refused (a precomputed vector naming an unknown token, …). */
  readonly #failed = new Set<string>();
  #lastProgress = 0;

  constructor(options: SliceOptions, cache: EncodingCache) {
    this.#options = options;
    this.#cache = cache;
    this.#batchSize = options.batchSize ?? 256;
  }

  /** A bad corpus line: every worker counts it, only worker 0 reports it, so it is reported once. */
  async rejectLine(rejected: RejectedLine): Promise<void> {
    this.#counts.lines++;
    if (this.#options.worker !== 0) return;
    this.#reject(rejected.reason);
    await this.#options.onReject?.(rejected);
  }

  async take(doc: CorpusDocument): Promise<void> {
    const counts = this.#counts;
    counts.documents++;
    counts.lines++;
    if (workerOf(doc.idHash, this.#options.workers) !== this.#options.worker) return;
    counts.assigned++;
    const hash = contentHash(doc);
    this.#ids.push(doc.id);
    this.#lines.push(doc.lineNumber);
    this.#hashes.push(hash.hi, hash.lo);
    this.#fields.push(storedFieldsOf(doc, this.#options.storeText === true));
    const hex = `${hash.hi}:${hash.lo}`;
    if (this.#cache.has(hash) || this.#batchHashes.has(hex)) {
      counts.reused++;
    } else {
      this.#batch.push({ hash, text: encoderInput(doc), doc });
      this.#batchHashes.add(hex);
      if (this.#batch.length >= this.#batchSize) await this.#encodeBatch();
    }
    if (counts.assigned - this.#lastProgress >= 1000) {
      this.#lastProgress = counts.assigned;
      this.#options.onProgress?.(counts);
    }
  }

  /** Encodes the last batch and leaves the refused documents out of the slice. */
  async finish(): Promise<void> {
    await this.#encodeBatch();
    if (this.#failed.size > 0) dropFailed(this.#failed, this.#ids, this.#lines, this.#hashes, this.#fields);
  }

  /** The final counters, once the cache is flushed. */
  closeCounts(cacheBytesWritten: number, seconds: number): EncodeCounts {
    this.#counts.assigned = this.#ids.length;
    this.#counts.cacheBytesWritten = cacheBytesWritten;
    this.#counts.seconds = seconds;
    return this.#counts;
  }

  documents(): RunPart['docs'] {
    return {
      ids: this.#ids,
      lines: Uint32Array.from(this.#lines),
      hashes: Uint32Array.from(this.#hashes),
      fields: this.#fields,
    };
  }

  #reject(reason: string): void {
    this.#counts.rejected++;
    this.rejectsByReason[reason] = (this.rejectsByReason[reason] ?? 0) + 1;
  }

  async #encodeBatch(): Promise<void> {
    const batch = this.#batch;
    if (batch.length === 0) return;
    const result = await this.#encodeTexts(batch.map((b) => b.text));
    this.#counts.tokens += result.tokens;
    for (let i = 0; i < batch.length; i++) {
      const vector = result.vectors[i];
      if (vector) {
        await this.#cache.add(batch[i].hash, vector);
        this.#counts.encoded++;
      }
    }
    this.#batch = [];
    this.#batchHashes.clear();
    this.#counts.cacheBytesWritten = this.#cache.bytesWritten;
    this.#options.onProgress?.(this.#counts);
  }

  /** The batch's vectors; when the encoder refuses the batch, one by one, null for each refused text. */
  async #encodeTexts(texts: string[]): Promise<{ vectors: (SparseVector | null)[]; tokens: number }> {
    const { encoder } = this.#options;
    try {
      return await encoder.encodeDocuments(texts);
    } catch (error) {
      if (!(error instanceof CspladeError)) throw error;
      return encodeOneByOne(
        texts,
        (i, reason) => this.#refuse(this.#batch[i], texts[i], reason),
        (one) => encoder.encodeDocuments(one),
      );
    }
  }

  async #refuse(item: { hash: Hash64; doc: CorpusDocument }, text: string, reason: string): Promise<void> {
    const { doc, hash } = item;
    this.#failed.add(`${hash.hi}:${hash.lo}`);
    this.#reject('encoder_error');
    await this.#options.onReject?.({
      lineNumber: doc.lineNumber,
      reason: 'encoder_error',
      detail: reason,
      id: doc.id,
      raw: utf8.encode(text.slice(0, 4000)),
    });
  }
}

/** Encodes texts one at a time after a batch failed, so one bad document costs only itself. */
async function encodeOneByOne(
  texts: readonly string[],
  onFailure: (index: number, reason: string) => Promise<void>,
  encode: (texts: readonly string[]) => Promise<{ vectors: SparseVector[]; tokens: number }>,
) {
  const vectors: (SparseVector | null)[] = [];
  let tokens = 0;
  for (let i = 0; i < texts.length; i++) {
    try {
      const one = await encode([texts[i]]);
      vectors.push(one.vectors[0]);
      tokens += one.tokens;
    } catch (error) {
      if (!(error instanceof CspladeError)) throw error;
      vectors.push(null);
      await onFailure(i, error.message);
    }
  }
  return { vectors, tokens };
}

/** Removes, in place, the documents whose content hash is in `failed` (all lists stay aligned). */
function dropFailed(
  failed: Set<string>,
  ids: string[],
  lines: number[],
  hashes: number[],
  fields: (StoredFields | null)[],
): void {
  let kept = 0;
  for (let i = 0; i < ids.length; i++) {
    if (failed.has(`${hashes[2 * i]}:${hashes[2 * i + 1]}`)) continue;
    ids[kept] = ids[i];
    lines[kept] = lines[i];
    hashes[2 * kept] = hashes[2 * i];
    hashes[2 * kept + 1] = hashes[2 * i + 1];
    fields[kept] = fields[i];
    kept++;
  }
  ids.length = kept;
  lines.length = kept;
  hashes.length = 2 * kept;
  fields.length = kept;
}

function storedFieldsOf(doc: CorpusDocument, storeText: boolean): StoredFields | null {
  if (doc.title === undefined && doc.url === undefined && doc.metadata === undefined && !storeText)
    return null;
  const fields: { -readonly [K in keyof StoredFields]: StoredFields[K] } = {};
  if (doc.title !== undefined) fields.title = doc.title;
  if (doc.url !== undefined) fields.url = doc.url;
  if (doc.metadata !== undefined) fields.metadata = doc.metadata;
  if (storeText) fields.text = doc.text;
  return fields;
}
