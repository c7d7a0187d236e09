/**
 * Splits a stream of byte chunks into lines (LF, with an optional CR before it removed) without decoding
 * them: validation decodes each line itself so that invalid UTF-8 can be rejected per line instead of
 * being replaced silently by U+FFFD. Memory stays bounded by `maxLineBytes`: a longer line is reported
 * with `tooLong` and only its first `maxLineBytes` bytes, the rest is skipped up to the next newline.
 */

export interface RawLine {
  /** 1-based line number in the (decompressed) corpus. */
  readonly lineNumber: number;
  /** The line without its line ending; a prefix of it when `tooLong`. */
  readonly bytes: Uint8Array;
  readonly tooLong: boolean;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<RawLine> {
  // Pieces of the current line that straddle chunk boundaries; joined once when its newline arrives.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let lineNumber = 0;

  const take = (piece: Uint8Array) => {
    if (tooLong) return;
    const room = maxLineBytes - pendingBytes;
    if (piece.length > room) {
      tooLong = true;
      piece = piece.subarray(0, room);
    }
    if (piece.length > 0) {
      // Copy: the producer may reuse its chunk buffer after we return control.
      pending.push(piece.slice());
      pendingBytes += piece.length;
    }
  };
  const finish = (): RawLine => {
    let bytes: Uint8Array;
    if (pending.length === 1) bytes = pending[0];
    else {
      bytes = new Uint8Array(pendingBytes);
      let at = 0;
      for (const p of pending) {
        bytes.set(p, at);
        at += p.length;
      }
    }
    if (!tooLong && bytes.length > 0 && bytes[bytes.length - 1] === CR)
      bytes = bytes.subarray(0, bytes.length - 1);
    const line = { lineNumber: ++lineNumber, bytes, tooLong };
    pending = [];
    pendingBytes = 0;
    tooLong = false;
    return line;
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      if (pending.length === 0 && !tooLong && nl - start <= maxLineBytes) {
        // Fast path: the whole line lies in this chunk.
        let end = nl;
        if (end > start && chunk[end - 1] === CR) end--;
        yield { lineNumber: ++lineNumber, bytes: chunk.slice(start, end), tooLong: false };
      } else {
        take(chunk.subarray(start, nl));
        yield finish();
      }
      start = nl + 1;
    }
    take(chunk.subarray(start));
  }
  if (pendingBytes > 0 || tooLong) yield finish();
}
