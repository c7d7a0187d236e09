/**
 * Where a posting list's blocks end (postings format version 2): blocks sized to the data
 * instead of a fixed 128 postings.
 *
 * A block's doc gaps and impacts are bit-packed at the width of its largest gap and impact, so
 * one long jump (a clustered term leaving one topic's doc range for the next) makes every gap
 * of its block pay the jump's width. Cutting the block there, at the price of one more skip
 * entry, is cheaper; a run of uniform small gaps is cheaper in one long block. A dynamic program
 * picks the cut points that minimise the list's bytes, payload and skip entries together.
 *
 * Blocks are whole multiples of GRANULE postings (the unrolled decoders' group of 32, so every
 * block but a list's last decodes without a scalar tail) and at most `blockSize`; when blockSize
 * is below the granule every block holds blockSize postings (version 1's layout). The program
 * runs over granules: O(n + (n / 32) × blockSize / 32) per list, a small fraction of encoding.
 * Cuts at any posting would save a little more, but leave a scalar tail in most blocks.
 */
import { bitWidth } from '../codec/bitpack.ts';

/** Block sizes are multiples of this many postings (shared/codec/unpack-unrolled.ts's group). */
export const GRANULE = 32;

// Scratch reused across lists (the inverter encodes tens of thousands of them).
let gapOr = new Uint32Array(0);
let impactOr = new Uint32Array(0);
let cost = new Float64Array(0);
let take = new Int32Array(0);

/**
 * Ends (exclusive, relative to `start`) of the blocks of postings `docs/impacts[start..end)`,
 * each block holding at most `blockSize` postings. `skipEntryBytes` is what one block costs in
 * the skip table. Gaps are doc − previous doc − 1 (the first doc's previous is −1), impacts are
 * stored minus one, as the packer writes them.
 */
export function chooseBlockEnds(
  docs: Uint32Array,
  impacts: Uint16Array,
  start: number,
  end: number,
  blockSize: number,
  skipEntryBytes: number,
): Uint32Array {
  const n = end - start;
  const granule = Math.min(GRANULE, blockSize);
  const maxGranules = Math.max(1, Math.floor(blockSize / granule));
  const numGranules = Math.ceil(n / granule);
  if (gapOr.length < numGranules + 1) {
    const size = Math.max(numGranules + 1, gapOr.length * 2);
    gapOr = new Uint32Array(size);
    impactOr = new Uint32Array(size);
    cost = new Float64Array(size);
    take = new Int32Array(size);
  }
  // OR of a set of values has the bit width of their maximum: per granule once, then per block.
  let prev = -1;
  for (let g = 0; g < numGranules; g++) {
    let gaps = 0;
    let imps = 0;
    for (let i = start + g * granule, stop = Math.min(end, i + granule); i < stop; i++) {
      gaps |= docs[i] - prev - 1;
      imps |= impacts[i] - 1;
      prev = docs[i];
    }
    gapOr[g] = gaps;
    impactOr[g] = imps;
  }
  // cost[g] = fewest bytes for the first g granules; take[g] = granules in the last block.
  cost[0] = 0;
  for (let g = 1; g <= numGranules; g++) {
    let best = Number.POSITIVE_INFINITY;
    let bestTake = 1;
    let gaps = 0;
    let imps = 0;
    const blockEnd = Math.min(n, g * granule);
    for (let m = 1; m <= maxGranules && m <= g; m++) {
      gaps |= gapOr[g - m];
      imps |= impactOr[g - m];
      const count = blockEnd - (g - m) * granule;
      const bytes =
        cost[g - m] +
        skipEntryBytes +
        ((count * bitWidth(gaps) + 7) >>> 3) +
        ((count * bitWidth(imps) + 7) >>> 3);
      // Ties go to the longer block: fewer skip entries to search and decode calls to make.
      if (bytes <= best) {
        best = bytes;
        bestTake = m;
      }
    }
    cost[g] = best;
    take[g] = bestTake;
  }
  let numBlocks = 0;
  for (let g = numGranules; g > 0; g -= take[g]) numBlocks++;
  const ends = new Uint32Array(numBlocks);
  for (let g = numGranules, b = numBlocks - 1; g > 0; g -= take[g], b--) ends[b] = Math.min(n, g * granule);
  return ends;
}
