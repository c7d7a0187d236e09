/**
 * The corpus as a stream of valid documents: lines → validation → duplicate-id check. Every bad line is
 * handed to `onReject` with its line number, reason and raw bytes, and the stream goes on, so one bad line
 * costs exactly that line. The first occurrence of an id wins; later ones are rejected as duplicates
 * (detected with 64-bit id hashes in bounded memory, see hash64-table.ts).
 */
import type { CorpusDocument } from './document.ts';
import { IdHashSet } from './hash64-table.ts';
import { DEFAULT_MAX_LINE_BYTES, splitLines } from './lines.ts';
import { type InputMode, type RejectReason, validateLine } from './validate.ts';

export interface RejectedLine {
  readonly lineNumber: number;
  readonly reason: RejectReason;
  readonly detail: string;
  readonly id?: string;
  readonly raw: Uint8Array;
}

export interface ReadCorpusOptions {
  readonly onReject: (rejected: RejectedLine) => void | Promise<void>;
  readonly maxLineBytes?: number;
  /** 'vector' for precomputed encoders: lines carry vectors instead of text. */
  readonly mode?: InputMode;
}

export async function* readCorpus(
  chunks: AsyncIterable<Uint8Array>,
  options: ReadCorpusOptions,
): AsyncGenerator<CorpusDocument> {
  const seen = new IdHashSet();
  for await (const line of splitLines(chunks, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)) {
    const verdict = validateLine(line, options.mode);
    if (!verdict.ok) {
      // Blank lines (a final newline, spacing between records) hold no document: skipped, not rejected.
      if (verdict.reason === 'blank_line') continue;
      await options.onReject({
        lineNumber: line.lineNumber,
        reason: verdict.reason,
        detail: verdict.detail,
        id: verdict.id,
        raw: line.bytes,
      });
      continue;
    }
    const { doc } = verdict;
    if (!seen.add(doc.idHash.hi, doc.idHash.lo)) {
      await options.onReject({
        lineNumber: line.lineNumber,
        reason: 'duplicate_id',
        detail: `id "${doc.id}" already appeared earlier in the corpus`,
        id: doc.id,
        raw: line.bytes,
      });
      continue;
    }
    yield doc;
  }
}
