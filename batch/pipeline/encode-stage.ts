/**
 * The encode stage of one worker: stream the corpus, keep the documents whose id hash falls in this
 * worker's slice, look each content hash up in the encoding cache, encode the misses in batches, append
 * fresh vectors to the cache (flushed as segments every `segmentSize` documents), and finally write the
 * run part that marks this worker done. Every worker reads the whole corpus (validation and duplicate
 * detection need it) but only worker 0 reports bad lines, so each is reported once; a document the
 * encoder refuses (e.g. a precomputed vector with an unknown token) is reported by the worker that owns it
 * and left out of the part, like a bad line.
 *
 * Resumability: a finished part is never redone (the stage returns it as is); a killed worker has
 * flushed segments in the cache, which the rerun loads before it starts, so only the unflushed tail is
 * encoded again.
 */

import { CspladeError } from '../../shared/errors.ts';
import type { StoredFields } from '../../shared/shard/stored-fields.ts';
import type { SparseVector } from '../../shared/sparse/types.ts';
import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { type CorpusDocument, contentHash, encoderInput } from '../corpus/document.ts';
import type { Hash64 } from '../corpus/hash64.ts';
import { workerOf } from '../corpus/hash64.ts';
import { type RejectedLine, readCorpus } from '../corpus/read-corpus.ts';
import type { CorpusSource } from '../corpus/sources.node.ts';
import type { DocumentEncoder } from './document-encoder.ts';
import { EncodingCache } from './encoding-cache.ts';
import { PipelineConfigError } from './errors.ts';
import { decodeRunPart, type EncodeCounts, encodeRunPart, partKey, type RunPart } from './run-part.ts';

export interface EncodeStageOptions {
  readonly store: ObjectStore;
  readonly index: string;
  readonly run: string;
  readonly worker: number;
  readonly workers: number;
  readonly corpus: CorpusSource;
  readonly encoder: DocumentEncoder;
  /** Called for each bad line (worker 0 only) and each document the encoder refused (its owner). */
  readonly onReject?: (rejected: RejectedLine) => void | Promise<void>;
  readonly batchSize?: number;
  readonly segmentSize?: number;
  /** Called after every batch with the running counters. */
  readonly onProgress?: (counts: EncodeCounts) => void;
  /** Keep each document's text in the run part, for the build to store (csplade index --store-text). */
  readonly storeText?: boolean;
}

export interface EncodeStageResult {
  readonly part: RunPart;
  /** True when the part existed already and nothing was done. */
  readonly alreadyDone: boolean;
}

const utf8 = new TextEncoder();

