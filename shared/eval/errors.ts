/**
 * Typed errors of evaluation. One class with a stable `code` per kind of bad input, so the CLI prints
 * the message without a stack trace and tests match on the class: a malformed qrels/run/queries line
 * (`invalid_eval_input`, naming file position and what was expected), a document listed twice for
 * one query (`duplicate_document`, which trec_eval also refuses), or an unreachable search backend.
 */
import { CspladeError } from '../errors.ts';

/** Qrels, runs or queries that cannot be evaluated: the message names the query, document or line. */
export class EvalInputError extends CspladeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_eval_input', message, options);
  }
}

/** The same document appears twice in one query's ranking (trec_eval: "duplicate docs"). */
export class DuplicateDocumentError extends CspladeError {
  readonly queryId: string;
  readonly docId: string;
  constructor(queryId: string, docId: string) {
    super(
      'duplicate_document',
      `query "${queryId}": document "${docId}" is ranked more than once (trec_eval refuses such runs; ` +
        `pass duplicates: 'keep-first' to keep only its highest-ranked occurrence)`,
    );
    this.queryId = queryId;
    this.docId = docId;
  }
}

/** A search backend (in-process index or edge endpoint) failed while a run was being collected. */
export class SearchBackendError extends CspladeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('search_backend_failed', message, options);
  }
}
