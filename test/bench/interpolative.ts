/**
 * Binary interpolative coding (Moffat & Stuiver, 2000) of the doc ids of one posting block, for
 * bench:codecs: the classic code that exploits clustering (a run of consecutive doc ids costs no
 * bits at all), i.e. a context-aware code of the kind the 1.6 bytes/posting target needs, measured
 * here for size and decoding speed against the shipped bit packing. Not used by the index.
 *
 * A block's doc ids lie in (before, last] with `last` (and `before`, the previous block's last)
 * known from the skip table, so only the other n − 1 ids are coded: the middle one in minimal
 * binary within the range its neighbours' count leaves it, then each half recursively.
 */

/** Appends bits least significant first into a growable byte buffer. */
export class BitWriter {
  bytes = new Uint8Array(1 << 16);
  bit = 0;

  write(value: number, width: number): void {
    for (let i = 0; i < width; i++) {
      const at = this.bit >>> 3;
      if (at >= this.bytes.length) {
        const grown = new Uint8Array(this.bytes.length * 2);
        grown.set(this.bytes);
        this.bytes = grown;
      }
      if ((value >>> i) & 1) this.bytes[at] |= 1 << (this.bit & 7);
      this.bit++;
    }
  }

  /** Pads to a byte boundary (each block starts on one, as the shipped format's blocks do). */
  align(): void {
    this.bit = (this.bit + 7) & ~7;
  }
}

function widthOf(range: number): number {
  return range <= 1 ? 0 : 32 - Math.clz32(range - 1);
}

/** Codes docs[from..to] (inclusive), all within [low, high]. */
function encodeRange(
  w: BitWriter,
  docs: Uint32Array,
  from: number,
  to: number,
  low: number,
  high: number,
): void {
  if (from > to) return;
  const mid = (from + to) >>> 1;
  const min = low + (mid - from);
  const max = high - (to - mid);
  w.write(docs[mid] - min, widthOf(max - min + 1));
  encodeRange(w, docs, from, mid - 1, low, docs[mid] - 1);
  encodeRange(w, docs, mid + 1, to, docs[mid] + 1, high);
}

/** Codes docs[start..end) as one block after doc `before`; the block's last doc is not written. */
export function encodeBlock(
  w: BitWriter,
  docs: Uint32Array,
  start: number,
  end: number,
  before: number,
): void {
  encodeRange(w, docs, start, end - 2, before + 1, docs[end - 1] - 1);
  w.align();
}

/**
 * Reads bits least significant first from `bytes` at bit offset `bit`, one 32-bit window per value
 * (widths up to 25; the caller leaves 4 readable bytes past the last block).
 */
class BitReader {
  constructor(
    readonly bytes: Uint8Array,
    public bit: number,
  ) {}

  read(width: number): number {
    if (width === 0) return 0;
    const b = this.bit;
    this.bit = b + width;
    const at = b >>> 3;
    const bytes = this.bytes;
    const word = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
    if (width <= 25) return (word >>> (b & 7)) & ((1 << width) - 1);
    // Wide ranges (a sparse list over > 2^25 docs): two reads.
    const low = (word >>> (b & 7)) & 0xffff;
    this.bit = b + 16;
    const high = this.read(width - 16);
    return (low + high * 0x10000) >>> 0;
  }
}

function decodeRange(
  r: BitReader,
  out: Uint32Array,
  from: number,
  to: number,
  low: number,
  high: number,
): void {
  if (from > to) return;
  const mid = (from + to) >>> 1;
  const min = low + (mid - from);
  const max = high - (to - mid);
  const doc = min + r.read(widthOf(max - min + 1));
  out[mid] = doc;
  decodeRange(r, out, from, mid - 1, low, doc - 1);
  decodeRange(r, out, mid + 1, to, doc + 1, high);
}

/**
 * Decodes a block of n doc ids written by encodeBlock at byte `pos` into out[0..n); `before` and
 * `last` come from the skip table. Returns the byte offset after the block.
 */
export function decodeBlock(
  bytes: Uint8Array,
  pos: number,
  n: number,
  before: number,
  last: number,
  out: Uint32Array,
): number {
  const r = new BitReader(bytes, pos * 8);
  decodeRange(r, out, 0, n - 2, before + 1, last - 1);
  out[n - 1] = last;
  return (r.bit + 7) >>> 3;
}