export async function runEncodeStage(options: EncodeStageOptions): Promise<EncodeStageResult> {
  const { store, index, run, worker, workers, encoder } = options;
  if (
    !Number.isInteger(workers) ||
    workers < 1 ||
    !Number.isInteger(worker) ||
    worker < 0 ||
    worker >= workers
  ) {
    throw new PipelineConfigError(`worker ${worker} of ${workers}: need 0 ≤ worker < workers`);
  }
  const key = partKey(index, run, worker, workers);
  const existing = await store.get(key);
  if (existing) return { part: decodeRunPart(existing.bytes, key), alreadyDone: true };

  const started = performance.now();
  const attempt = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  const cache = new EncodingCache({
    store,
    fingerprint: encoder.cacheFingerprint,
    writerName: `${run}-w${String(worker).padStart(5, '0')}-${attempt}`,
    segmentSize: options.segmentSize,
    vocabulary: encoder.openVocabulary,
  });
  await cache.loadIndex();

  const counts: EncodeCounts = {
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
  const rejectsByReason: Record<string, number> = {};
  const ids: string[] = [];
  const lines: number[] = [];
  const hashes: number[] = [];
  const fields: (StoredFields | null)[] = [];
  const batchSize = options.batchSize ?? 256;
  let batch: { hash: Hash64; text: string; doc: CorpusDocument }[] = [];
  const batchHashes = new Set<string>();

  // Content hashes the encoder refused (a precomputed vector naming an unknown token, …): their documents
  // are rejected and left out of the part, like bad lines.
  const failed = new Set<string>();
  const encodeBatch = async () => {
    if (batch.length === 0) return;
    const texts = batch.map((b) => b.text);
    let result: { vectors: (SparseVector | null)[]; tokens: number };
    try {
      result = await encoder.encodeDocuments(texts);
    } catch (error) {
      if (!(error instanceof CspladeError)) throw error;
      result = await encodeOneByOne(
        texts,
        async (i, reason) => {
          const { doc, hash } = batch[i];
          failed.add(`${hash.hi}:${hash.lo}`);
          counts.rejected++;
          rejectsByReason.encoder_error = (rejectsByReason.encoder_error ?? 0) + 1;
          await options.onReject?.({
            lineNumber: doc.lineNumber,
            reason: 'encoder_error',
            detail: reason,
            id: doc.id,
            raw: utf8.encode(texts[i].slice(0, 4000)),
          });
        },
        (one) => encoder.encodeDocuments(one),
      );
    }
    counts.tokens += result.tokens;
    for (let i = 0; i < batch.length; i++) {
      const vector = result.vectors[i];
      if (vector) {
        await cache.add(batch[i].hash, vector);
        counts.encoded++;
      }
    }
    batch = [];
    batchHashes.clear();
    counts.cacheBytesWritten = cache.bytesWritten;
    options.onProgress?.(counts);
  };

  const onReject = async (rejected: RejectedLine) => {
    counts.lines++;
    if (worker !== 0) return;
    counts.rejected++;
    rejectsByReason[rejected.reason] = (rejectsByReason[rejected.reason] ?? 0) + 1;
    await options.onReject?.(rejected);
  };

  let lastProgress = 0;
  for await (const doc of readCorpus(options.corpus.chunks(), { onReject, mode: encoder.input })) {
    counts.documents++;
    counts.lines++;
    if (workerOf(doc.idHash, workers) !== worker) continue;
    counts.assigned++;
    const hash = contentHash(doc);
    ids.push(doc.id);
    lines.push(doc.lineNumber);
    hashes.push(hash.hi, hash.lo);
    fields.push(storedFieldsOf(doc, options.storeText === true));
    const hex = `${hash.hi}:${hash.lo}`;
    if (cache.has(hash) || batchHashes.has(hex)) {
      counts.reused++;
    } else {
      batch.push({ hash, text: encoderInput(doc), doc });
      batchHashes.add(hex);
      if (batch.length >= batchSize) await encodeBatch();
    }
    if (counts.assigned - lastProgress >= 1000) {
      lastProgress = counts.assigned;
      options.onProgress?.(counts);
    }
  }
  await encodeBatch();
  await cache.flush();
  if (failed.size > 0) dropFailed(failed, ids, lines, hashes, fields);
  counts.assigned = ids.length;
  counts.cacheBytesWritten = cache.bytesWritten;
  counts.seconds = (performance.now() - started) / 1000;
  options.onProgress?.(counts);

  const part: RunPart = {
    run,
    worker,
    workers,
    index,
    corpus: options.corpus.name,
    corpusSize: options.corpus.size,
    encoderSpec: { ...encoder.spec },
    cacheFingerprint: encoder.cacheFingerprint,
    createdAt: new Date().toISOString(),
    counts,
    rejectsByReason,
    docs: { ids, lines: Uint32Array.from(lines), hashes: Uint32Array.from(hashes), fields },
    ...(options.storeText ? { storeText: true } : {}),
  };
  try {
    await store.put(key, encodeRunPart(part), { ifNoneMatch: '*' });
  } catch (error) {
    // Another attempt of the same worker finished first: its part describes the same slice.
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
  return { part, alreadyDone: false };
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
