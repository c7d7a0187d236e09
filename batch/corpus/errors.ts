/**
 * Errors of corpus input: a corpus that cannot be found or opened at all. Bad lines inside a corpus are
 * not errors (they go to the rejects file and the run goes on); these are for the whole input failing.
 */
import { CspladeError } from '../../shared/errors.ts';

/** The corpus path or URL names nothing readable (no file, no BEIR corpus.jsonl[.gz], no object). */
export class CorpusNotFoundError extends CspladeError {
  constructor(spec: string, detail: string) {
    super('corpus_not_found', `corpus "${spec}": ${detail}`);
  }
}

/** The corpus stream itself is broken (a truncated or corrupt gzip stream, a read failure). */
export class CorpusReadError extends CspladeError {
  constructor(spec: string, detail: string, options?: { cause?: unknown }) {
    super('corpus_read_failed', `corpus "${spec}": ${detail}`, options);
  }
}
