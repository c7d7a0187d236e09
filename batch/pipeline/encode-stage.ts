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

import { PreconditionFailedError } from '../../shared/store/errors.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { readCorpus } from '../corpus/read-corpus.ts';
import type { CorpusSource } from '../corpus/sources.node.ts';
import { EncodingCache } from './encoding-cache.ts';
import { PipelineConfigError } from './errors.ts';
import { decodeRunPart, type EncodeCounts, encodeRunPart, partKey, type RunPart } from './run-part.ts';
import { SliceEncoder, type SliceOptions } from './slice-encoder.ts';

export interface EncodeStageOptions extends SliceOptions {
  readonly store: ObjectStore;
  readonly index: string;
  readonly run: string;
  readonly corpus: CorpusSource;
  readonly segmentSize?: number;
}

export interface EncodeStageResult {
  readonly part: RunPart;
  /** True when the part existed already and nothing was done. */
  readonly alreadyDone: boolean;
}

export async function runEncodeStage(options: EncodeStageOptions): Promise<EncodeStageResult> {
  const { store, index, run, worker, workers } = options;
  checkWorkerSlice(worker, workers);
  const key = partKey(index, run, worker, workers);
  const existing = await store.get(key);
  if (existing) return { part: decodeRunPart(existing.bytes, key), alreadyDone: true };

  const started = performance.now();
  const cache = await openWriterCache(options);
  const slice = new SliceEncoder(options, cache);
  for await (const doc of readCorpus(options.corpus.chunks(), {
    onReject: (rejected) => slice.rejectLine(rejected),
    mode: options.encoder.input,
  })) {
    await slice.take(doc);
  }
  await slice.finish();
  await cache.flush();
  const counts = slice.closeCounts(cache.bytesWritten, (performance.now() - started) / 1000);
  options.onProgress?.(counts);
  const part = runPartOf(options, counts, slice);
  try {
    await store.put(key, encodeRunPart(part), { ifNoneMatch: '*' });
  } catch (error) {
    // Another attempt of the same worker finished first: its part describes the same slice.
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
  return { part, alreadyDone: false };
}

function checkWorkerSlice(worker: number, workers: number): void {
  if (
    !Number.isInteger(workers) ||
    workers < 1 ||
    !Number.isInteger(worker) ||
    worker < 0 ||
    worker >= workers
  ) {
    throw new PipelineConfigError(`worker ${worker} of ${workers}: need 0 ≤ worker < workers`);
  }
}

/** The encoding cache, with a writer name of its own per attempt, its existing segments loaded. */
async function openWriterCache(options: EncodeStageOptions): Promise<EncodingCache> {
  const { encoder, run, worker } = options;
  const attempt = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  const cache = new EncodingCache({
    store: options.store,
    fingerprint: encoder.cacheFingerprint,
    writerName: `${run}-w${String(worker).padStart(5, '0')}-${attempt}`,
    segmentSize: options.segmentSize,
    vocabulary: encoder.openVocabulary,
  });
  await cache.loadIndex();
  return cache;
}

function runPartOf(options: EncodeStageOptions, counts: EncodeCounts, slice: SliceEncoder): RunPart {
  const { encoder } = options;
  return {
    run: options.run,
    worker: options.worker,
    workers: options.workers,
    index: options.index,
    corpus: options.corpus.name,
    corpusSize: options.corpus.size,
    encoderSpec: { ...encoder.spec },
    cacheFingerprint: encoder.cacheFingerprint,
    createdAt: new Date().toISOString(),
    counts,
    rejectsByReason: slice.rejectsByReason,
    docs: slice.documents(),
    ...(options.storeText ? { storeText: true } : {}),
  };
}
