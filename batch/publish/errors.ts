/**
 * Errors of publishing and moving CURRENT. PublishConflictError is the loser's side of the conditional
 * write race: its message says who won so the operator knows nothing half-done is live.
 */
import { CspladeError } from '../../shared/errors.ts';

export class PublishConflictError extends CspladeError {
  constructor(index: string, version: string, detail: string, options?: { cause?: unknown }) {
    super('publish_conflict', `index "${index}": version ${version} was not published: ${detail}`, options);
  }
}

export class UnknownVersionError extends CspladeError {
  constructor(index: string, version: string, known: readonly string[]) {
    const shown = known.length ? known.join(', ') : 'none';
    super('unknown_version', `index "${index}" has no published version "${version}" (published: ${shown})`);
  }
}

export class InvalidIndexNameError extends CspladeError {
  constructor(index: string) {
    super(
      'invalid_index_name',
      `invalid index name "${index}": use 1–63 of a-z 0-9 . _ - starting with a letter or digit`,
    );
  }
}
