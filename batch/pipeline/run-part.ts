/**
 * A run part: what one worker of an encode run produced, written once at the end of its slice as
 * `indexes/<index>/runs/<run>/parts/part-<i>-of-<N>.msgpack`. Its existence is the worker's "done": the
 * vectors themselves are in the encoding cache, the part lists the worker's documents (id, corpus line,
 * content hash, stored fields) in corpus order and its counters. A killed worker writes no part, so
 * `publish` can tell a complete run from an incomplete one by listing parts alone.
 */
import { Packr } from 'msgpackr';
import { runPrefix } from '../../shared/index/layout.ts';
import type { StoredFields } from '../../shared/shard/stored-fields.ts';
import { PipelineDataError } from './errors.ts';

const FORMAT = 'csplade.run-part';
const VERSION = 1;
const packr = new Packr({ useRecords: false, moreTypes: true });

export interface EncodeCounts {
  /** Non-blank corpus lines read, good and bad (every worker reads the whole stream). */
  lines: number;
  /** Valid documents seen (all workers' slices). */
  documents: number;
  /** Bad lines (counted by worker 0 only, which owns the rejects file). */
  rejected: number;
  /** Documents of this worker's slice. */
  assigned: number;
  encoded: number;
  reused: number;
  tokens: number;
  cacheBytesWritten: number;
  seconds: number;
}

export interface RunPart {
  readonly run: string;
  readonly worker: number;
  readonly workers: number;
  readonly index: string;
  readonly corpus: string;
  /** Size in bytes of the corpus as read: workers of one run must all have read the same corpus. */
  readonly corpusSize?: number;
  readonly encoderSpec: Record<string, unknown>;
  readonly cacheFingerprint: string;
  readonly createdAt: string;
  readonly counts: EncodeCounts;
  readonly rejectsByReason: Record<string, number>;
  /** Whether `docs.fields` hold each document's text (encoded with --store-text). */
  readonly storeText?: boolean;
  readonly docs: {
    readonly ids: string[];
    /** Corpus line numbers: the global document order is by line. */
    readonly lines: Uint32Array;
    /** Content hashes, (hi, lo) per document. */
    readonly hashes: Uint32Array;
    readonly fields: (StoredFields | null)[];
  };
}

export const partsPrefix = (index: string, run: string) => `${runPrefix(index, run)}parts/`;
export const partKey = (index: string, run: string, worker: number, workers: number) =>
  `${partsPrefix(index, run)}part-${String(worker).padStart(5, '0')}-of-${String(workers).padStart(5, '0')}.msgpack`;

export function encodeRunPart(part: RunPart): Uint8Array {
  return packr.pack({ format: FORMAT, version: VERSION, ...part });
}

export function decodeRunPart(bytes: Uint8Array, key: string): RunPart {
  let value: Record<string, unknown>;
  try {
    value = packr.unpack(bytes) as Record<string, unknown>;
  } catch (cause) {
    throw new PipelineDataError(key, 'run part is not valid msgpack', { cause });
  }
  if (value?.format !== FORMAT)
    throw new PipelineDataError(key, `not a run part (format ${String(value?.format)})`);
  if (value.version !== VERSION)
    throw new PipelineDataError(key, `run part version ${value.version} is not supported`);
  const docs = value.docs as RunPart['docs'] | undefined;
  if (
    !docs ||
    !(docs.lines instanceof Uint32Array) ||
    !(docs.hashes instanceof Uint32Array) ||
    !Array.isArray(docs.ids) ||
    docs.ids.length !== docs.lines.length ||
    docs.hashes.length !== 2 * docs.ids.length
  ) {
    throw new PipelineDataError(key, 'run part document lists are missing or of different lengths');
  }
  const { format: _f, version: _v, ...part } = value;
  return part as unknown as RunPart;
}
