/**
 * Errors of the indexing pipeline's own data (cache segments, run parts, staged builds) and of its
 * preconditions (a run whose parts are incomplete, an encoder that does not match the run).
 */
import { CspladeError } from '../../shared/errors.ts';

/** A cache segment, run part or staged build that does not decode (truncated, wrong magic, bad checksum). */
export class PipelineDataError extends CspladeError {
  constructor(key: string, detail: string, options?: { cause?: unknown }) {
    super('pipeline_data_corrupt', `${key}: ${detail}`, options);
  }
}

/** A run that cannot be built or published as asked: parts missing, mixed worker counts or encoders. */
export class RunIncompleteError extends CspladeError {
  constructor(run: string, detail: string) {
    super('run_incomplete', `run "${run}": ${detail}`);
  }
}

/** Options that contradict each other or the data (a worker index ≥ the worker count, bad pruning values). */
export class PipelineConfigError extends CspladeError {
  constructor(detail: string) {
    super('pipeline_config', detail);
  }
}

/** A shard that does not read back as written (lost, truncated, corrupted): its version is never published. */
export class ShardVerificationError extends CspladeError {
  constructor(key: string, detail: string) {
    super('shard_verification_failed', `shard ${key} ${detail}`);
  }
}

/** A run with no valid document: nothing to index, and an empty version would hide the mistake. */
export class EmptyRunError extends CspladeError {
  constructor(run: string) {
    super(
      'empty_run',
      `run "${run}" has no valid documents: nothing to index (are all lines in the rejects file?)`,
    );
  }
}
