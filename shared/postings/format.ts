/**
 * Constants of the posting-list blob format (version 2; version 1 is still read) shared by its encoder and its decoder,
 * and the error both raise. The layout is documented field by field in `README.md` next to this
 * file; change both together and bump `POSTINGS_VERSION` on any incompatible change.
 */
import { CspladeError } from '../errors.ts';

/** Raised when a posting-list blob is inconsistent; the message names the field that is wrong. */
export class PostingsFormatError extends CspladeError {
  constructor(message: string) {
    super('corrupt_postings', message);
  }
}

/** Raised when encodePostingList is given postings that break its contract. */
export class PostingsInputError extends CspladeError {
  constructor(message: string) {
    super('invalid_postings', message);
  }
}

/** Bytes 0-1: 'P', 'L'. */
export const POSTINGS_MAGIC_0 = 0x50;
export const POSTINGS_MAGIC_1 = 0x4c;
/** 2: blocks of variable size (a posting count per block in the skip table). */
export const POSTINGS_VERSION = 2;
export const SUPPORTED_POSTINGS_VERSIONS: readonly number[] = [1, 2];

/**
 * Version 2 stores the payload offset of every SKIP_GROUP_BLOCKS-th block, so a reader checks and
 * sums the skip table group by group, only where a query decodes (4 bytes per 16 blocks).
 */
export const SKIP_GROUP_BITS = 4;
export const SKIP_GROUP_BLOCKS = 1 << SKIP_GROUP_BITS;

/** Bytes of one block's posting count (stored minus one) in a version 2 skip table. */
export function blockCountBytes(blockSize: number): number {
  return blockSize <= 0x100 ? 1 : 2;
}

/**
 * Header size in bytes; sections follow in the order documented in README.md. Version 2 keeps its
 * block count in bytes 18-19, or extends the header by 4 bytes when the count is 0xffff or more.
 */
export const HEADER_BYTES = 20;

/** flags bit 0: the blob carries per-doc-range-block and per-superblock impact maxima. */
export const FLAG_RANGE_MAXIMA = 1;
/** flags bit 1: impacts above 255 exist, so block/range maxima are stored as u16 instead of u8. */
export const FLAG_WIDE_IMPACTS = 2;
export const KNOWN_FLAGS = FLAG_RANGE_MAXIMA | FLAG_WIDE_IMPACTS;

export const DEFAULT_BLOCK_SIZE = 128;
/** 2^4 = 16 docs per range block (chosen by bench:engine, see shared/engine/registry.ts). */
export const DEFAULT_RANGE_BLOCK_BITS = 4;
/** 2^6 = 64 range blocks per superblock: the coarse level BMP scores first. */
export const DEFAULT_SUPER_BLOCK_BITS = 6;
export const MAX_IMPACT = 0xffff;
