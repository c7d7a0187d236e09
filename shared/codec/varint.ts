/**
 * LEB128 varints for unsigned 32-bit integers: 7 bits per byte, low groups first, high bit set on
 * every byte but the last. Used where a column of mostly small numbers is read once and then kept
 * decoded (the shard dictionary), so compactness matters more than random access.
 */

/** Bytes `value` (a uint32) takes as a varint. */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes `value` (a uint32) at `pos`; returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, value: number): number {
  let p = pos;
  while (value >= 0x80) {
    out[p++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[p++] = value;
  return p;
}

/** Raised (as a plain Error, callers wrap it with their own context) for a malformed varint. */
export class VarintError extends Error {}

/**
 * A reader over `bytes` that refuses truncated varints and values above 2^32 − 1, so a corrupt
 * stream fails with a message instead of producing huge numbers.
 */
export class VarintReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  next(): number {
    const bytes = this.bytes;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= bytes.length) throw new VarintError(`varint truncated at byte ${this.pos}`);
      const b = bytes[this.pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (value > 0xffffffff) throw new VarintError(`varint above 2^32 - 1 ending at byte ${this.pos}`);
        return value;
      }
      scale *= 128;
    }
    throw new VarintError(`varint longer than 5 bytes at byte ${this.pos - 5}`);
  }
}
