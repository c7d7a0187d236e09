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

/** CURRENT exists but does not decode: nothing moves or collects against it until it is repaired. */
export class CurrentUnreadableError extends CspladeError {
  constructor(index: string, detail: string, options?: { cause?: unknown }) {
    super(
      'current_unreadable',
      `index "${index}": CURRENT cannot be read (${detail}); \`csplade verify --index ${index} --fix\` repoints it to the newest complete version`,
      options,
    );
  }
}

/** A rollback (or repair) target that is not complete: what is missing or wrong is named. */
export class VersionIncompleteError extends CspladeError {
  readonly problems: readonly string[];
  constructor(index: string, version: string, problems: readonly string[]) {
    const shown =
      problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
    super(
      'version_incomplete',
      `index "${index}": version ${version} is not complete, CURRENT was not moved: ${shown}`,
    );
    this.problems = problems;
  }
}

/** The version is being deleted (a tombstone in CURRENT): no move may name it. */
export class VersionCondemnedError extends CspladeError {
  constructor(index: string, version: string) {
    super(
      'version_condemned',
      `index "${index}": version ${version} is being deleted by gc (tombstoned in CURRENT) and cannot become CURRENT`,
    );
  }
}
