/**
 * Lucene's lossy document-length encoding (SmallFloat.intToByte4 / byte4ToInt): Lucene stores each
 * document's length in one byte, exact below 24 and with 4 significant bits above (so a 300-token
 * abstract is scored as if it had 280). BM25 in Lucene and Anserini scores with the decoded length;
 * replaying the round trip lets our BM25 reproduce their scores. Written from the published
 * algorithm: the top 4 significant bits of (length − 24) in a tiny float with 3-bit mantissa.
 */

/** Lengths below this are stored exactly (255 minus the largest 4-bit-float code of 2^31 − 1). */
const EXACT_BELOW = 24;

/** Float-like code of a non-negative integer keeping 4 significant bits (Lucene longToInt4). */
function toInt4(value: number): number {
  const bits = 32 - Math.clz32(value); // value < 2^31 here
  if (bits < 4) return value; // "subnormal": stored as is
  const shift = bits - 4;
  const mantissa = Math.floor(value / 2 ** shift) & 0x07; // drop the implicit leading 1
  return mantissa | ((shift + 1) << 3);
}

function fromInt4(code: number): number {
  const mantissa = code & 0x07;
  const shift = (code >>> 3) - 1;
  return shift === -1 ? mantissa : (mantissa | 0x08) * 2 ** shift;
}

/** The norm byte (0–255) Lucene stores for a document of `length` tokens. */
export function intToByte4(length: number): number {
  if (!Number.isInteger(length) || length < 0 || length > 0x7fffffff) {
    throw new RangeError(`intToByte4: ${length} is not a non-negative 32-bit integer`);
  }
  return length < EXACT_BELOW ? length : EXACT_BELOW + toInt4(length - EXACT_BELOW);
}

/** The length Lucene scores with for a stored norm byte. */
export function byte4ToInt(code: number): number {
  const unsigned = code & 0xff;
  return unsigned < EXACT_BELOW ? unsigned : EXACT_BELOW + fromInt4(unsigned - EXACT_BELOW);
}

/** Length → length after Lucene's one-byte round trip. */
export function luceneLength(length: number): number {
  return byte4ToInt(intToByte4(length));
}
