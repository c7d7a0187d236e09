/**
 * Inversion of documents' quantized vectors (doc id = array index) into per-term postings, and
 * encoding of every term's list into a blob, for the shard writer.
 *
 * Inversion is a counting sort by term over flat typed arrays: count each term's df, prefix-sum
 * the counts into list starts, then fill in document order, which leaves every list sorted by doc
 * id without a comparison sort and without per-posting objects. Memory: 6 bytes per posting plus
 * 4 bytes per vocabulary entry.
 */
import type { QuantizedVector } from '../sparse/types.ts';
import { encodePostingSlice, type PostingListEncodeOptions, resolveEncodeOptions } from './encode.ts';
import { PostingsInputError } from './format.ts';

/** All terms' postings in three flat arrays: term t's list is [termStarts[t], termStarts[t+1]). */
export interface InvertedPostings {
  readonly numDocs: number;
  readonly numTerms: number;
  /** Length numTerms + 1. */
  readonly termStarts: Uint32Array;
  readonly docs: Uint32Array;
  readonly impacts: Uint16Array;
}

/**
 * Inverts `documents`; `numTerms` is the vocabulary size (every term id must be below it).
 * Throws PostingsInputError for a term id out of range or a vector whose lengths differ.
 */
export function invertDocuments(documents: readonly QuantizedVector[], numTerms: number): InvertedPostings {
  const counts = new Uint32Array(numTerms + 1);
  let total = 0;
  for (let d = 0; d < documents.length; d++) {
    const { terms, impacts } = documents[d];
    if (terms.length !== impacts.length) {
      throw new PostingsInputError(`document ${d}: ${terms.length} terms but ${impacts.length} impacts`);
    }
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      if (t >= numTerms)
        throw new PostingsInputError(`document ${d}: term id ${t} >= vocabulary size ${numTerms}`);
      counts[t + 1]++;
    }
    total += terms.length;
  }
  // counts[t+1] = df(t) → prefix sums give starts.
  for (let t = 0; t < numTerms; t++) counts[t + 1] += counts[t];
  const termStarts = counts;
  // Two-level scatter: writing each posting straight to its term's list keeps ~numTerms write
  // streams open over a huge array (a cache/TLB miss per posting). First scatter into at most
  // 256 buckets of consecutive terms (few streams), then finish each bucket, whose output region
  // is small enough to stay in cache. Both passes are stable, so lists stay in doc order.
  const shift = Math.max(0, Math.ceil(Math.log2(Math.max(1, numTerms))) - 8);
  const numBuckets = (numTerms >>> shift) + 1;
  const bucketFill = new Uint32Array(numBuckets);
  for (let b = 0; b < numBuckets; b++) bucketFill[b] = termStarts[Math.min(numTerms, b << shift)];
  const tmpTerms = new Uint32Array(total);
  const tmpDocs = new Uint32Array(total);
  const tmpImpacts = new Uint16Array(total);
  for (let d = 0; d < documents.length; d++) {
    const v = documents[d];
    const terms = v.terms;
    const imps = v.impacts;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      const at = bucketFill[t >>> shift]++;
      tmpTerms[at] = t;
      tmpDocs[at] = d;
      tmpImpacts[at] = imps[i];
    }
  }
  const fill = termStarts.slice(0, numTerms);
  const docs = new Uint32Array(total);
  const impacts = new Uint16Array(total);
  for (let i = 0; i < total; i++) {
    const at = fill[tmpTerms[i]]++;
    docs[at] = tmpDocs[i];
    impacts[at] = tmpImpacts[i];
  }
  return { numDocs: documents.length, numTerms, termStarts, docs, impacts };
}

/** The encoded lists of every term with at least one posting, in increasing term order. */
export interface EncodedPostings {
  readonly terms: Uint32Array;
  readonly blobs: Uint8Array[];
  /** Sum of blob sizes. */
  readonly totalBytes: number;
}

/** Encodes every non-empty list of `inverted` with encodePostingList's format and options. */
export function encodeAllPostingLists(
  inverted: InvertedPostings,
  options?: PostingListEncodeOptions,
): EncodedPostings {
  const opts = resolveEncodeOptions(inverted.numDocs, options);
  const { termStarts, docs, impacts, numDocs } = inverted;
  const terms: number[] = [];
  const blobs: Uint8Array[] = [];
  let totalBytes = 0;
  for (let t = 0; t < inverted.numTerms; t++) {
    const start = termStarts[t];
    const end = termStarts[t + 1];
    if (end === start) continue;
    const blob = encodePostingSlice(docs, impacts, start, end, numDocs, opts);
    terms.push(t);
    blobs.push(blob);
    totalBytes += blob.length;
  }
  return { terms: Uint32Array.from(terms), blobs, totalBytes };
}
