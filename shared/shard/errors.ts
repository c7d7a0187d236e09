/**
 * Errors a shard reader or writer raises on purpose. Every reader failure caused by the bytes of
 * a shard is one of the first two classes, and its message names the shard (ByteSource.name)
 * and the section that was wrong (footer, hot region, dictionary, doc map, stats, postings of
 * term N, stored fields), so an operator knows which object to rebuild. I/O failures of the
 * ByteSource itself (network, missing object) pass through unchanged: they are not corruption.
 */
import { CspladeError } from '../errors.ts';

/** Names of the parts of a shard that errors point at. */
export type ShardSection =
  | 'file'
  | 'footer'
  | 'hot region'
  | 'section table'
  | 'dictionary'
  | 'doc map'
  | 'stats'
  | 'stored fields'
  | 'approximate head'
  | 'approximate footer'
  | 'forward index'
  | 'block lists'
  | 'doc values'
  | `postings of term ${number}`;

/** The bytes of a shard are inconsistent: truncated, bit-flipped, or not a shard at all. */
export class ShardFormatError extends CspladeError {
  readonly shard: string;
  readonly section: ShardSection;
  constructor(shard: string, section: ShardSection, detail: string, options?: { cause?: unknown }) {
    super('corrupt_shard', `shard ${shard}: ${section}: ${detail}`, options);
    this.shard = shard;
    this.section = section;
  }
}

/** The shard was written by a format version this reader does not know. */
export class UnsupportedShardVersionError extends CspladeError {
  readonly shard: string;
  readonly version: number;
  constructor(shard: string, version: number, supported: readonly number[]) {
    super(
      'unsupported_shard_version',
      `shard ${shard}: footer: format version ${version} is not supported (this reader knows ${supported.join(', ')})`,
    );
    this.shard = shard;
    this.version = version;
  }
}

/** writeShard was given input that cannot become a valid shard; the message names the field. */
export class ShardInputError extends CspladeError {
  constructor(message: string) {
    super('invalid_shard_input', message);
  }
}

/** A caller asked a reader for something outside the shard (a local doc ≥ numDocs, …). */
export class ShardRequestError extends CspladeError {
  constructor(message: string) {
    super('invalid_shard_request', message);
  }
}
