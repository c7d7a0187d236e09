/**
 * Where a corpus comes from: a local JSONL / JSONL.gz file, a BEIR folder (corpus.jsonl[.gz] inside), or
 * the same in an object store (`s3://bucket/prefix/…`, or any URL the store opener knows). Every source is
 * a stream of byte chunks, read in constant memory (object stores: sequential 8 MiB range reads, one
 * ahead), gunzipped on the fly when the bytes start with the gzip magic (the name is not trusted).
 * `bytesRead` counts compressed bytes consumed, which is what progress and ETA compare with `size`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { CorpusNotFoundError, CorpusReadError } from './errors.ts';

export interface CorpusSource {
  /** The path or URL, for messages. */
  readonly name: string;
  /** Size in bytes of the stored (possibly compressed) corpus. */
  readonly size: number;
  /** Compressed bytes consumed so far. */
  readonly bytesRead: number;
  /** Decompressed chunks; callable once. */
  chunks(): AsyncIterable<Uint8Array>;
}

export type StoreOpener = (url: string) => ObjectStore | Promise<ObjectStore>;

const BEIR_NAMES = ['corpus.jsonl', 'corpus.jsonl.gz'];
const RANGE_BYTES = 8 * 1024 * 1024;

/** Resolves a corpus path or URL; `openStore` opens URLs with a scheme (s3://…). */
export async function openCorpus(spec: string, options: { cwd?: string; openStore?: StoreOpener } = {}) {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('file://')) {
    if (!options.openStore) throw new CorpusNotFoundError(spec, 'no object store opener for URLs');
    return openStoreCorpus(spec, options.openStore);
  }
  const path = resolve(options.cwd ?? '.', spec.startsWith('file://') ? new URL(spec).pathname : spec);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new CorpusNotFoundError(spec, 'no such file or folder');
  }
  if (info.isDirectory()) {
    for (const name of BEIR_NAMES) {
      const candidate = join(path, name);
      const found = await stat(candidate).catch(() => null);
      if (found?.isFile()) return fileSource(candidate, found.size);
    }
    throw new CorpusNotFoundError(
      spec,
      `a folder without ${BEIR_NAMES.join(' or ')} (expected a BEIR dataset folder)`,
    );
  }
  return fileSource(path, info.size);
}

function fileSource(path: string, size: number): CorpusSource {
  let bytesRead = 0;
  async function* raw(): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
      bytesRead += (chunk as Uint8Array).length;
      yield chunk as Uint8Array;
    }
  }
  return {
    name: path,
    size,
    get bytesRead() {
      return bytesRead;
    },
    chunks: () => maybeGunzip(path, raw()),
  };
}

async function openStoreCorpus(spec: string, openStore: StoreOpener): Promise<CorpusSource> {
  const trimmed = spec.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const lastSegment = trimmed.slice(slash + 1);
  const looksLikeFile = /\.(jsonl|json|gz)$/i.test(lastSegment) && slash > trimmed.indexOf('://') + 2;
  const candidates: { storeUrl: string; key: string }[] = looksLikeFile
    ? [{ storeUrl: trimmed.slice(0, slash), key: lastSegment }]
    : BEIR_NAMES.map((key) => ({ storeUrl: trimmed, key }));
  const stores = new Map<string, ObjectStore>();
  for (const { storeUrl, key } of candidates) {
    const store = stores.get(storeUrl) ?? (await openStore(storeUrl));
    stores.set(storeUrl, store);
    const info = await store.head(key);
    if (info) return storeSource(spec, store, key, info.size);
  }
  throw new CorpusNotFoundError(
    spec,
    looksLikeFile ? 'no such object' : `no ${BEIR_NAMES.join(' or ')} under it`,
  );
}

function storeSource(name: string, store: ObjectStore, key: string, size: number): CorpusSource {
  let bytesRead = 0;
  async function* raw(): AsyncGenerator<Uint8Array> {
    const read = (offset: number) => store.getRange(key, offset, Math.min(RANGE_BYTES, size - offset));
    let next: Promise<Uint8Array> | null = size > 0 ? read(0) : null;
    for (let offset = 0; next; ) {
      const chunk = await next;
      offset += chunk.length;
      // Start the next read before handing out this chunk: parsing overlaps with the network.
      next = offset < size ? read(offset) : null;
      bytesRead += chunk.length;
      yield chunk;
    }
  }
  return {
    name,
    size,
    get bytesRead() {
      return bytesRead;
    },
    chunks: () => maybeGunzip(name, raw()),
  };
}

/** Passes chunks through, or through gunzip when the first bytes are the gzip magic 1f 8b. */
async function* maybeGunzip(name: string, chunks: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  const first = await chunks.next();
  if (first.done) return;
  const head = first.value;
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
    yield head;
    yield* chunks;
    return;
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    yield head;
    yield* chunks;
  }
  const source = Readable.from(all(), { objectMode: false });
  const gunzip = createGunzip();
  // pipe() does not forward a source error; without this a failed read would hang the loop below.
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (cause) {
    throw new CorpusReadError(name, `gzip stream is corrupt or truncated: ${(cause as Error).message}`, {
      cause,
    });
  }
}
