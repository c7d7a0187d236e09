/**
 * What the doc ids of bench:engine's index would cost with a context-aware code, and how fast it
 * decodes: the shipped per-block bit packing against binary interpolative coding (interpolative.ts)
 * over exactly the same blocks (same cut points, same skip data).
 *
 *   npm run bench:codecs -- [--docs 1000000] [--vocab 30522] [--reps 3]
 *
 * The size target of the engine (≤ 1.6 bytes/posting) lies below what any per-posting code with
 * per-list statistics can spend on this corpus (bench:engine's entropy_bits_per_posting), so it needs
 * a code with context across postings; interpolative coding is the standard one for clustered
 * lists. This prints its bits per doc id and its decoding cost next to bit packing's, measured in
 * the same run (one thread, doc ids only: impacts decode the same way in both), and the index size
 * either would give. Prints one JSON object; progress goes to stderr.
 */
import { packBits, unpackDocGaps } from '../../shared/codec/bitpack.ts';
import { encodeAllPostingLists, invertDocuments } from '../../shared/postings/invert.ts';
import { PostingList } from '../../shared/postings/posting-list.ts';
import { clusterOrder } from '../../shared/postings/reorder.ts';
import { numberArg } from './args.ts';
import {
  BitWriter,
  decodeBlock as decodeInterpolative,
  encodeBlock as encodeInterpolative,
} from './interpolative.ts';
import { postingsEntropy } from './postings-entropy.ts';
import { generateCorpus } from './synthetic-corpus.ts';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

const numDocs = numberArg('docs', 1_000_000);
const vocab = numberArg('vocab', 30_522);
const reps = numberArg('reps', 3);

log(`generating ${numDocs} docs, vocab ${vocab}; clustering doc ids as the build does`);
const corpus = generateCorpus({ docs: numDocs, vocab, queries: 1 });
const documents = Array.from(clusterOrder(corpus.documents, vocab), (i) => corpus.documents[i]);
const inverted = invertDocuments(documents, vocab);
const encoded = encodeAllPostingLists(inverted);
const postings = inverted.docs.length;

// Both codes over the shipped blocks: per block, n, the previous block's last doc and its own last.
log('encoding doc ids both ways');
const interpolative = new BitWriter();
const blockN: number[] = [];
const blockBefore: number[] = [];
const blockLast: number[] = [];
const blockWidth: number[] = [];
const packedAt: number[] = [];
const interpolativeAt: number[] = [];
const gaps = new Uint32Array(1 << 16);
let packedBytes = new Uint8Array(1 << 20);
let packedEnd = 0;
encoded.terms.forEach((term, i) => {
  const list = PostingList.decode(encoded.blobs[i]);
  let at = inverted.termStarts[term];
  let before = -1;
  for (let j = 0; j < list.numBlocks; j++) {
    const n = list.blockLength(j);
    let width = 0;
    for (let p = 0; p < n; p++) {
      gaps[p] = inverted.docs[at + p] - (p === 0 ? before : inverted.docs[at + p - 1]) - 1;
      width = Math.max(width, 32 - Math.clz32(gaps[p]));
    }
    while (packedEnd + 4 * n + 8 > packedBytes.length) {
      const grown = new Uint8Array(packedBytes.length * 2);
      grown.set(packedBytes);
      packedBytes = grown;
    }
    blockN.push(n);
    blockBefore.push(before);
    blockLast.push(list.blockLastDoc(j));
    blockWidth.push(width);
    packedAt.push(packedEnd);
    packedEnd = packBits(gaps, 0, n, width, packedBytes, packedEnd);
    interpolativeAt.push(interpolative.bit >>> 3);
    encodeInterpolative(interpolative, inverted.docs, at, at + n, before);
    before = list.blockLastDoc(j);
    at += n;
  }
});
const interpolativeEnd = interpolative.bit >>> 3;
// The decoder reads a 32-bit window: leave 4 readable bytes past the last block.
const interpolativeBytes = new Uint8Array(interpolativeEnd + 4);
interpolativeBytes.set(interpolative.bytes.subarray(0, interpolativeEnd));

// Decoding, interleaved rep by rep so machine noise hits both alike; the outputs are checked.
const out = new Uint32Array(1 << 16);
function decodePacked(): number {
  let sum = 0;
  for (let b = 0; b < blockN.length; b++) {
    unpackDocGaps(packedBytes, packedAt[b], blockN[b], blockWidth[b], blockBefore[b], out, 0);
    sum += out[blockN[b] - 1];
  }
  return sum;
}
function decodeAllInterpolative(): number {
  let sum = 0;
  for (let b = 0; b < blockN.length; b++) {
    decodeInterpolative(interpolativeBytes, interpolativeAt[b], blockN[b], blockBefore[b], blockLast[b], out);
    sum += out[blockN[b] - 1];
  }
  return sum;
}
function checkSame(): void {
  const other = new Uint32Array(out.length);
  for (let b = 0; b < blockN.length; b += 97) {
    unpackDocGaps(packedBytes, packedAt[b], blockN[b], blockWidth[b], blockBefore[b], other, 0);
    decodeInterpolative(interpolativeBytes, interpolativeAt[b], blockN[b], blockBefore[b], blockLast[b], out);
    for (let p = 0; p < blockN[b]; p++)
      if (other[p] !== out[p]) throw new Error(`block ${b}: interpolative decoding differs at ${p}`);
  }
}
checkSame();
log(`decoding ${postings} doc ids both ways, ${reps} reps`);
const packedMs: number[] = [];
const interpolativeMs: number[] = [];
for (let r = 0; r < reps + 1; r++) {
  let t = performance.now();
  const a = decodePacked();
  const tp = performance.now() - t;
  t = performance.now();
  const b = decodeAllInterpolative();
  const ti = performance.now() - t;
  if (a !== b) throw new Error('the two decoders disagree');
  if (r > 0) {
    packedMs.push(tp);
    interpolativeMs.push(ti);
  }
}
const median = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
const ns = (ms: number) => Math.round(((ms * 1e6) / postings) * 100) / 100;
const bits = (bytes: number) => Math.round(((bytes * 8) / postings) * 100) / 100;
const bpp = (bytes: number) => Math.round((bytes / postings) * 1000) / 1000;
const entropy = postingsEntropy(inverted);
console.log(
  JSON.stringify({
    docs: numDocs,
    vocab,
    postings,
    blocks: blockN.length,
    bytes_per_posting_shipped: bpp(encoded.totalBytes),
    doc_ids: {
      packed_bits_per_posting: bits(packedEnd),
      interpolative_bits_per_posting: bits(interpolativeEnd),
      packed_decode_ns_per_posting: ns(median(packedMs)),
      interpolative_decode_ns_per_posting: ns(median(interpolativeMs)),
      interpolative_decode_slowdown: Math.round((median(interpolativeMs) / median(packedMs)) * 100) / 100,
    },
    bytes_per_posting_with_interpolative_doc_ids: bpp(encoded.totalBytes - packedEnd + interpolativeEnd),
    // What impacts could cost at best with per-list statistics (the shipped index packs them per block).
    impact_bits_per_list_entropy: entropy.impacts_per_list,
  }),
);
