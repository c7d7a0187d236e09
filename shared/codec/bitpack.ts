/**
 * Fixed-width bit packing of unsigned integers, least significant bit first, byte by byte.
 *
 * Every posting block stores its doc-id gaps and its impacts as `count` values of one width
 * (0..32 bits) chosen per block. Values are read straight from a Uint8Array at any byte offset:
 * posting blobs sit at arbitrary offsets inside a shard, and copying them to an aligned buffer
 * would cost more than the decoding itself. The unpacker never reads past
 * `packedByteLength(count, width)` bytes, so a truncated or corrupt blob cannot make it read out
 * of bounds as long as the caller checked that many bytes exist.
 */

import { GAP_GROUP, MAX_UNROLLED_WIDTH, PLUS_ONE_GROUP } from './unpack-unrolled.ts';

/** Number of bits needed to represent `value` (0 for 0). `value` must be a uint32. */
export function bitWidth(value: number): number {
  return 32 - Math.clz32(value);
}

/** Bytes taken by `count` values of `width` bits. */
export function packedByteLength(count: number, width: number): number {
  return Math.ceil((count * width) / 8);
}

/**
 * Packs `values[start .. start+count)` with `width` bits each into `out` at `outPos`.
 * Every value must fit in `width` bits. Returns the position after the last written byte.
 */
