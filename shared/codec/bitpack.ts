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
