/**
 * Serialised BM25 statistics (msgpack), stored as an index asset next to the shards so the
 * statistics an index was scored with travel with it. Layout: a map with `format`, `version`,
 * `tokenizer`, `vocabSize`, `docCount`, `totalTokens` and `df` as little-endian uint32 bytes
 * (explicit byte order rather than msgpackr's typed-array extension, so any msgpack reader can
 * decode it). The decoder checks every field and names the one that is wrong.
 */
import { pack, unpack } from 'msgpackr';
import { EncoderError } from '../errors.ts';
import type { Bm25Stats } from './stats.ts';

const FORMAT = 'csplade.bm25-stats';
const VERSION = 1;

export function encodeBm25Stats(stats: Bm25Stats): Uint8Array {
  const df = new Uint8Array(stats.df.length * 4);
  const view = new DataView(df.buffer);
  for (let term = 0; term < stats.df.length; term++) view.setUint32(term * 4, stats.df[term], true);
  return pack({
    format: FORMAT,
    version: VERSION,
    tokenizer: stats.tokenizer,
    vocabSize: stats.vocabSize,
    docCount: stats.docCount,
    totalTokens: stats.totalTokens,
    df,
  });
}

export function decodeBm25Stats(bytes: Uint8Array): Bm25Stats {
  let decoded: unknown;
  try {
    decoded = unpack(bytes);
  } catch (cause) {
    throw new EncoderError('invalid_bm25_stats', 'BM25 statistics are not valid msgpack', { cause });
  }
  const record = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new EncoderError('invalid_bm25_stats', `BM25 statistics: ${what}`);
  };
  if (record.format !== FORMAT) fail(`format is ${JSON.stringify(record.format)}, expected "${FORMAT}"`);
  if (record.version !== VERSION)
    fail(`version ${JSON.stringify(record.version)} is not supported (only ${VERSION})`);
  const { tokenizer, vocabSize, docCount, totalTokens, df } = record;
  if (typeof tokenizer !== 'string') fail('"tokenizer" must be a string');
  const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
  if (!isCount(vocabSize) || vocabSize === 0) fail('"vocabSize" must be a positive integer');
  if (!isCount(docCount)) fail('"docCount" must be a non-negative integer');
  if (!isCount(totalTokens)) fail('"totalTokens" must be a non-negative integer');
  if (!(df instanceof Uint8Array) || df.length !== (vocabSize as number) * 4) {
    fail(`"df" must hold ${vocabSize} little-endian uint32 values`);
  }
  const dfBytes = df as Uint8Array;
  const view = new DataView(dfBytes.buffer, dfBytes.byteOffset, dfBytes.byteLength);
  const frequencies = new Uint32Array(vocabSize as number);
  for (let term = 0; term < frequencies.length; term++) {
    frequencies[term] = view.getUint32(term * 4, true);
    if (frequencies[term] > (docCount as number))
      fail(`df of term ${term} (${frequencies[term]}) exceeds docCount`);
  }
  return {
    tokenizer: tokenizer as string,
    vocabSize: vocabSize as number,
    docCount: docCount as number,
    totalTokens: totalTokens as number,
    df: frequencies,
  };
}
