/**
 * Constants of the posting-list blob format (version 1) shared by its encoder and its decoder,
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
export const POSTINGS_VERSION = 1;

/** Header size in bytes; sections follow in the order documented in README.md. */
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