export function packBits(
  values: ArrayLike<number>,
  start: number,
  count: number,
  width: number,
  out: Uint8Array,
  outPos: number,
): number {
  if (width === 0) return outPos;
  let p = outPos;
  if (width <= 24) {
    // Integer path: fewer than 8 pending bits plus a 24-bit value fit in 31 bits.
    let acc = 0;
    let bits = 0;
    for (let i = start, end = start + count; i < end; i++) {
      acc |= values[i] << bits;
      bits += width;
      while (bits >= 8) {
        out[p++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) out[p++] = acc;
    return p;
  }
  // The accumulator is a double so that widths up to 32 plus 7 pending bits stay exact.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < count; i++) {
    acc += values[start + i] * 2 ** bits;
    bits += width;
    while (bits >= 8) {
      out[p++] = acc % 256;
      acc = Math.floor(acc / 256);
      bits -= 8;
    }
  }
  if (bits > 0) out[p++] = acc;
  return p;
}

/**
 * Unpacks `count` values of `width` bits from `src` at byte `pos` into `out[outAt .. outAt+count)`.
 * Reads exactly `packedByteLength(count, width)` bytes.
 */
export function unpackBits(
  src: Uint8Array,
  pos: number,
  count: number,
  width: number,
  out: Uint32Array,
  outAt = 0,
): void {
  const end = outAt + count;
  if (width === 0) {
    out.fill(0, outAt, end);
    return;
  }
  if (width === 8) {
    for (let i = outAt, p = pos; i < end; i++, p++) out[i] = src[p];
    return;
  }
  if (width > 24) {
    unpackWide(src, pos, outAt, end, width, out);
    return;
  }
  // width <= 24: at most 23 pending bits plus one byte fit in a 31-bit int.
  const mask = (1 << width) - 1;
  let acc = 0;
  let bits = 0;
  let p = pos;
  for (let i = outAt; i < end; i++) {
    while (bits < width) {
      acc |= src[p++] << bits;
      bits += 8;
    }
    out[i] = acc & mask;
    acc >>>= width;
    bits -= width;
  }
}

/** Widths 25..32 need more than 32 bits of accumulator: use double arithmetic (rare, slow path). */
function unpackWide(
  src: Uint8Array,
  pos: number,
  from: number,
  end: number,
  width: number,
  out: Uint32Array,
): void {
  const scale = 2 ** width;
  let acc = 0;
  let bits = 0;
  let p = pos;
  for (let i = from; i < end; i++) {
    while (bits < width) {
      acc += src[p++] * 2 ** bits;
      bits += 8;
    }
    out[i] = acc % scale;
    acc = Math.floor(acc / scale);
    bits -= width;
  }
}

/**
 * Unpacks `count` gaps of `width` bits and writes the running doc ids
 * `doc_i = doc_{i-1} + gap_i + 1` (starting after `prev`) to out[outAt ..]; returns the last doc.
 * Fused with unpacking so each value is touched once (the hot loop of block decoding).
 */
export function unpackDocGaps(
  src: Uint8Array,
  pos: number,
  count: number,
  width: number,
  prev: number,
  out: Uint32Array,
  outAt: number,
): number {
  const end = outAt + count;
  let doc = prev;
  if (width === 0) {
    for (let i = outAt; i < end; i++) out[i] = ++doc;
    return doc;
  }
  if (width <= MAX_UNROLLED_WIDTH && count >= 32) {
    // Whole groups of 32 through the unrolled unpackers (a group is 4 × width bytes, so the next
    // one starts on a byte boundary); the rest below, from where they stopped.
    const unpack = GAP_GROUP[width];
    const view = viewOf(src);
    const groups = count >>> 5;
    for (let g = 0; g < groups; g++) doc = unpack(view, pos + 4 * width * g, doc, out, outAt + 32 * g);
    if ((count & 31) === 0) return doc;
    return unpackDocGaps(src, pos + 4 * width * groups, count & 31, width, doc, out, outAt + 32 * groups);
  }
  if (width > 24) {
    unpackWide(src, pos, outAt, end, width, out);
    for (let i = outAt; i < end; i++) {
      doc += out[i] + 1;
      out[i] = doc;
    }
    return doc;
  }
  // One unaligned 32-bit little-endian load per value while 4 bytes remain in `src` (width <= 24
  // plus a shift of <= 7 fits in 32 bits); the tail falls back to byte-wise reads.
  const mask = (1 << width) - 1;
  const view = viewOf(src);
  const safe = Math.min(count, Math.max(0, Math.floor(((src.length - 4 - pos) * 8) / width) + 1));
  let bit = 0;
  let i = outAt;
  for (const stop = outAt + safe; i < stop; i++, bit += width) {
    doc += ((view.getUint32(pos + (bit >>> 3), true) >>> (bit & 7)) & mask) + 1;
    out[i] = doc;
  }
  for (; i < end; i++, bit += width) {
    doc += readBits(src, pos, bit, width) + 1;
    out[i] = doc;
  }
  return doc;
}

/** The value of `width` (<= 24) bits at bit offset `bit` from byte `pos` (bounds-safe, slow). */
function readBits(src: Uint8Array, pos: number, bit: number, width: number): number {
  let p = pos + (bit >>> 3);
  let shift = bit & 7;
  let value = 0;
  let got = 0;
  while (got < width) {
    const take = Math.min(8 - shift, width - got);
    value |= ((src[p] >>> shift) & ((1 << take) - 1)) << got;
    got += take;
    p++;
    shift = 0;
  }
  return value;
}

let cachedView: DataView | null = null;
let cachedFor: Uint8Array | null = null;

/** A DataView over exactly `src` (cached for the last array: blocks of one list decode in a row). */
function viewOf(src: Uint8Array): DataView {
  if (cachedFor !== src) {
    cachedView = new DataView(src.buffer, src.byteOffset, src.byteLength);
    cachedFor = src;
  }
  return cachedView!;
}

/** Unpacks `count` values of `width` (<= 16) bits plus one into out[outAt ..] (impacts are stored minus one). */
export function unpackPlusOne(
  src: Uint8Array,
  pos: number,
  count: number,
  width: number,
  out: Uint32Array,
  outAt: number,
): void {
  const end = outAt + count;
  if (width === 0) {
    out.fill(1, outAt, end);
    return;
  }
  if (width === 8) {
    for (let i = outAt, p = pos; i < end; i++, p++) out[i] = src[p] + 1;
    return;
  }
  if (width <= MAX_UNROLLED_WIDTH && count >= 32) {
    const unpack = PLUS_ONE_GROUP[width];
    const view = viewOf(src);
    const groups = count >>> 5;
    for (let g = 0; g < groups; g++) unpack(view, pos + 4 * width * g, out, outAt + 32 * g);
    if ((count & 31) !== 0) {
      unpackPlusOne(src, pos + 4 * width * groups, count & 31, width, out, outAt + 32 * groups);
    }
    return;
  }
  const mask = (1 << width) - 1;
  const view = viewOf(src);
  const safe = Math.min(count, Math.max(0, Math.floor(((src.length - 4 - pos) * 8) / width) + 1));
  let bit = 0;
  let i = outAt;
  for (const stop = outAt + safe; i < stop; i++, bit += width) {
    out[i] = ((view.getUint32(pos + (bit >>> 3), true) >>> (bit & 7)) & mask) + 1;
  }
  for (; i < end; i++, bit += width) out[i] = readBits(src, pos, bit, width) + 1;
}
