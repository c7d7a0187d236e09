/**
 * Stored document text (`csplade index --store-text`): consecutive documents packed into blocks of about
 * TEXT_BLOCK_BYTES of UTF-8, each compressed on its own with raw DEFLATE (CompressionStream, in Node and
 * workerd alike), so a search reads and inflates only the blocks of the hits it returns. Small blocks
 * keep that read small; large ones compress better: 16 KiB is about a page of text, where DEFLATE's
 * window already finds most repeats.
 *
 * A block, before compression: u32 n, then n u32 end offsets into the UTF-8 bytes that follow.
 */
import { ShardFormatError } from '../shard/errors.ts';

export const TEXT_BLOCK_BYTES = 16 * 1024;
export const TEXT_CODEC = 'deflate-raw';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Blocks of `texts` (missing text = ""): their compressed bytes and the first doc of each. */
export async function encodeTextBlocks(
  texts: readonly (string | undefined)[],
  targetBytes = TEXT_BLOCK_BYTES,
): Promise<{ blocks: Uint8Array[]; firstDocs: number[] }> {
  const blocks: Uint8Array[] = [];
  const firstDocs: number[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    blocks.push(await deflate(packBlock(pending)));
    pending = [];
    pendingBytes = 0;
  };
  for (let doc = 0; doc < texts.length; doc++) {
    if (pending.length === 0) firstDocs.push(doc);
    const bytes = utf8.encode(texts[doc] ?? '');
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes >= targetBytes) await flush();
  }
  await flush();
  return { blocks, firstDocs };
}

/** The texts of one block's documents, in doc order. */
export async function decodeTextBlock(compressed: Uint8Array, where: string): Promise<string[]> {
  let raw: Uint8Array;
  try {
    raw = await inflate(compressed);
  } catch (cause) {
    throw new ShardFormatError(where, 'doc values', 'a text block does not inflate', { cause });
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const fail = (detail: string): never => {
    throw new ShardFormatError(where, 'doc values', `text block: ${detail}`);
  };
  if (raw.length < 4) fail('truncated');
  const n = view.getUint32(0, true);
  const start = 4 + 4 * n;
  if (start > raw.length) fail('truncated offsets');
  const texts: string[] = [];
  let from = 0;
  for (let i = 0; i < n; i++) {
    const end = view.getUint32(4 + 4 * i, true);
    if (end < from || start + end > raw.length) fail('offsets out of order');
    try {
      texts.push(utf8Decoder.decode(raw.subarray(start + from, start + end)));
    } catch (cause) {
      throw new ShardFormatError(where, 'doc values', 'text block: not UTF-8', { cause });
    }
    from = end;
  }
  return texts;
}

function packBlock(texts: readonly Uint8Array[]): Uint8Array {
  const total = texts.reduce((n, t) => n + t.length, 0);
  const out = new Uint8Array(4 + 4 * texts.length + total);
  const view = new DataView(out.buffer);
  view.setUint32(0, texts.length, true);
  let at = 4 + 4 * texts.length;
  let end = 0;
  texts.forEach((t, i) => {
    out.set(t, at);
    at += t.length;
    end += t.length;
    view.setUint32(4 + 4 * i, end, true);
  });
  return out;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  return pipe(bytes, new CompressionStream(TEXT_CODEC));
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  return pipe(bytes, new DecompressionStream(TEXT_CODEC));
}

async function pipe(
  bytes: Uint8Array,
  transform: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
