/**
 * The inputs of the committed golden shard files (test/fixtures/shards/). Never change an existing
 * entry: a golden file pins what format version N looks like. A new format version adds new files.
 * Regenerate (only when adding a version): `npx tsx test/shared/shard/make-golden.ts`.
 */
import type { WriteShardInput } from '../../../shared/shard/index.ts';
import { fixedShardInput } from './fixed-corpus.ts';

export interface GoldenShard {
  readonly file: string;
  readonly formatVersion: number;
  readonly input: () => WriteShardInput;
}

/** String ids, stored fields, 8-bit impacts. */
const stringsStored = (): WriteShardInput => ({
  ...fixedShardInput({
    seed: 1,
    numDocs: 12,
    vocab: 40,
    termsPerDoc: 6,
    impactBits: 8,
    ids: 'strings',
    stored: true,
    docBase: 1000,
    name: 'golden-1',
  }),
  // Explicit, so that tuning the encoder's defaults does not change a golden file.
  postings: { blockSize: 128, rangeBlockBits: 6, superBlockBits: 6, rangeMaximaMinDf: 1 },
});

/** Numeric ids, no stored fields, 12-bit impacts (wide posting blobs; v2 keeps the u16 max-impact column). */
const numericPlain = (): WriteShardInput => ({
  ...fixedShardInput({
    seed: 2,
    numDocs: 150,
    vocab: 60,
    termsPerDoc: 5,
    impactBits: 12,
    ids: 'numeric',
    stored: false,
    docBase: 0,
    name: 'golden-2',
  }),
  // Small blocks and range blocks: lists span several blocks; only lists with df ≥ 20 carry maxima.
  postings: { blockSize: 16, rangeBlockBits: 3, superBlockBits: 2, rangeMaximaMinDf: 20 },
});

// Each format version pins the same inputs in its own files.
export const GOLDEN_SHARDS: readonly GoldenShard[] = [
  { file: 'v1-strings-stored.shard', formatVersion: 1, input: stringsStored },
  { file: 'v1-numeric-plain.shard', formatVersion: 1, input: numericPlain },
  { file: 'v2-strings-stored.shard', formatVersion: 2, input: stringsStored },
  { file: 'v2-numeric-plain.shard', formatVersion: 2, input: numericPlain },
  { file: 'v3-strings-stored.shard', formatVersion: 3, input: stringsStored },
  { file: 'v3-numeric-plain.shard', formatVersion: 3, input: numericPlain },
];
